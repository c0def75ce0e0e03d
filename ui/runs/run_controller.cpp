#include "ui/runs/run_controller.h"

namespace aha::ui {

RunController::RunController(Engine engine, QObject* parent) : QObject(parent) {
  worker_ = new RunWorker(std::move(engine));
  worker_->moveToThread(&thread_);
  connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
  connect(worker_, &RunWorker::stepFinished, this, &RunController::stepFinished, Qt::QueuedConnection);
  connect(worker_, &RunWorker::statusChanged, this,
          [this](const QString& run, const QString& status, const QString& message) {
            if (status == "running") {
              activeRun_ = run;
              starting_ = false;
              paused_ = false;
            }
            if (status == "paused") paused_ = true;
            emit statusChanged(run, status, message);
          },
          Qt::QueuedConnection);
  connect(worker_, &RunWorker::jobEnded, this,
          [this](const QString&) {
            activeRun_.clear();
            starting_ = false;
            paused_ = false;
            launchNext();
            if (!busy()) emit idle();
          },
          Qt::QueuedConnection);
  thread_.setObjectName("training");
  thread_.start();
}

RunController::~RunController() { shutdown(); }

void RunController::start(const QString& configToml, const QString& dbPath, bool resume) {
  queue_.enqueue({configToml, dbPath, resume, {}});
  if (!busy()) launchNext();
}

void RunController::startSweep(const QString& sweepToml, const QString& dir, const QString& dbPath) {
  queue_.enqueue({sweepToml, dbPath, false, dir});
  if (!busy()) launchNext();
}

void RunController::launchNext() {
  if (queue_.isEmpty()) return;
  const Pending p = queue_.dequeue();
  starting_ = true;
  if (!p.sweepDir.isEmpty())
    QMetaObject::invokeMethod(worker_, "runSweep", Qt::QueuedConnection, Q_ARG(QString, p.config),
                              Q_ARG(QString, p.sweepDir), Q_ARG(QString, p.db));
  else
    QMetaObject::invokeMethod(worker_, "run", Qt::QueuedConnection, Q_ARG(QString, p.config), Q_ARG(QString, p.db),
                              Q_ARG(bool, p.resume));
}

void RunController::pause() { worker_->pause(); }
void RunController::resume() {
  worker_->resume();
  paused_ = false;
}
void RunController::stop() { worker_->stop(); }

void RunController::shutdown() {
  if (!thread_.isRunning()) return;
  queue_.clear();
  worker_->stop();
  worker_->resume();  // a paused job must wake up to stop
  thread_.quit();
  thread_.wait();
}

}  // namespace aha::ui
