#include "ui/runs/run_worker.h"

#include <spdlog/spdlog.h>

#include "core/run/job.h"
#include "db/run_store.h"

namespace aha::ui {

RunWorker::RunWorker(Engine engine, QObject* parent) : QObject(parent), engine_(std::move(engine)) { qRegisterMetaType<aha::ui::StepInfo>(); }
RunWorker::~RunWorker() = default;

void RunWorker::pause() {
  std::lock_guard lock(mutex_);
  if (job_) job_->pause();
}
void RunWorker::resume() {
  std::lock_guard lock(mutex_);
  if (job_) job_->resume();
}
void RunWorker::stop() {
  std::lock_guard lock(mutex_);
  if (job_) job_->stop();
}

void RunWorker::run(const QString& configToml, const QString& dbPath, bool resume) {
  RunConfig cfg;
  try {
    cfg = RunConfig::from_toml(configToml.toStdString(), "run config");
  } catch (const std::exception& e) {
    emit statusChanged(QString(), "failed", QString::fromStdString(e.what()));
    emit jobEnded(QString());
    return;
  }
  const QString name = QString::fromStdString(cfg.name);
  const std::string db = dbPath.toStdString();
  auto job = std::make_shared<TrainingJob>(
      engine_, cfg, [db] { return std::make_unique<db::RunStore>(db); }, TrainingJob::default_checkpoint_root(db), resume);
  {
    std::lock_guard lock(mutex_);
    job_ = job;
  }
  JobCallbacks cb;
  cb.on_step = [&](const StepSummary& s) {
    StepInfo info{name, s.step, s.total_steps, s.reward, s.accuracy, s.mean_length, s.aha_rate,
                  s.tokens_per_second, s.step_seconds, s.eta_seconds, s.gpu_memory_bytes};
    emit stepFinished(info);
  };
  cb.on_status = [&](RunStatus st, const std::string& msg) {
    emit statusChanged(name, QString(to_string(st)), QString::fromStdString(msg));
  };
  job->run(cb);
  {
    std::lock_guard lock(mutex_);
    job_.reset();
  }
  emit jobEnded(name);
}

}  // namespace aha::ui
