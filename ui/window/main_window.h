#pragma once
#include <QHash>
#include <QMainWindow>
#include <QPointer>

#include <memory>
#include <string>

#include "core/run/engine.h"
#include "ui/runs/follow_worker.h"

class QDockWidget;
class QLabel;
class QMenu;
class QPlainTextEdit;
class QSlider;
class QStackedWidget;
class QTabWidget;
class QTreeWidget;
class QTreeWidgetItem;

namespace aha::db {
class RunReader;
}
namespace spdlog::sinks {
class sink;
}

namespace aha::ui {

class Dashboard;
class LogBridge;
class NewRunDialog;
class RunController;
class TraceBrowser;
class WelcomePanel;
struct StepInfo;

// The studio's main window: runs panel (left), dashboard (centre), log panel (bottom),
// progress of the active run in the status bar.
class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  // Run management (the runs panel's context menu, F2, Delete): false, with a message
  // box, when the run cannot be renamed.
  bool renameRun(qint64 id, const QString& newName);
  void renameRunAsked(qint64 id);
  void deleteRunAsked(qint64 id);  // asks first
  void duplicateRun(qint64 id);    // the New Run dialog with the run's config
  // `engine` trains the runs started here (rl/torch_engine.h in the studio).
  explicit MainWindow(Engine engine, QWidget* parent = nullptr);
  ~MainWindow() override;

  // Opens (creating if needed) a run database; false with a message box on failure
  // (no box when `quiet`).
  bool openDatabase(const QString& path, bool quiet = false);
  QString databasePath() const { return dbPath_; }
  static QString defaultDatabasePath();
  static QString dataDirectory();  // the user's data directory: default database, logs
  static QSize defaultSize(QSize screen);  // the first start's size on a screen with this room

  QTreeWidget* runsPanel() const { return runs_; }
  Dashboard* dashboard() const { return dashboard_; }
  TraceBrowser* traceBrowser() const { return traces_; }
  WelcomePanel* welcomePanel() const { return welcome_; }
  bool showsWelcome() const;
  QTabWidget* views() const { return views_; }
  RunController* controller() const { return controller_; }
  QLabel* progressLabel() const { return progress_; }
  // Starts a run from TOML (what the New Run dialog does on Start).
  void startRun(const QString& configToml);
  // Stores a veRL/TRL job's new steps as they appear (worker thread); one at a time.
  void followRun(const FollowRequest& request);
  void stopFollowing();
  // The export dialog with the visible runs and these metrics chosen.
  void exportCharts(const QStringList& metrics);
  // Trains the controls form of a stored run (core/run/sweep_controls.h): its config with
  // each control reward in accuracy's place, its seed, as the sweep <run>-controls; the
  // config is written to dataDirectory()/sweeps/ as the sweep's base. False (and a message
  // box) when the run cannot have controls.
  bool trainControls(qint64 runId);

 signals:
  // A click on a chart point: the traces of that run and step.
  void tracesRequested(qint64 runId, qint64 step);

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void buildMenus();
  void reloadRuns();
  void updateSweepRows();  // "2/6 done" from the members' statuses and the sweep's size
  // The runs panel's run rows (a sweep's members sit under a row of the sweep), in order.
  QList<QTreeWidgetItem*> runItems() const;
  qint64 currentRunId() const;  // 0 when no run row is current (none, or a sweep's row)
  // The export dialog on a sweep's members, one line per value of its first grid key.
  void compareSweep(const QString& sweep);
  void showCheckpoints(QTreeWidgetItem* item, qint64 runId);  // folders on disk and their size
  void pollDatabase();
  void onStep(const StepInfo& info);
  void onStatus(const QString& run, const QString& status, const QString& message);
  void updateActions();
  void addRecent(const QString& path);
  void rebuildRecentMenu();

  std::string engineDescription_;
  decltype(Engine::probe_pass_at_k) probePassAtK_;  // the engine's, for Run > Probe pass@k
  QString dbPath_;
  std::shared_ptr<db::RunReader> reader_;
  QTreeWidget* runs_ = nullptr;
  Dashboard* dashboard_ = nullptr;
  TraceBrowser* traces_ = nullptr;
  WelcomePanel* welcome_ = nullptr;
  QStackedWidget* dashboardStack_ = nullptr;
  QTabWidget* views_ = nullptr;
  QPlainTextEdit* log_ = nullptr;
  QLabel* progress_ = nullptr;
  QSlider* smoothing_ = nullptr;
  RunController* controller_ = nullptr;
  QThread* followThread_ = nullptr;
  FollowWorker* follower_ = nullptr;
  QAction* stopFollowing_ = nullptr;
  LogBridge* logBridge_ = nullptr;
  std::shared_ptr<spdlog::sinks::sink> logSink_;
  QMenu* recentMenu_ = nullptr;
  QString runName(qint64 id) const;
  QString guideHtml() const;      // Help > Guide: the charts and the aha outcomes
  QString shortcutsHtml() const;  // Help > Keyboard Shortcuts
  QDockWidget *runsDock_ = nullptr, *logDock_ = nullptr;
  QHash<QString, QString> lastStatus_;  // per run, to log "resumed" after "paused"
  NewRunDialog* newRunDialog_ = nullptr;
  QAction *newRun_ = nullptr, *pause_ = nullptr, *resume_ = nullptr, *stop_ = nullptr, *resumeRun_ = nullptr,
          *probeRun_ = nullptr, *gainRun_ = nullptr, *controlsRun_ = nullptr;
};

}  // namespace aha::ui
