#pragma once
// The torch-free facade through which the studio and the CLI run a GRPO job. run()
// blocks the calling thread (the studio calls it from a worker thread); pause, resume
// and stop may be called from any thread and take effect at the next step boundary.
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "core/run/engine.h"

namespace aha {

struct JobCallbacks {
  std::function<void(const StepSummary&)> on_step;
  std::function<void(RunStatus, const std::string& message)> on_status;
};

// Opens the store the job writes to (called on the job's thread, so that its errors end
// the run as failed like any other). The CLI and the studio pass a db::RunStore.
using SinkFactory = std::function<std::unique_ptr<RunSink>()>;

class TrainingJob {
 public:
  // Checkpoints go to `checkpoint_root`/<run name>/.
  TrainingJob(Engine engine, RunConfig config, SinkFactory open_sink, std::filesystem::path checkpoint_root,
              bool resume = false);

  // Trains until max_steps, stop() or an error. Never throws: an error ends the run as
  // Failed with its message (stored with the run). Returns the final status.
  RunStatus run(const JobCallbacks& callbacks);

  void pause();
  void resume();
  void stop();
  bool is_paused() const { return paused_; }
  const std::string& error() const { return error_; }

  // The default place for checkpoints of runs stored in `db_path`: "<db>.checkpoints".
  static std::filesystem::path default_checkpoint_root(const std::string& db_path);

 private:
  // Returns false when the job should stop (waits while paused).
  bool wait_while_paused(RunSink& sink, const JobCallbacks& cb);

  Engine engine_;
  RunConfig config_;
  SinkFactory open_sink_;
  std::filesystem::path checkpoint_root_;
  bool resume_;
  std::atomic<bool> stop_{false}, paused_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  std::string error_;
};

}  // namespace aha
