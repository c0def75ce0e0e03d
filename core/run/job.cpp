#include "core/run/job.h"

#include <spdlog/spdlog.h>


namespace aha {

TrainingJob::TrainingJob(Engine engine, RunConfig config, SinkFactory open_sink,
                         std::filesystem::path checkpoint_root, bool resume)
    : engine_(std::move(engine)), config_(std::move(config)), open_sink_(std::move(open_sink)), checkpoint_root_(std::move(checkpoint_root)),
      resume_(resume) {}

std::filesystem::path TrainingJob::default_checkpoint_root(const std::string& db_path) {
  return std::filesystem::path(db_path + ".checkpoints");
}

void TrainingJob::pause() { paused_ = true; }

void TrainingJob::resume() {
  {
    std::lock_guard lock(mutex_);
    paused_ = false;
  }
  wake_.notify_all();
}

void TrainingJob::stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
}

bool TrainingJob::wait_while_paused(RunSink& sink, const JobCallbacks& cb) {
  if (!paused_ || stop_) return !stop_;
  sink.set_status(RunStatus::Paused);
  if (cb.on_status) cb.on_status(RunStatus::Paused, "");
  std::unique_lock lock(mutex_);
  wake_.wait(lock, [&] { return !paused_ || stop_; });
  lock.unlock();
  if (stop_) return false;
  sink.set_status(RunStatus::Running);
  if (cb.on_status) cb.on_status(RunStatus::Running, "");
  return true;
}

RunStatus TrainingJob::run(const JobCallbacks& cb) {
  std::unique_ptr<RunSink> store;
  RunStatus final_status = RunStatus::Failed;
  bool prepared = false;
  try {
    store = open_sink_();
    const std::unique_ptr<Trainer> trainer = engine_.make_trainer(config_, *store, checkpoint_root_);
    trainer->prepare(resume_);
    prepared = true;
    if (cb.on_status) cb.on_status(RunStatus::Running, "");
    while (!trainer->finished()) {
      if (!wait_while_paused(*store, cb)) break;
      StepSummary s = trainer->train_step();
      if (cb.on_step) cb.on_step(s);
    }
    if (trainer->finished()) {
      final_status = RunStatus::Finished;
    } else {
      trainer->save_checkpoint();  // a stopped run resumes exactly where it stopped
      final_status = RunStatus::Stopped;
    }
    store->set_status(final_status);
    if (cb.on_status) cb.on_status(final_status, "");
  } catch (const std::exception& e) {
    error_ = engine_.explain_failure ? engine_.explain_failure(e) : e.what();
    spdlog::error("run '{}' failed: {}", config_.name, error_);
    // A resume refused before it trained (nothing left to train, weights that do not
    // load) leaves the stored run as it was: a finished run stays finished.
    if (store && (prepared || !resume_)) {
      try {
        store->set_status(RunStatus::Failed, error_);
      } catch (const std::exception& e2) {
        spdlog::error("could not record the failure: {}", e2.what());
      }
    }
    final_status = RunStatus::Failed;
    if (cb.on_status) cb.on_status(RunStatus::Failed, error_);
  }
  return final_status;
}

}  // namespace aha
