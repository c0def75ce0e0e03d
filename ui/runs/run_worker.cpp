#include "ui/runs/run_worker.h"

#include <QFileInfo>

#include <spdlog/spdlog.h>

#include "core/run/job.h"
#include "core/run/sweep_job.h"
#include "db/run_reader.h"
#include "db/run_store.h"

namespace aha::ui {

RunWorker::RunWorker(Engine engine, QObject* parent) : QObject(parent), engine_(std::move(engine)) { qRegisterMetaType<aha::ui::StepInfo>(); }
RunWorker::~RunWorker() = default;

void RunWorker::pause() {
  std::lock_guard lock(mutex_);
  if (job_) job_->pause();
  if (sweep_) sweep_->pause();
}
void RunWorker::resume() {
  std::lock_guard lock(mutex_);
  if (job_) job_->resume();
  if (sweep_) sweep_->resume();
}
void RunWorker::stop() {
  std::lock_guard lock(mutex_);
  if (job_) job_->stop();
  if (sweep_) sweep_->stop();
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

void RunWorker::runSweep(const QString& sweepToml, const QString& dir, const QString& dbPath) {
  const std::string db = dbPath.toStdString();
  std::vector<SweepMember> members;
  std::shared_ptr<SweepJob> job;
  try {
    const auto spec = SweepSpec::from_toml(sweepToml.toStdString(), "sweep", dir.toStdString());
    members = sweep_members(spec);
    job = std::make_shared<SweepJob>(
        engine_, spec, [db] { return std::make_unique<db::RunStore>(db); }, TrainingJob::default_checkpoint_root(db),
        [db](const std::string& name) -> std::optional<StoredRun> {
          if (!QFileInfo::exists(QString::fromStdString(db))) return std::nullopt;
          const auto run = db::RunReader(db).run_by_name(name);
          return run ? std::optional<StoredRun>(StoredRun{run->sweep, run->last_step}) : std::nullopt;
        });
  } catch (const std::exception& e) {
    emit statusChanged(QString(), "failed", QString::fromStdString(e.what()));
    emit jobEnded(QString());
    return;
  }
  {
    std::lock_guard lock(mutex_);
    sweep_ = job;
  }
  const auto name = [&](size_t i) { return QString::fromStdString(members[i].run_name); };
  SweepCallbacks cb;
  cb.on_step = [&](size_t i, const StepSummary& s) {
    emit stepFinished({name(i), s.step, s.total_steps, s.reward, s.accuracy, s.mean_length, s.aha_rate,
                       s.tokens_per_second, s.step_seconds, s.eta_seconds, s.gpu_memory_bytes});
  };
  cb.on_status = [&](size_t i, RunStatus st, const std::string& message) {
    emit statusChanged(name(i), QString(to_string(st)), QString::fromStdString(message));
  };
  try {
    job->run(cb);
  } catch (const std::exception& e) {  // a member's name taken by another run: nothing trained
    emit statusChanged(QString(), "failed", QString::fromStdString(e.what()));
  }
  {
    std::lock_guard lock(mutex_);
    sweep_.reset();
  }
  emit jobEnded(QString());
}

}  // namespace aha::ui
