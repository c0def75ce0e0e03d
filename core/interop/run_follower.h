#pragma once
// One look at a directory a veRL or TRL job writes: stores what is new in the sink.
// Shared by `aha import`, `aha follow` and the studio's File > Follow Run. Torch-free.
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/interop/verl_import.h"

namespace aha {

class RunFollower {
 public:
  using Metrics = std::vector<std::pair<std::string, double>>;
  // `engine` is "verl" (rollout dumps) or "trl" (completions files and trainer_state.json).
  // `reward_weights`: TRL's reward functions and weights, from the run config (empty:
  // every numeric column of the completions, weighted 1). Throws for another engine or a
  // directory that is not there.
  RunFollower(const std::string& engine, std::filesystem::path dir, RunSink& sink, const RolloutStepBuilder& builder,
              VerlIngest::Report report, Metrics reward_weights = {});
  // Steps stored by this call (see VerlIngest::poll for `settle_seconds`).
  int poll(double settle_seconds);
  // The newest step file that poll() left (still being written, or cut short).
  std::filesystem::path pending() const;

 private:
  int poll_trl_completions();
  int poll_trl_state();

  std::filesystem::path dir_;
  RunSink& sink_;
  const RolloutStepBuilder& builder_;
  std::unique_ptr<VerlIngest> verl_;
  VerlIngest::Report report_;
  Metrics reward_weights_;
  // TRL: steps come from the completions files when the job writes them; the trainer's
  // metrics (written at save_steps) then join their steps, now or once they are stored.
  std::set<int64_t> skipped_, joined_;
  std::map<int64_t, Metrics> waiting_;
  std::filesystem::path pending_;
  std::set<std::string> reported_;  // what a re-read trainer_state.json would say again
  std::filesystem::path last_file_;
  std::filesystem::file_time_type last_mtime_{};
};

}  // namespace aha
