#pragma once
#include <QMainWindow>

class QCustomPlot;
class QListWidget;
class QPlainTextEdit;

namespace aha::ui {

// The studio's main window: runs panel (left), dashboard (centre), log panel (bottom).
class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);

  QListWidget* runsPanel() const { return runs_; }
  QCustomPlot* dashboard() const { return plot_; }

 private:
  void buildMenus();
  QListWidget* runs_ = nullptr;
  QCustomPlot* plot_ = nullptr;
  QPlainTextEdit* log_ = nullptr;
};

}  // namespace aha::ui
