#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTimer>

#include <array>
#include <QDockWidget>
#include <QApplication>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QTableWidget>
#include <QStatusBar>
#include <QTreeWidget>
#include <qcustomplot.h>

#include <filesystem>
#include <fstream>

#include "core/rl/pretrain.h"
#include "core/rl/torch_engine.h"
#include "core/run/run_config.h"
#include "tests/ui/ui_tests.h"
#include "ui/charts/dashboard.h"
#include "ui/window/main_window.h"
#include "ui/runs/new_sweep_dialog.h"
#include "ui/probes/gain_dialog.h"
#include "ui/runs/run_controller.h"
#include "ui/window/welcome_panel.h"
#include "db/run_reader.h"
#include "db/run_store.h"

namespace {
QTemporaryDir& scratch() {
  static QTemporaryDir dir;
  return dir;
}

QString runToml(const QString& model, const QString& name, int steps) {
  aha::RunConfig c;
  c.name = name.toStdString();
  c.model = model.toStdString();
  c.device = "cpu";
  c.max_steps = steps;
  c.threads = 1;
  c.task.min_terms = c.task.max_terms = 2;
  c.task.min_value = 0;
  c.task.max_value = 4;
  c.num_generations = 4;
  c.per_device_train_batch_size = 16;
  c.max_completion_length = 24;
  c.save_steps = 1000;
  return QString::fromStdString(c.to_toml());
}
}  // namespace

namespace {
// The window's action whose text (without "&") starts with `text`.
QAction* action(const aha::ui::MainWindow& w, const QString& text) {
  for (auto* a : w.findChildren<QAction*>())
    if (a->text().remove('&').startsWith(text)) return a;
  qFatal("no action '%s'", qPrintable(text));
}
}  // namespace

void MainWindowTest::initTestCase() {
  QStandardPaths::setTestModeEnabled(true);
  const QString cfg = scratch().filePath("pretrain.toml");
  std::ofstream(cfg.toStdString()) << "[model]\nhidden_size = 32\nintermediate_size = 64\nnum_hidden_layers = 1\n"
                                      "num_attention_heads = 2\nnum_key_value_heads = 1\n[task]\nmin_terms = 2\n"
                                      "max_terms = 2\nmin_value = 0\nmax_value = 4\n[train]\niterations = 60\n"
                                      "batch_size = 16\nthreads = 1\neval_samples = 0\n";
  base_ = scratch().filePath("base");
  aha::pretrain(aha::PretrainConfig::load(cfg.toStdString()), cfg.toStdString(), base_.toStdString(),
                [](const aha::PretrainProgress&) {});
}

void MainWindowTest::constructsWithPanels() {
  aha::ui::MainWindow w(aha::torch_engine());
  w.show();
  QVERIFY(QTest::qWaitForWindowExposed(&w));
  QVERIFY(w.runsPanel() != nullptr);
  QCOMPARE(w.dashboard()->charts().size(), 11);  // the aha quality beside the aha rate, the token lens
  QCOMPARE(w.findChildren<QDockWidget*>().size(), 2);
  // A closed panel comes back from the View menu.
  QMenu* view = nullptr;
  for (auto* a : w.menuBar()->actions())
    if (a->text() == "&View") view = a->menu();
  QVERIFY(view);
  for (auto* dock : w.findChildren<QDockWidget*>()) {
    dock->close();
    QVERIFY(view->actions().contains(dock->toggleViewAction()));
    dock->toggleViewAction()->trigger();
    QVERIFY(dock->isVisible());
  }
  // Help: the guide, the shortcuts and the way back to the welcome panel.
  QStringList help;
  for (auto* a : w.menuBar()->actions())
    if (a->text() == "&Help")
      for (auto* h : a->menu()->actions()) help << h->text();
  QVERIFY2(help.contains("&Guide") && help.contains("&Keyboard Shortcuts") && help.contains("Show &Welcome Panel"),
           qPrintable(help.join(", ")));
  QVERIFY(w.windowTitle().contains("Aha Studio"));
  // The first start fills a small screen and most of a large one.
  QCOMPARE(aha::ui::MainWindow::defaultSize({1280, 770}), QSize(1280, 770));
  QCOMPARE(aha::ui::MainWindow::defaultSize({1920, 1050}), QSize(1632, 900));
  QCOMPARE(aha::ui::MainWindow::defaultSize({2560, 1400}), QSize(2176, 1190));
  // It fits a 1280x800 screen (its status bar and log on it): the charts scroll instead.
  const QSize least = w.minimumSizeHint().expandedTo(w.minimumSize());
  QVERIFY2(least.width() <= 1280 - 80 && least.height() <= 800 - 30,  // (fonts differ: room to spare)
           qPrintable(QString("the window needs at least %1x%2").arg(least.width()).arg(least.height())));
  // A sweep's long run names do not widen it (the trace filter's run list grew to its
  // longest name: 1312 px with the spurious-rewards sweep).
  const QString names = scratch().filePath("long-names.db");
  {
    aha::db::RunStore store(names.toStdString());
    aha::RunInfo info;
    info.name = "spurious-rewards-incorrect_label-controls-with-a-long-name-s3";
    store.begin_run(info, false);
  }
  aha::ui::MainWindow opened(aha::torch_engine());
  QVERIFY(opened.openDatabase(names, false));  // before it is first shown, as at a start
  opened.show();
  QVERIFY(QTest::qWaitForWindowExposed(&opened));
  const QSize wide = opened.minimumSizeHint().expandedTo(opened.minimumSize());
  QVERIFY2(wide.width() <= least.width(), qPrintable(QString("%1 against %2").arg(wide.width()).arg(least.width())));
}

void MainWindowTest::smoothingKeepsItsValue() {
  // Untouched, the smoothing is 0.60 on every launch. Keys meant for the page (Tab through
  // the window, arrows, Page Down) never reach the slider unless it was clicked: Tab gave it
  // the focus, and a Page Down there moved it a page (0.10), saved for every later launch.
  QSettings().remove("dashboard/smoothing");
  for (int launch = 0; launch < 2; ++launch) {
    aha::ui::MainWindow w(aha::torch_engine());
    w.show();
    w.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&w));
    auto* slider = w.findChild<QSlider*>();
    QVERIFY(slider);
    QCOMPARE(slider->value(), 60);
    for (int k = 0; k < 12; ++k) {
      QVERIFY(QApplication::focusWidget() != slider);
      QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
    }
    QCOMPARE(slider->value(), 60);
    w.close();
  }
}

void MainWindowTest::emptyDatabaseShowsHint() {
  aha::ui::MainWindow w(aha::torch_engine());
  QVERIFY(w.openDatabase(scratch().filePath("empty.db"), true));
  QCOMPARE(w.runsPanel()->topLevelItemCount(), 0);
  QVERIFY(w.statusBar()->currentMessage().contains("New Run"));
  // First run: the welcome panel explains the demo and starts it with one button.
  QVERIFY(w.showsWelcome());
  QVERIFY(w.welcomePanel()->startButton()->isEnabled());
  QVERIFY(aha::ui::WelcomePanel::demoPresetToml().contains("demo-arithmetic"));
  // Nothing to resume or probe: those actions wait for a selected run. View has one
  // "Dashboard" (the tab), the toolbar has a name of its own.
  QVERIFY(!action(w, "Resume Selected Run")->isEnabled());
  QVERIFY(!action(w, "Probe pass@")->isEnabled());
  int dashboards = 0;
  for (auto* menu : w.menuBar()->actions())
    if (menu->text().remove('&') == "View")
      for (auto* a : menu->menu()->actions()) dashboards += a->text().remove('&') == "Dashboard";
  QCOMPARE(dashboards, 1);
  if (qEnvironmentVariableIsSet("AHA_SCREENSHOTS")) {
    w.resize(1400, 900);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.grab().save(qEnvironmentVariable("AHA_SCREENSHOTS") + "/first-run.png");
  }
  QVERIFY(!w.openDatabase("/proc/not/a/place/x.db", true));
  QCOMPARE(w.databasePath(), scratch().filePath("empty.db"));
}

void MainWindowTest::startPauseResumeStop() {
  aha::ui::MainWindow w(aha::torch_engine());
  w.show();
  w.activateWindow();
  QVERIFY(QTest::qWaitForWindowActive(&w));
  QVERIFY(w.openDatabase(scratch().filePath("live.db"), true));
  auto* ctl = w.controller();
  QSignalSpy steps(ctl, &aha::ui::RunController::stepFinished);
  QSignalSpy statuses(ctl, &aha::ui::RunController::statusChanged);
  w.startRun(runToml(base_, "live", 200));
  QVERIFY(ctl->busy());
  QTRY_VERIFY_WITH_TIMEOUT(steps.count() >= 2, 60000);
  // The run appears in the panel and the dashboard has its points.
  QCOMPARE(w.runsPanel()->topLevelItemCount(), 1);
  QVERIFY(w.progressLabel()->text().contains("live: step"));
  QTRY_VERIFY(w.dashboard()->values(1, "reward").size() >= 2);

  if (qEnvironmentVariableIsSet("AHA_SCREENSHOTS")) {
    QTest::qWait(2500);
    w.grab().save(qEnvironmentVariable("AHA_SCREENSHOTS") + "/main-window-live.png");
  }
  QTest::keySequence(&w, QKeySequence(Qt::CTRL | Qt::Key_P));  // pause
  QTRY_VERIFY_WITH_TIMEOUT(ctl->paused(), 30000);
  const int at_pause = steps.count();
  QTest::qWait(500);
  QCOMPARE(steps.count(), at_pause);
  QCOMPARE(w.runsPanel()->topLevelItem(0)->text(1), QString("paused"));

  QTest::keySequence(&w, QKeySequence(Qt::CTRL | Qt::Key_R));  // resume
  QTRY_VERIFY_WITH_TIMEOUT(steps.count() >= at_pause + 2, 30000);
  QTest::keySequence(&w, QKeySequence(Qt::CTRL | Qt::Key_Period));  // stop
  QTRY_VERIFY_WITH_TIMEOUT(!ctl->busy(), 30000);
  QCOMPARE(statuses.last().at(1).toString(), QString("stopped"));
  QCOMPARE(w.runsPanel()->topLevelItem(0)->text(1), QString("stopped"));
  const int at_stop = steps.count();
  QTest::qWait(300);
  QCOMPARE(steps.count(), at_stop);
  // The log keeps what happened to the run, in order.
  const QString log = w.findChild<QPlainTextEdit*>("log")->toPlainText();
  const qsizetype paused = log.indexOf("run 'live': paused"), resumed = log.indexOf("run 'live': resumed"),
                  stopped = log.indexOf("run 'live': stopped");
  QVERIFY2(log.contains("run 'live': running") && paused >= 0 && resumed > paused && stopped > resumed, qPrintable(log));
}

void MainWindowTest::chartClickRequestsTraces() {
  aha::ui::MainWindow w(aha::torch_engine());
  w.resize(1200, 800);
  w.show();
  QVERIFY(QTest::qWaitForWindowExposed(&w));
  QVERIFY(w.openDatabase(scratch().filePath("click.db"), true));
  QSignalSpy steps(w.controller(), &aha::ui::RunController::stepFinished);
  w.startRun(runToml(base_, "click", 3));
  QTRY_VERIFY_WITH_TIMEOUT(!w.controller()->busy() && steps.count() == 3, 60000);
  w.dashboard()->refresh();
  QCustomPlot* plot = w.dashboard()->charts().at(0);
  plot->replot();
  // A chart with nothing to show says why in lines its plot holds (the KL of a run
  // without a reference model).
  QCustomPlot* kl = w.dashboard()->chartOf("kl");
  QCPItemText* note = nullptr;
  for (int i = 0; i < kl->itemCount(); ++i)
    if (kl->item(i)->property("role") == "empty-note") note = qobject_cast<QCPItemText*>(kl->item(i));
  QVERIFY(note);
  int widest = 0;
  for (const auto& line : note->text().split('\n')) widest = std::max(widest, QFontMetrics(note->font()).horizontalAdvance(line));
  QVERIFY2(widest <= kl->axisRect()->width(),
           qPrintable(QString("'%1' is %2 px in a %3 px chart").arg(note->text()).arg(widest).arg(kl->axisRect()->width())));
  // The smoothed reward line of step 2 (steps count from 1).
  QCPGraph* line = nullptr;
  for (int i = 0; i < plot->graphCount(); ++i)
    if (plot->graph(i)->property("role").toString() == "smooth") line = plot->graph(i);
  QVERIFY(line);
  QCOMPARE(line->data()->size(), 3);
  const auto point = line->data()->at(1);
  const QPoint pixel(int(line->keyAxis()->coordToPixel(point->key)), int(line->valueAxis()->coordToPixel(point->value)));
  QSignalSpy traces(&w, &aha::ui::MainWindow::tracesRequested);
  QTest::mouseClick(plot, Qt::LeftButton, Qt::NoModifier, pixel);
  QTRY_COMPARE(traces.count(), 1);
  QCOMPARE(traces.at(0).at(1).toLongLong(), qint64(2));
  // Anywhere in the step's column, as the hover shows it: no pixel precision needed.
  const QPoint column(pixel.x() + 3, plot->axisRect()->top() + 5);
  QVERIFY(w.dashboard()->hoverText(plot, column).contains("step 2<br>"));
  // Every chart with points reads them out on hover (step, run, value).
  int charts = 0;
  for (QCustomPlot* chart : w.dashboard()->charts()) {
    chart->replot();
    for (int g = 0; g < chart->graphCount(); ++g) {
      const QCPGraph* raw = chart->graph(g);
      if (raw->property("role") != "raw" || raw->data()->isEmpty()) continue;
      const auto p = raw->data()->at(raw->data()->size() - 1);
      const QPoint at(int(chart->xAxis->coordToPixel(p->key)), int(chart->yAxis->coordToPixel(p->value)));
      const QString tip = w.dashboard()->hoverText(chart, at);
      QVERIFY2(tip.contains("step 3<br>") && tip.contains("click:"), qPrintable(chart->objectName() + ": " + tip));
      ++charts;
      break;
    }
  }
  QVERIFY2(charts >= 8, qPrintable(QString::number(charts)));
  QTest::mouseClick(plot, Qt::LeftButton, Qt::NoModifier, column);
  QTRY_COMPARE(traces.count(), 2);
  QCOMPARE(traces.at(1).at(1).toLongLong(), qint64(2));
}

void MainWindowTest::followedRunAppearsBesideLocal() {
  // A veRL job's rollout dumps, followed into the database that holds the local run.
  QTemporaryDir rollouts;
  for (int step = 1; step <= 6; ++step) {
    QFile f(rollouts.filePath(QString("%1.jsonl").arg(step)));
    QVERIFY(f.open(QIODevice::WriteOnly));
    for (int i = 0; i < 16; ++i) {
      const bool right = (i + step) % 3 != 0;
      const QString out = QString("12+%1=%2. %3</think><answer>%2</answer>")
                              .arg(i).arg(12 + i).arg(step > 3 && i % 2 ? "Wait, let me check: 2+" + QString::number(i % 10) + "." : "");
      f.write(QJsonDocument(QJsonObject{{"input", QString("<|im_start|>user\\n12+%1=?<|im_end|>\\n<think>").arg(i / 4)},
                                        {"output", out}, {"score", right ? 1.0 : 0.0}, {"step", step},
                                        {"gts", QString::number(12 + i)}})
                  .toJson(QJsonDocument::Compact) + "\n");
    }
  }
  aha::ui::MainWindow w(aha::torch_engine());
  w.resize(1400, 900);
  w.show();
  QVERIFY(w.openDatabase(scratch().filePath("live.db"), true));
  const int before = w.runsPanel()->topLevelItemCount();
  QVERIFY(before >= 1);  // the local run of startPauseResumeStop
  w.followRun({"verl", rollouts.path(), w.databasePath(), "verl-followed"});
  QTRY_COMPARE_WITH_TIMEOUT(w.runsPanel()->topLevelItemCount(), before + 1, 20000);
  QTRY_COMPARE_WITH_TIMEOUT(w.runsPanel()->topLevelItem(before)->text(2), QString("step 6"), 20000);
  QCOMPARE(w.runsPanel()->topLevelItem(before)->text(1), QString("running"));
  if (qEnvironmentVariableIsSet("AHA_SCREENSHOTS")) {
    for (int i = 0; i < w.runsPanel()->topLevelItemCount(); ++i)
      w.runsPanel()->topLevelItem(i)->setCheckState(0, Qt::Checked);
    QTest::qWait(1500);
    w.grab().save(qEnvironmentVariable("AHA_SCREENSHOTS") + "/imported-beside-local.png");
  }
  w.stopFollowing();
  QTRY_COMPARE_WITH_TIMEOUT(w.runsPanel()->topLevelItem(before)->text(1), QString("stopped"), 10000);
}

void MainWindowTest::runsAreRenamedDeletedAndInterrupted() {
  // Two runs written by a process that is gone: one left "running" (killed), one finished,
  // with a checkpoint folder each.
  const QString db = scratch().filePath("manage.db");
  const std::string root = db.toStdString() + ".checkpoints";
  for (const char* name : {"killed", "done"}) {
    aha::db::RunStore store(db.toStdString());
    aha::RunInfo info;
    info.name = name;
    info.config_toml = std::string("name = \"") + name + "\"\nmax_steps = 5\n";
    store.begin_run(info, false);
    aha::StepRecord step;
    step.step = 0;
    step.metrics = {{"reward", 0.5}};
    store.write_step(step);
    std::filesystem::create_directories(root + "/" + name + "/step-0");
    store.record_checkpoint(0, root + "/" + name + "/step-0");
    store.set_status(std::string(name) == "done" ? aha::RunStatus::Finished : aha::RunStatus::Running);
  }
  aha::ui::MainWindow w(aha::torch_engine());
  QVERIFY(w.openDatabase(db, true));
  auto* runs = w.runsPanel();
  QCOMPARE(runs->topLevelItemCount(), 2);
  QCOMPARE(runs->topLevelItem(0)->text(1), QString("interrupted"));  // its writer is gone: resume it
  QCOMPARE(runs->topLevelItem(1)->text(1), QString("finished"));
  // F2, Ctrl+D and Delete on the panel.
  QStringList keys;
  for (auto* a : runs->actions()) keys << a->shortcut().toString();
  QVERIFY2(keys.contains("F2") && keys.contains("Del") && keys.contains("Ctrl+D"), qPrintable(keys.join(", ")));

  // Rename: the rows, the stored config and the checkpoint folder follow.
  const qint64 done = runs->topLevelItem(1)->data(0, Qt::UserRole).toLongLong();
  QVERIFY(w.renameRun(done, "finished-run"));
  QCOMPARE(runs->topLevelItem(1)->text(0), QString("finished-run"));
  QVERIFY(std::filesystem::exists(root + "/finished-run/step-0") && !std::filesystem::exists(root + "/done"));
  aha::db::RunReader reader(db.toStdString());
  QVERIFY(reader.require_run("finished-run").config_toml.find("name = \"finished-run\"") != std::string::npos);
  // A taken name is refused with a message, nothing changes.
  QTimer::singleShot(200, [] {
    if (auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget())) box->accept();
  });
  QVERIFY(!w.renameRun(done, "killed"));
  QCOMPARE(runs->topLevelItem(1)->text(0), QString("finished-run"));

  // Delete asks first: Cancel keeps the run, Yes removes it and its checkpoints.
  auto answer = [](QMessageBox::StandardButton b) {
    QTimer::singleShot(200, [b] {
      if (auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget())) box->button(b)->click();
    });
  };
  answer(QMessageBox::Cancel);
  w.deleteRunAsked(done);
  QCOMPARE(runs->topLevelItemCount(), 2);
  answer(QMessageBox::Yes);
  w.deleteRunAsked(done);
  QCOMPARE(runs->topLevelItemCount(), 1);
  QCOMPARE(runs->topLevelItem(0)->text(0), QString("killed"));
  QVERIFY(!std::filesystem::exists(root + "/finished-run"));
  QCOMPARE(reader.connection().scalar_int("SELECT count(*) FROM metrics WHERE run_id = " + std::to_string(done)),
           int64_t(0));
}

void MainWindowTest::sweepMembersFoldUnderTheirSweep() {
  // A run of its own, then two members of sweep "abl", written in that order.
  const QString db = scratch().filePath("sweep.db");
  for (const char* name : {"alone", "abl-grpo-s1", "abl-grpo-s2"}) {
    aha::db::RunStore store(db.toStdString());
    aha::RunInfo info;
    info.name = name;
    info.total_steps = 1;
    if (std::string(name) != "alone") {
      info.sweep = "abl";
      info.sweep_values = std::string("{\"loss_type\":\"grpo\",\"seed\":") + name[10] + "}";
    }
    store.begin_run(info, false);
    aha::StepRecord step;
    step.step = 0;
    step.metrics = {{"reward", 0.5}};
    store.write_step(step);
    store.set_status(aha::RunStatus::Finished);
  }
  aha::ui::MainWindow w(aha::torch_engine());
  QVERIFY(w.openDatabase(db, true));
  auto* runs = w.runsPanel();
  QCOMPARE(runs->topLevelItemCount(), 2);
  auto* sweep = runs->topLevelItem(1);
  runs->setCurrentItem(runs->topLevelItem(0));  // a run: it can be resumed and probed
  QVERIFY(action(w, "Resume Selected Run")->isEnabled() && action(w, "Probe pass@")->isEnabled());
  runs->setCurrentItem(sweep);  // a sweep's row is no run
  QVERIFY(!action(w, "Resume Selected Run")->isEnabled() && !action(w, "Probe pass@")->isEnabled());
  QCOMPARE(sweep->text(0), QString("abl (2 runs)"));
  QCOMPARE(sweep->text(1), QString("2/2 done"));
  QCOMPARE(sweep->childCount(), 2);
  QCOMPARE(sweep->child(1)->text(0), QString("abl-grpo-s2"));
  // One check box hides or shows every member on the dashboard.
  const qint64 member = sweep->child(0)->data(0, Qt::UserRole).toLongLong();
  QVERIFY(!w.dashboard()->values(member, "reward").isEmpty());
  sweep->setCheckState(0, Qt::Unchecked);
  QCOMPARE(sweep->child(0)->checkState(0), Qt::Unchecked);
  QVERIFY(w.dashboard()->values(member, "reward").isEmpty());
  sweep->setCheckState(0, Qt::Checked);
  QVERIFY(!w.dashboard()->values(member, "reward").isEmpty());
  // The sweep's row is not a run: Delete on it asks nothing and deletes nothing.
  runs->setCurrentItem(sweep);
  bool asked = false;
  QTimer::singleShot(300, [&asked] {
    if (auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget())) asked = true, box->reject();
  });
  for (auto* a : runs->actions())
    if (a->shortcut() == QKeySequence::Delete) a->trigger();
  QTest::qWait(400);
  QVERIFY(!asked);
  QCOMPARE(aha::db::RunReader(db.toStdString()).runs().size(), size_t(3));
  // Its members stay managed like any run.
  QVERIFY(w.renameRun(member, "abl-grpo-first"));
  QCOMPARE(runs->topLevelItem(1)->child(0)->text(0), QString("abl-grpo-first"));
}

void MainWindowTest::sweepSurvivesReadersBeside() {
  // `aha runs` in a loop from a shell while the studio trains a sweep (issue 39): a reader
  // closing last must not end the WAL under the studio; every member finishes. 150 steps a
  // member: long enough for many readers (at 40 the packed update finished it after 5).
  std::ofstream(scratch().filePath("busy-base.toml").toStdString()) << runToml(base_, "bb", 150).toStdString();
  const QString sweep = "name = \"busy\"\nbase = \"busy-base.toml\"\nseeds = [1, 2]\n[grid]\nloss_type = [\"grpo\", \"bnpo\"]\n";
  const QString db = scratch().filePath("busy-sweep.db");
  aha::ui::MainWindow w(aha::torch_engine());
  QVERIFY(w.openDatabase(db, true));
  auto* ctl = w.controller();
  QSignalSpy statuses(ctl, &aha::ui::RunController::statusChanged);
  // Three shells at once (a start of `aha` loads libtorch: a second or so each).
  int readers = 0, failed_readers = 0;
  std::array<QProcess, 3> shells;
  std::array<bool, 3> started{};
  QTimer loop;
  loop.setInterval(50);
  QObject::connect(&loop, &QTimer::timeout, [&] {
    for (size_t k = 0; k < shells.size(); ++k) {
      auto& reader = shells[k];
      if (reader.state() != QProcess::NotRunning) continue;
      if (started[k] && (reader.exitStatus() != QProcess::NormalExit || reader.exitCode() != 0)) ++failed_readers;
      started[k] = true;
      ++readers;
      reader.start(AHA_CLI_BIN, {"runs", "--db", db});
    }
  });
  loop.start();
  ctl->startSweep(sweep, scratch().path(), db);
  QTRY_VERIFY_WITH_TIMEOUT(statuses.count() > 0 && !ctl->busy(), 240000);
  loop.stop();
  for (auto& reader : shells) reader.waitForFinished();
  QStringList finished, failed;
  for (const auto& s : statuses) {
    if (s.at(1).toString() == "finished") finished << s.at(0).toString();
    if (s.at(1).toString() == "failed") failed << s.at(0).toString() + ": " + s.at(2).toString();
  }
  qInfo("%d `aha runs` beside the sweep (%d failed)", readers, failed_readers);
  QVERIFY2(failed.isEmpty(), qPrintable(failed.join("; ")));
  QCOMPARE(finished.size(), 4);
  QVERIFY(readers >= 6);
  QCOMPARE(failed_readers, 0);
  // A new run after it opens the database as well (the studio still has its WAL).
  QVERIFY(w.openDatabase(db, true));
}

void MainWindowTest::sweepTrainsFromTheStudio() {
  std::ofstream(scratch().filePath("sweep-base.toml").toStdString()) << runToml(base_, "b", 2).toStdString();
  const QString sweep = "name = \"st\"\nbase = \"sweep-base.toml\"\nseeds = [1]\n[grid]\nloss_type = [\"grpo\", \"bnpo\"]\n";
  const QString db = scratch().filePath("studio-sweep.db");
  aha::ui::MainWindow w(aha::torch_engine());
  QVERIFY(w.openDatabase(db, true));
  auto* ctl = w.controller();
  QSignalSpy statuses(ctl, &aha::ui::RunController::statusChanged);
  // The sweep row's count as each member's status arrives (after the window has shown it):
  // of all the sweep's members, not of those stored so far.
  QStringList counts;
  connect(ctl, &aha::ui::RunController::statusChanged, &w, [&](const QString&, const QString& status) {
    auto* row = w.runsPanel()->topLevelItem(0);
    if (status == "finished" && row) counts << row->text(0) + " " + row->text(1);
  });
  ctl->startSweep(sweep, scratch().path(), db);
  QTRY_VERIFY_WITH_TIMEOUT(statuses.count() > 0 && !ctl->busy(), 120000);
  QStringList finished;
  for (const auto& s : statuses)
    if (s.at(1).toString() == "finished") finished << s.at(0).toString();
  QCOMPARE(finished, QStringList({"st-grpo-s1", "st-bnpo-s1"}));
  QCOMPARE(counts, QStringList({"st (2 runs) 1/2 done", "st (2 runs) 2/2 done"}));
  auto* runs = w.runsPanel();
  QCOMPARE(runs->topLevelItemCount(), 1);
  QCOMPARE(runs->topLevelItem(0)->childCount(), 2);

  // The dialog lists what a sweep would train against this database.
  // (Text typed in the dialog finds its base beside the built-in sweeps: this one gives it absolute.)
  aha::ui::NewSweepDialog dialog(db);
  const QString absolute = QString(sweep).replace("\"sweep-base.toml\"", "\"" + scratch().filePath("sweep-base.toml") + "\"");
  dialog.tomlEdit()->setPlainText(absolute);
  QTRY_COMPARE(dialog.memberList()->topLevelItemCount(), 2);
  QCOMPARE(dialog.memberList()->topLevelItem(0)->text(1), QString("finished"));
  QVERIFY(!dialog.startButton()->isEnabled());  // nothing left to train
  dialog.tomlEdit()->setPlainText(QString(absolute).replace("seeds = [1]", "seeds = [1, 2]"));
  QTRY_COMPARE(dialog.memberList()->topLevelItemCount(), 4);
  QCOMPARE(dialog.memberList()->topLevelItem(1)->text(1), QString("new"));
  QVERIFY(dialog.startButton()->isEnabled());
  dialog.tomlEdit()->setPlainText(QString(absolute).replace("\"bnpo\"", "\"ppo\""));
  QTRY_VERIFY(!dialog.errorLabel()->text().isEmpty());
  QVERIFY2(dialog.errorLabel()->text().contains("st-ppo-s1") && dialog.errorLabel()->text().contains("loss_type"),
           qPrintable(dialog.errorLabel()->text()));
  QVERIFY(!dialog.startButton()->isEnabled());
  // The built-in sweeps are offered.
  QVERIFY(dialog.presetBox()->findText("grpo-vs-dr-grpo") >= 0);
}

void MainWindowTest::controlsTrainAndReport() {
  // Run > Train Controls of a stored run: its config with each control reward, its seed;
  // then Is the Gain Real? probes the base once and each run's final weights, and reads
  // the truth against the controls.
  const QString db = scratch().filePath("controls.db");
  aha::ui::MainWindow w(aha::torch_engine());
  QVERIFY(w.openDatabase(db, true));
  auto* ctl = w.controller();
  w.startRun(runToml(base_, "ctl", 2));
  QTRY_VERIFY_WITH_TIMEOUT(!ctl->busy(), 60000);
  QSignalSpy statuses(ctl, &aha::ui::RunController::statusChanged);
  QVERIFY(w.trainControls(1));
  QTRY_VERIFY_WITH_TIMEOUT(statuses.count() > 0 && !ctl->busy(), 120000);
  QStringList finished;
  for (const auto& s : statuses)
    if (s.at(1).toString() == "finished") finished << s.at(0).toString();
  QCOMPARE(finished, QStringList({"ctl-controls-truth-s42", "ctl-controls-random-s42", "ctl-controls-incorrect_label-s42",
                                  "ctl-controls-format_only-s42"}));
  aha::db::RunReader reader(db.toStdString());
  const auto random = aha::RunConfig::from_toml(reader.run_by_name("ctl-controls-random-s42")->config_toml, "m");
  QCOMPARE(random.reward_funcs, (std::vector<std::string>{"random", "format"}));

  aha::ui::GainDialog gain(db, "ctl-controls-truth-s42", aha::torch_engine().probe_pass_at_k);
  gain.problemsBox()->setValue(2);
  gain.samplesBox()->setValue(2);
  gain.start();
  QTRY_VERIFY_WITH_TIMEOUT(!gain.running(), 120000);
  QCOMPARE(gain.table()->rowCount(), 4);
  QCOMPARE(gain.table()->item(0, 0)->text(), QString("truth"));
  QCOMPARE(gain.table()->item(0, 1)->text(), QString("1"));  // one seed
  QCOMPARE(gain.table()->item(0, 3)->text(), QString("one seed"));
  QVERIFY2(gain.unique()->text().contains("5 probes sampled now"), qPrintable(gain.unique()->text()));
  // Computed again: every probe is read from the store.
  gain.start();
  QTRY_VERIFY_WITH_TIMEOUT(!gain.running(), 60000);
  QVERIFY2(gain.unique()->text().contains("0 probes sampled now"), qPrintable(gain.unique()->text()));

  // A run whose reward has no accuracy cannot have controls: a message, nothing trained.
  QTimer::singleShot(0, [] {
    for (auto* box : QApplication::topLevelWidgets())
      if (auto* m = qobject_cast<QMessageBox*>(box)) {
        QVERIFY2(m->text().contains("no accuracy"), qPrintable(m->text()));
        m->accept();
      }
  });
  QVERIFY(!w.trainControls(reader.run_by_name("ctl-controls-random-s42")->id));
  QVERIFY(!ctl->busy());
}
