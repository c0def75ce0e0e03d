#pragma once
// One training job at a time on its own thread; further starts wait in a queue.
#include <QObject>
#include <QQueue>
#include <QThread>

#include "core/run/engine.h"
#include "ui/runs/run_worker.h"

namespace aha::ui {

class RunController : public QObject {
  Q_OBJECT
 public:
  explicit RunController(Engine engine, QObject* parent = nullptr);
  ~RunController() override;  // stops the job at its step boundary and joins the thread

  void start(const QString& configToml, const QString& dbPath, bool resume = false);
  // A sweep's members, one after another, as one job of the queue (RunWorker::runSweep).
  void startSweep(const QString& sweepToml, const QString& dir, const QString& dbPath);
  void pause();
  void resume();
  void stop();           // the active job; queued ones stay queued
  bool busy() const { return !activeRun_.isNull() || starting_; }
  bool paused() const { return paused_; }
  QString activeRun() const { return activeRun_; }
  int queued() const { return queue_.size(); }
  // Stops the active job and waits until its thread is idle (window close).
  void shutdown();

 signals:
  void stepFinished(const aha::ui::StepInfo& info);
  void statusChanged(const QString& run, const QString& status, const QString& message);
  void idle();

 private:
  struct Pending {
    QString config, db;
    bool resume;
    QString sweepDir;  // set: `config` is a sweep's TOML
  };
  void launchNext();

  QThread thread_;
  RunWorker* worker_ = nullptr;
  QQueue<Pending> queue_;
  QString activeRun_;
  bool starting_ = false, paused_ = false;
};

}  // namespace aha::ui
