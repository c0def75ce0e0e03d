#pragma once
// One look at a directory a veRL or TRL job writes: stores what is new in the sink.
// Shared by `aha import`, `aha follow` and the studio's File > Follow Run. Torch-free.
#include <filesystem>
#include <memory>
#include <string>

#include "core/interop/verl_import.h"

namespace aha {

class RunFollower {
 public:
  // `engine` is "verl" (rollout dumps) or "trl" (trainer_state.json). Throws for
  // another engine or a directory that is not there.
  RunFollower(const std::string& engine, std::filesystem::path dir, RunSink& sink, const RolloutStepBuilder& builder,
              VerlIngest::Report report);
  // Steps stored by this call (see VerlIngest::poll for `settle_seconds`).
  int poll(double settle_seconds);
  // veRL: the newest step file that poll() left (still being written, or cut short).
  std::filesystem::path pending() const { return verl_ ? verl_->pending() : std::filesystem::path(); }

 private:
  std::filesystem::path dir_;
  RunSink& sink_;
  std::unique_ptr<VerlIngest> verl_;
  std::filesystem::path last_file_;
  std::filesystem::file_time_type last_mtime_{};
};

}  // namespace aha
