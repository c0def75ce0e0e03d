#pragma once
// Trains a sweep's members one after another (or `parallel` at once), each as a
// TrainingJob. Resumable: a finished member is never trained twice, one that was stopped
// or killed is resumed from its checkpoint, so a sweep killed at any point is continued by
// running it again. Torch-free; pause, resume and stop reach the running members.
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/run/job.h"
#include "core/run/sweep.h"

namespace aha {

// Where a member stands in the store: not there yet, there but short of its steps
// (stopped, killed, failed), or done.
enum class MemberState { New, Unfinished, Finished };

// What the store holds under a member's run name.
struct StoredRun {
  std::string sweep;     // the sweep it belongs to ("" for none)
  int64_t last_step = -1;
};
// Finished once its steps reach the member's max_steps. Throws std::runtime_error when
// the name is taken by a run outside this sweep (it would be resumed as a member).
MemberState member_state(const SweepSpec& spec, const SweepMember& member, const std::optional<StoredRun>& stored);

struct SweepCallbacks {
  // index in sweep_members() order, of `total`; `resumed` for an Unfinished member.
  std::function<void(size_t index, size_t total, const SweepMember&, MemberState)> on_member;
  std::function<void(size_t index, const StepSummary&)> on_step;
  // The running member's status changes (running, paused, and its final one).
  std::function<void(size_t index, RunStatus, const std::string& message)> on_status;
  std::function<void(size_t index, const SweepMember&, RunStatus, const std::string& error)> on_member_done;
};

class SweepJob {
 public:
  // `lookup` reads a run of that name from the store (the CLI and the studio pass a
  // db::RunReader lookup).
  using Lookup = std::function<std::optional<StoredRun>(const std::string& run_name)>;
  SweepJob(Engine engine, SweepSpec spec, SinkFactory open_sink, std::filesystem::path checkpoint_root, Lookup lookup);

  // Trains every member that is not finished. Finished when all are, Stopped after
  // stop(), Failed when a member failed (the others are still trained).
  RunStatus run(const SweepCallbacks& callbacks);
  void pause();
  void resume();
  void stop();

 private:
  Engine engine_;
  SweepSpec spec_;
  SinkFactory open_sink_;
  std::filesystem::path checkpoint_root_;
  Lookup lookup_;
  std::atomic<bool> stop_{false}, paused_{false};
  std::mutex mutex_;
  std::vector<TrainingJob*> running_;
};

}  // namespace aha
