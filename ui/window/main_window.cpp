#include "ui/window/main_window.h"

#include <QApplication>
#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QGuiApplication>
#include <QLabel>
#include <QScreen>
#include <QMenuBar>
#include <QMessageBox>
#include <QPainter>
#include <QPlainTextEdit>
#include <QSet>
#include <QSaveFile>
#include <QSettings>
#include <QSlider>
#include <QStandardPaths>
#include <QStatusBar>
#include <QStackedWidget>
#include <QTabWidget>
#include <QToolBar>
#include <QThread>
#include <QTime>
#include <QTimer>
#include <QTreeWidget>

#include <spdlog/spdlog.h>

#include "core/support/logging.h"
#include "core/support/version.h"
#include "db/run_reader.h"
#include "ui/charts/dashboard.h"
#include "ui/charts/export_dialog.h"
#include "ui/runs/follow_dialog.h"
#include "ui/window/log_sink.h"
#include "core/run/job.h"
#include "core/run/run_config.h"
#include "core/run/sweep_controls.h"
#include "ui/runs/new_run_dialog.h"
#include "ui/runs/new_sweep_dialog.h"
#include "ui/window/preferences_dialog.h"
#include "ui/runs/run_controller.h"
#include "ui/charts/entropy_fit_dialog.h"
#include "ui/probes/gain_dialog.h"
#include "ui/probes/pass_at_k_dialog.h"
#include "ui/traces/trace_browser.h"
#include "ui/traces/trace_detail_view.h"
#include "ui/window/runs_panel_rows.h"
#include "ui/window/welcome_panel.h"
#include "ui/charts/series_math.h"

namespace aha::ui {

using namespace runs_panel;

namespace {
QString clockText(double seconds) {
  const int s = static_cast<int>(seconds + 0.5);
  return QString("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QChar('0'));
}
}  // namespace

QString MainWindow::dataDirectory() {
  // ~/.local/share/aha-studio (AppDataLocation would repeat the name: org and app are one).
  return QDir(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation)).filePath("aha-studio");
}

QString MainWindow::defaultDatabasePath() {
  return QDir(dataDirectory()).filePath("runs.aha.db");
}

MainWindow::MainWindow(Engine engine, QWidget* parent)
    : QMainWindow(parent), engineDescription_(engine.description), probePassAtK_(engine.probe_pass_at_k) {
  setWindowTitle(tr("Aha Studio"));
  const QScreen* screen = QGuiApplication::primaryScreen();
  resize(defaultSize(screen ? screen->availableGeometry().size() : QSize(1400, 900)));

  dashboard_ = new Dashboard(this);
  traces_ = new TraceBrowser(this);
  traces_->detail()->setAlternativesProvider(engine.token_alternatives);
  traces_->detail()->setResampler(engine.resample_from);
  traces_->detail()->setAnchorMapper(engine.anchor_map);
  views_ = new QTabWidget(this);
  welcome_ = new WelcomePanel(this);
  dashboardStack_ = new QStackedWidget(this);
  dashboardStack_->addWidget(welcome_);
  dashboardStack_->addWidget(dashboard_);
  views_->addTab(dashboardStack_, tr("&Dashboard"));
  connect(welcome_, &WelcomePanel::startDemo, this, &MainWindow::startRun);
  connect(welcome_, &WelcomePanel::choosePreset, this, [this] { newRun_->trigger(); });
  views_->addTab(traces_, tr("T&races"));
  setCentralWidget(views_);
  connect(dashboard_, &Dashboard::pointClicked, this, &MainWindow::tracesRequested);
  connect(dashboard_, &Dashboard::exportRequested, this, &MainWindow::exportCharts);
  connect(this, &MainWindow::tracesRequested, this, [this](qint64 run, qint64 step) {
    views_->setCurrentWidget(traces_);
    traces_->showRunStep(run, step);
  });

  runs_ = new QTreeWidget(this);
  runs_->setHeaderLabels({tr("Run"), tr("Status"), tr("Steps"), tr("Disk")});
  runs_->setRootIsDecorated(true);  // a sweep's members fold under it
  runs_->setTextElideMode(Qt::ElideMiddle);  // sweep members differ at the end: "spur…uth-s1"
  // The actions on "the selected run" are enabled when there is one.
  connect(runs_, &QTreeWidget::currentItemChanged, this, [this] { updateActions(); });
  runs_->header()->setSectionResizeMode(ColName, QHeaderView::Stretch);
  runs_->header()->setSectionResizeMode(ColStatus, QHeaderView::ResizeToContents);
  runs_->header()->setSectionResizeMode(ColSteps, QHeaderView::ResizeToContents);
  runs_->header()->setSectionResizeMode(ColDisk, QHeaderView::ResizeToContents);
  runs_->header()->setStretchLastSection(false);
  runs_->setMinimumWidth(280);
  connect(runs_, &QTreeWidget::itemChanged, this, [this](QTreeWidgetItem* item, int column) {
    if (column != ColName || !item->data(ColName, Qt::UserRole).isValid()) return;  // a sweep's row
    dashboard_->setRunVisible(item->data(ColName, Qt::UserRole).toLongLong(), item->checkState(ColName) == Qt::Checked,
                              item->data(ColName, Qt::UserRole + 1).toInt());
  });
  // Run management: right-click, F2 and Delete on the runs panel.
  runs_->setContextMenuPolicy(Qt::ActionsContextMenu);
  auto runAction = [this](const QString& text, const QKeySequence& key, auto slot) {
    auto* a = new QAction(text, runs_);
    a->setShortcut(key);
    a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(a, &QAction::triggered, this, [this, slot] {
      if (const qint64 id = currentRunId()) (this->*slot)(id);
    });
    runs_->addAction(a);
  };
  runAction(tr("Rename..."), QKeySequence(Qt::Key_F2), &MainWindow::renameRunAsked);
  runAction(tr("Duplicate as New Run..."), QKeySequence(Qt::CTRL | Qt::Key_D), &MainWindow::duplicateRun);
  runAction(tr("Delete..."), QKeySequence::Delete, &MainWindow::deleteRunAsked);
  auto* compare = new QAction(tr("Compare Sweep..."), runs_);
  connect(compare, &QAction::triggered, this, [this] {
    auto* item = runs_->currentItem();
    while (item && item->parent()) item = item->parent();
    const QString sweep = item ? item->data(ColName, SweepRole).toString() : QString();
    if (sweep.isEmpty()) statusBar()->showMessage(tr("Select a sweep (or one of its runs) first"), 5000);
    else compareSweep(sweep);
  });
  runs_->addAction(compare);
  runsDock_ = new QDockWidget(tr("Runs"), this);
  runsDock_->setObjectName("runsDock");
  runsDock_->setWidget(runs_);
  addDockWidget(Qt::LeftDockWidgetArea, runsDock_);

  log_ = new QPlainTextEdit(this);
  log_->setObjectName("log");
  log_->setReadOnly(true);
  log_->setMaximumBlockCount(5000);
  logDock_ = new QDockWidget(tr("Log"), this);
  logDock_->setObjectName("logDock");
  logDock_->setWidget(log_);
  addDockWidget(Qt::BottomDockWidgetArea, logDock_);
  logBridge_ = new LogBridge;
  logBridge_->setParent(this);
  connect(logBridge_, &LogBridge::line, log_, &QPlainTextEdit::appendPlainText, Qt::QueuedConnection);
  logSink_ = std::make_shared<QtLogSink>(logBridge_);
  aha::add_log_sink(logSink_);

  // Dashboard controls: smoothing and x axis.
  auto* bar = addToolBar(tr("Chart Controls"));  // (View's "Dashboard" is the tab)
  bar->setObjectName("dashboardBar");
  bar->addWidget(new QLabel(tr(" Smoothing ")));
  smoothing_ = new QSlider(Qt::Horizontal);
  smoothing_->setRange(0, 99);
  smoothing_->setValue(60);
  smoothing_->setMaximumWidth(200);
  // Only a click gives it the keys: Tab through the window stopped on it, and a Page Down
  // there moved it a page (0.60 became 0.50, saved for every later launch).
  smoothing_->setFocusPolicy(Qt::ClickFocus);
  smoothing_->setToolTip(tr("Exponential moving average weight (TensorBoard's, debiased); raw values drawn faint"));
  auto* smoothingValue = new QLabel(this);
  smoothingValue->setMinimumWidth(fontMetrics().horizontalAdvance(" 0.00 "));
  connect(smoothing_, &QSlider::valueChanged, this, [this, smoothingValue](int v) {
    dashboard_->setSmoothing(v / 100.0);
    smoothingValue->setText(QString(" %1 ").arg(v / 100.0, 0, 'f', 2));
  });
  smoothingValue->setText(QString(" %1 ").arg(smoothing_->value() / 100.0, 0, 'f', 2));
  bar->addWidget(smoothing_);
  bar->addWidget(smoothingValue);
  auto* xAxis = new QComboBox;
  xAxis->addItems({tr("x: step"), tr("x: wall time")});
  connect(xAxis, qOverload<int>(&QComboBox::currentIndexChanged), this,
          [this](int i) { dashboard_->setXAxisWallTime(i == 1); });
  bar->addWidget(xAxis);

  progress_ = new QLabel(tr("No run active"));
  statusBar()->addPermanentWidget(progress_);

  controller_ = new RunController(std::move(engine), this);
  connect(controller_, &RunController::stepFinished, this, &MainWindow::onStep);
  connect(controller_, &RunController::statusChanged, this, &MainWindow::onStatus);
  connect(controller_, &RunController::idle, this, &MainWindow::updateActions);

  // Runs written by other processes (the CLI, a cluster import) show up too.
  auto* poll = new QTimer(this);
  poll->setInterval(2000);
  connect(poll, &QTimer::timeout, this, &MainWindow::pollDatabase);
  poll->start();

  buildMenus();
  QSettings settings;
  restoreGeometry(settings.value("window/geometry").toByteArray());
  if (!restoreState(settings.value("window/state").toByteArray()))
    // First start: the log a few lines high, the charts the rest (1280x800 included).
    QTimer::singleShot(0, this, [this] { resizeDocks({logDock_}, {4 * fontMetrics().height() + 12}, Qt::Vertical); });
  smoothing_->setValue(settings.value("dashboard/smoothing", 60).toInt());
  updateActions();
}

QSize MainWindow::defaultSize(QSize room) {
  // A small screen whole (a 1280x800 laptop), a large one mostly (1920x1080 gives 1632x918),
  // at least 1400x900 where that fits.
  const auto side = [](int available, int least) { return std::min(available, std::max(least, available * 85 / 100)); };
  return {side(room.width(), 1400), side(room.height(), 900)};
}

MainWindow::~MainWindow() {
  stopFollowing();
  controller_->shutdown();  // no thread logs after this
  aha::remove_log_sink(logSink_);
}

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addAction(tr("&New Database..."), QKeySequence::New, this, [this] {
    const QString path = QFileDialog::getSaveFileName(this, tr("New run database"), QDir::homePath(),
                                                      tr("Aha run databases (*.aha.db *.db)"));
    if (!path.isEmpty()) openDatabase(path);
  });
  file->addAction(tr("&Open Database..."), QKeySequence::Open, this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open run database"), QFileInfo(dbPath_).path(),
                                                      tr("Aha run databases (*.aha.db *.db);;All files (*)"));
    if (!path.isEmpty()) openDatabase(path);
  });
  recentMenu_ = file->addMenu(tr("Open &Recent"));
  rebuildRecentMenu();
  file->addSeparator();
  file->addAction(tr("&Export Chart..."), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E), this,
                  [this] { exportCharts({"reward"}); });
  file->addSeparator();
  file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

  QMenu* edit = menuBar()->addMenu(tr("&Edit"));
  edit->addAction(tr("&Preferences..."), QKeySequence::Preferences, this, [this] { PreferencesDialog(this).exec(); });

  QMenu* view = menuBar()->addMenu(tr("&View"));
  view->addAction(tr("&Dashboard"), QKeySequence(Qt::CTRL | Qt::Key_1), this,
                  [this] { views_->setCurrentWidget(dashboardStack_); });
  view->addAction(tr("&Traces"), QKeySequence(Qt::CTRL | Qt::Key_2), this, [this] { views_->setCurrentWidget(traces_); });
  view->addSeparator();  // panels closed by their X come back here
  view->addAction(tr("Reward against &Entropy..."), QKeySequence(Qt::CTRL | Qt::Key_3), this, [this] {
    const qint64 id = currentRunId();
    if (!id || !reader_) {
      statusBar()->showMessage(tr("Select a run first: its reward is fitted against its entropy"), 5000);
      return;
    }
    auto* dialog = new EntropyFitDialog(reader_, id, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
  });
  view->addAction(runsDock_->toggleViewAction());
  view->addAction(logDock_->toggleViewAction());
  view->addAction(findChild<QToolBar*>("dashboardBar")->toggleViewAction());

  QMenu* run = menuBar()->addMenu(tr("&Run"));
  newRun_ = run->addAction(tr("&New Run..."), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N), this, [this] {
    // One dialog for the window's life: a cancelled dialog keeps its edits for next time.
    if (!newRunDialog_) newRunDialog_ = new NewRunDialog(this);
    QStringList taken;
    if (reader_)
      for (const auto& r : reader_->runs()) taken << QString::fromStdString(r.name);
    newRunDialog_->setTakenNames(taken);
    if (newRunDialog_->exec() == QDialog::Accepted) startRun(newRunDialog_->configToml());
  });
  run->addAction(tr("New S&weep..."), this, [this] {
    if (dbPath_.isEmpty() && !openDatabase(defaultDatabasePath())) return;
    NewSweepDialog dialog(dbPath_, this);
    if (dialog.exec() != QDialog::Accepted) return;
    controller_->startSweep(dialog.sweepToml(), dialog.baseDir(), dbPath_);
    dashboardStack_->setCurrentWidget(dashboard_);
    views_->setCurrentWidget(dashboardStack_);
    updateActions();
  });
  pause_ = run->addAction(tr("&Pause"), QKeySequence(Qt::CTRL | Qt::Key_P), this, [this] { controller_->pause(); });
  resume_ = run->addAction(tr("Res&ume"), QKeySequence(Qt::CTRL | Qt::Key_R), this, [this] { controller_->resume(); });
  stop_ = run->addAction(tr("&Stop"), QKeySequence(Qt::CTRL | Qt::Key_Period), this, [this] { controller_->stop(); });
  run->addSeparator();
  resumeRun_ = run->addAction(tr("Resume Selected Run from Checkpoint"), this, [this] {
    const qint64 id = currentRunId();
    if (!id || !reader_) return;
    auto summary = reader_->run(id);
    if (summary) controller_->start(QString::fromStdString(summary->config_toml), dbPath_, /*resume=*/true);
    updateActions();
  });
  probeRun_ = run->addAction(tr("Probe pass@&k of Selected Run..."), QKeySequence(Qt::CTRL | Qt::Key_K), this, [this] {
    const qint64 id = currentRunId();
    if (!id || !reader_ || !probePassAtK_) {
      statusBar()->showMessage(tr("Select a run first: its base model and checkpoints are probed"), 5000);
      return;
    }
    auto* dialog = new PassAtKDialog(reader_, id, probePassAtK_, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
  });
  gainRun_ = run->addAction(tr("Is the &Gain Real? (Selected Run)..."), this, [this] {
    const qint64 id = currentRunId();
    const auto summary = id && reader_ ? reader_->run(id) : std::nullopt;
    if (!summary) return;
    auto* dialog = new GainDialog(dbPath_, QString::fromStdString(summary->name), probePassAtK_, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
    dialog->start();
  });
  controlsRun_ = run->addAction(tr("Train &Controls of Selected Run"), this, [this] { trainControls(currentRunId()); });
  runs_->addAction(gainRun_);
  runs_->addAction(controlsRun_);
  run->addSeparator();
  run->addAction(tr("&Follow veRL/TRL Run..."), this, [this] {
    FollowDialog dialog(this);
    if (dialog.exec() == QDialog::Accepted) {
      if (dbPath_.isEmpty() && !openDatabase(defaultDatabasePath())) return;
      followRun(dialog.request(dbPath_));
    }
  });
  stopFollowing_ = run->addAction(tr("Stop &Following"), this, &MainWindow::stopFollowing);
  stopFollowing_->setEnabled(false);
  for (auto* a : {newRun_, pause_, resume_, stop_}) addAction(a);

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&Guide"), QKeySequence::HelpContents, this, [this] {
    QMessageBox box(QMessageBox::NoIcon, tr("Aha Studio guide"), guideHtml(), QMessageBox::Close, this);
    box.setTextFormat(Qt::RichText);
    box.exec();
  });
  help->addAction(tr("&Keyboard Shortcuts"), this, [this] {
    QMessageBox box(QMessageBox::NoIcon, tr("Keyboard shortcuts"), shortcutsHtml(), QMessageBox::Close, this);
    box.setTextFormat(Qt::RichText);
    box.exec();
  });
  help->addAction(tr("Show &Welcome Panel"), this, [this] {
    views_->setCurrentWidget(dashboardStack_);
    dashboardStack_->setCurrentWidget(welcome_);
  });
  help->addSeparator();
  help->addAction(tr("&About Aha Studio"), this, [this] {
    QMessageBox::about(this, tr("About Aha Studio"),
                       tr("<h3>Aha Studio %1</h3><p>R1-Zero style reinforcement learning you can watch.</p>"
                          "<p>git revision %2<br>%3</p>")
                           .arg(aha::version(), aha::git_revision(),
                                QString::fromStdString(engineDescription_).toHtmlEscaped()));
  });
}

QString MainWindow::guideHtml() const {
  return tr(
      "<h3>What the dashboard shows</h3>"
      "<p><b>reward</b>: the mean total reward per step, with a band of its spread. <b>accuracy / format</b>: the "
      "share of right answers and of well-formed completions. <b>response length</b>: tokens per completion; R1-Zero "
      "runs lengthen as they learn to reason. <b>aha rate</b>: completions with a reflection; dashed, the real aha "
      "rate (completions with a fix). <b>aha quality</b>: per completion, the share with a reflection that fixed, confirmed, missed or broke a value, or was a ritual (a line each, from 0). <b>KL</b>, "
      "<b>entropy</b>, <b>clip ratio</b>, <b>grad norm</b>, <b>learning rate</b>: the optimiser's health. A faint line "
      "is the raw value, the solid one its smoothing (the slider); a chart with nothing to show says why.</p>"
      "<h3>What an aha is</h3>"
      "<p>A reflection event is a phrase that checks, doubts, plans or restarts (verification, backtracking, subgoal, "
      "backward chaining, restart). Its outcome comes from the answers around it: <b>fix</b> (wrong became right: a "
      "real aha), <b>confirm</b> (right stayed right), <b>break</b> (right became wrong), <b>miss</b> (wrong stayed "
      "wrong), <b>ritual</b> (announced, nothing checked or changed). docs/REFLECTION.md has the rules.</p>"
      "<h3>Traces</h3><p>Click a chart point for that step's traces. Filter by run, steps, reward, behaviour, "
      "outcome or tag; search with words, \"phrases\" and prefix*; number keys tag the selection.</p>");
}

QString MainWindow::shortcutsHtml() const {
  QString rows;
  auto row = [&](const QString& keys, const QString& what) { rows += "<tr><td><b>" + keys + "</b></td><td>" + what + "</td></tr>"; };
  row(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N).toString(QKeySequence::NativeText), tr("New run"));
  row(QKeySequence(Qt::CTRL | Qt::Key_P).toString(QKeySequence::NativeText), tr("Pause"));
  row(QKeySequence(Qt::CTRL | Qt::Key_R).toString(QKeySequence::NativeText), tr("Resume"));
  row(QKeySequence(Qt::CTRL | Qt::Key_Period).toString(QKeySequence::NativeText), tr("Stop at the next step"));
  row(QKeySequence(Qt::CTRL | Qt::Key_1).toString(QKeySequence::NativeText) + " / " +
          QKeySequence(Qt::CTRL | Qt::Key_2).toString(QKeySequence::NativeText),
      tr("Dashboard / Traces"));
  row(QKeySequence(Qt::CTRL | Qt::Key_3).toString(QKeySequence::NativeText),
      tr("Reward against entropy of the selected run (its fit and predicted ceiling)"));
  row(QKeySequence(QKeySequence::Find).toString(QKeySequence::NativeText), tr("Search the traces"));
  row(QKeySequence(Qt::CTRL | Qt::Key_K).toString(QKeySequence::NativeText),
      tr("pass@k of the selected run's base model and checkpoints"));
  row("Alt+C", tr("Colour the trace by entropy, log-probability or advantage; click a token for its alternatives"));
  row(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E).toString(QKeySequence::NativeText), tr("Export chart"));
  row("F2 / Del / " + QKeySequence(Qt::CTRL | Qt::Key_D).toString(QKeySequence::NativeText),
      tr("Rename, delete, duplicate the selected run (runs panel)"));
  row("1 … 9", tr("Tag the selected traces with the tag of that number (traces)"));
  row(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L).toString(QKeySequence::NativeText), tr("Clear trace filters"));
  return "<table cellspacing='6'>" + rows + "</table>";
}

bool MainWindow::openDatabase(const QString& path, bool quiet) {
  try {
    QDir().mkpath(QFileInfo(path).absolutePath());
    auto reader = std::make_shared<db::RunReader>(path.toStdString(), db::Access::Create);
    reader_ = reader;
    dbPath_ = path;
  } catch (const std::exception& e) {
    if (!quiet) QMessageBox::warning(this, tr("Cannot open database"), QString::fromStdString(e.what()));
    return false;
  }
  dashboard_->setReader(reader_);
  traces_->setDatabase(path);
  setWindowTitle(tr("Aha Studio — %1").arg(QFileInfo(path).fileName()));
  QSettings().setValue("database/last", path);
  addRecent(path);
  reloadRuns();
  updateActions();
  return true;
}

bool MainWindow::showsWelcome() const { return dashboardStack_->currentWidget() == welcome_; }

void MainWindow::exportCharts(const QStringList& metrics) {
  if (dbPath_.isEmpty()) return;
  QStringList visible;
  for (auto* item : runItems())
    if (item->checkState(ColName) == Qt::Checked) visible << item->text(ColName);
  ExportDialog dialog(dbPath_, visible, metrics, dashboard_->smoothing(), this);
  dialog.exec();
}

void MainWindow::followRun(const FollowRequest& request) {
  stopFollowing();
  followThread_ = new QThread(this);
  follower_ = new FollowWorker(request);
  follower_->moveToThread(followThread_);
  connect(followThread_, &QThread::started, follower_, &FollowWorker::start);
  connect(followThread_, &QThread::finished, follower_, &QObject::deleteLater);
  connect(follower_, &FollowWorker::stepsStored, this, [this](const QString& run, qint64 last) {
    statusBar()->showMessage(tr("%1: stored up to step %2").arg(run).arg(last), 5000);
    pollDatabase();
    dashboard_->refresh();
  });
  connect(follower_, &FollowWorker::message, this, [this](const QString& m) {
    spdlog::warn("{}", m.toStdString());
    statusBar()->showMessage(m, 10000);
  });
  followThread_->start();
  stopFollowing_->setEnabled(true);
  statusBar()->showMessage(tr("Following %1 into run '%2'").arg(request.directory, request.runName), 5000);
}

void MainWindow::stopFollowing() {
  if (!followThread_) return;
  QMetaObject::invokeMethod(follower_, &FollowWorker::stop, Qt::BlockingQueuedConnection);
  followThread_->quit();
  followThread_->wait();
  followThread_->deleteLater();
  followThread_ = nullptr;
  follower_ = nullptr;
  if (stopFollowing_) stopFollowing_->setEnabled(false);
}

void MainWindow::startRun(const QString& configToml) {
  if (dbPath_.isEmpty() && !openDatabase(defaultDatabasePath())) return;
  controller_->start(configToml, dbPath_);
  dashboardStack_->setCurrentWidget(dashboard_);
  views_->setCurrentWidget(dashboardStack_);
  updateActions();
}

void MainWindow::onStep(const StepInfo& s) {
  progress_->setText(tr("%1: step %2/%3 · reward %4 · %5 tok/s · ETA %6")
                         .arg(s.run)
                         .arg(s.step)
                         .arg(s.total)
                         .arg(s.reward, 0, 'f', 3)
                         .arg(s.tokensPerSecond, 0, 'f', 0)
                         .arg(clockText(s.etaSeconds)) +
                     (s.gpuMemoryBytes >= 0 ? tr(" · GPU %1 GB").arg(s.gpuMemoryBytes / 1e9, 0, 'f', 1) : QString()));
  for (auto* item : runItems())
    if (item->text(ColName) == s.run) item->setText(ColSteps, stepsText(s.step, s.total));
  dashboard_->refresh();
}

void MainWindow::onStatus(const QString& run, const QString& status, const QString& message) {
  // Every change of a run's state in the log, with its time: started, paused, resumed,
  // stopped, finished, failed.
  const QString said = status == "running" && lastStatus_.value(run) == "paused" ? tr("resumed") : status;
  lastStatus_[run] = status;
  const QString who = run.isEmpty() ? tr("sweep") : tr("run '%1'").arg(run);  // a sweep that could not start
  log_->appendPlainText(QTime::currentTime().toString("HH:mm:ss") + "  " + tr("%1: %2").arg(who, said) +
                        (message.isEmpty() ? QString() : " (" + message + ")"));
  if (status == "running") {
    // A new run appears in the panel as soon as it exists in the database.
    bool known = false;
    for (auto* item : runItems()) known |= item->text(ColName) == run;
    if (!known) reloadRuns();
  }
  for (auto* item : runItems())
    if (item->text(ColName) == run) item->setText(ColStatus, status);
  updateSweepRows();
  if (status == "failed") {
    statusBar()->showMessage(tr("%1 failed: %2").arg(run.isEmpty() ? tr("The sweep") : tr("Run %1").arg(run), message));
    if (isVisible()) QMessageBox::warning(this, tr("Run failed"), message);
  } else if (status != "running") {
    progress_->setText(tr("%1: %2").arg(run, status));
  }
  updateActions();
}

void MainWindow::updateActions() {
  if (!stop_) return;  // before the menus exist
  const bool busy = controller_->busy();
  pause_->setEnabled(busy && !controller_->paused());
  resume_->setEnabled(busy && controller_->paused());
  stop_->setEnabled(busy);
  const bool selected = currentRunId() != 0;
  resumeRun_->setEnabled(selected && !busy);
  for (auto* a : {probeRun_, gainRun_, controlsRun_}) a->setEnabled(selected);
}

bool MainWindow::trainControls(qint64 runId) {
  const auto summary = runId && reader_ ? reader_->run(runId) : std::nullopt;
  if (!summary) {
    statusBar()->showMessage(tr("Select a run first: its config is trained with each control reward"), 5000);
    return false;
  }
  const QString name = QString::fromStdString(summary->name);
  try {
    const QDir dir(dataDirectory() + "/sweeps");
    if (!dir.mkpath(".")) throw std::runtime_error("cannot create the folder '" + dir.path().toStdString() + "'");
    const QString base = dir.filePath(name + "-controls-base.toml");
    QSaveFile file(base);
    if (!file.open(QIODevice::WriteOnly) || file.write(QByteArray::fromStdString(summary->config_toml)) < 0 ||
        !file.commit())
      throw std::runtime_error("cannot write '" + base.toStdString() + "': " + file.errorString().toStdString());
    const auto spec = with_controls(sweep_of_file(base.toStdString()));
    const size_t members = sweep_members(spec).size();
    controller_->startSweep(QString::fromStdString(spec.to_toml()), dir.path(), dbPath_);
    statusBar()->showMessage(tr("Training %1: %2 runs (the truth and each control reward, seed %3); "
                                "then Run > Is the Gain Real?")
                                 .arg(QString::fromStdString(spec.name))
                                 .arg(members)
                                 .arg(summary->seed));
  } catch (const std::exception& e) {
    QMessageBox::warning(this, tr("Train Controls of %1").arg(name), QString::fromStdString(e.what()));
    return false;
  }
  dashboardStack_->setCurrentWidget(dashboard_);
  views_->setCurrentWidget(dashboardStack_);
  updateActions();
  return true;
}

void MainWindow::addRecent(const QString& path) {
  QSettings settings;
  QStringList recent = settings.value("database/recent").toStringList();
  recent.removeAll(path);
  recent.prepend(path);
  while (recent.size() > 8) recent.removeLast();
  settings.setValue("database/recent", recent);
  rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu() {
  recentMenu_->clear();
  for (const QString& path : QSettings().value("database/recent").toStringList())
    recentMenu_->addAction(path, this, [this, path] { openDatabase(path); });
  recentMenu_->setEnabled(!recentMenu_->isEmpty());
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (controller_->busy()) {
    const auto answer = QMessageBox::question(
        this, tr("A run is training"),
        tr("Run %1 is training. Stop it at the end of the current step and quit?").arg(controller_->activeRun()));
    if (answer != QMessageBox::Yes) {
      event->ignore();
      return;
    }
    statusBar()->showMessage(tr("Stopping at the end of the current step..."));
    controller_->shutdown();
  }
  QSettings settings;
  settings.setValue("window/geometry", saveGeometry());
  settings.setValue("window/state", saveState());
  settings.setValue("dashboard/smoothing", smoothing_->value());
  event->accept();
}

}  // namespace aha::ui
