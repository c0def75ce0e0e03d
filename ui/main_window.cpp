#include "ui/main_window.h"

#include <QApplication>
#include <QDockWidget>
#include <QListWidget>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QStatusBar>
#include <qcustomplot.h>

namespace aha::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setWindowTitle(tr("Aha Studio"));
  resize(1280, 800);

  plot_ = new QCustomPlot(this);
  plot_->xAxis->setLabel(tr("step"));
  plot_->yAxis->setLabel(tr("reward"));
  setCentralWidget(plot_);

  runs_ = new QListWidget(this);
  auto* runsDock = new QDockWidget(tr("Runs"), this);
  runsDock->setObjectName("runsDock");
  runsDock->setWidget(runs_);
  addDockWidget(Qt::LeftDockWidgetArea, runsDock);

  log_ = new QPlainTextEdit(this);
  log_->setReadOnly(true);
  auto* logDock = new QDockWidget(tr("Log"), this);
  logDock->setObjectName("logDock");
  logDock->setWidget(log_);
  addDockWidget(Qt::BottomDockWidgetArea, logDock);

  buildMenus();
  statusBar()->showMessage(tr("No run active"));
}

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addAction(tr("&Quit"), QKeySequence::Quit, qApp, &QApplication::quit);
}

}  // namespace aha::ui
