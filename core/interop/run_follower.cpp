#include "core/interop/run_follower.h"

#include <chrono>
#include <stdexcept>

#include "core/interop/trl_import.h"

namespace aha {

RunFollower::RunFollower(const std::string& engine, std::filesystem::path dir, RunSink& sink,
                         const RolloutStepBuilder& builder, VerlIngest::Report report)
    : dir_(std::move(dir)), sink_(sink) {
  if (engine == "verl")
    verl_ = std::make_unique<VerlIngest>(dir_, sink, builder, std::move(report));
  else if (engine != "trl")
    throw std::invalid_argument("unknown engine '" + engine + "' (known: verl, trl)");
  else if (!std::filesystem::is_directory(dir_))
    throw std::runtime_error("'" + dir_.string() + "' is not a directory (the output_dir of a TRL run)");
}

int RunFollower::poll(double settle_seconds) {
  if (verl_) return verl_->poll(settle_seconds);
  // TRL rewrites trainer_state.json at each save: read it again only when it changed.
  const auto file = trl_state_file(dir_);
  std::error_code ec;
  const auto mtime = std::filesystem::last_write_time(file, ec);
  if (file == last_file_ && mtime == last_mtime_) return 0;
  int written = 0;
  for (auto& step : read_trl_log_history(file)) {
    if (step.step <= sink_.last_step()) continue;
    step.wall_time = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    sink_.write_step(step);
    ++written;
  }
  last_file_ = file, last_mtime_ = mtime;
  return written;
}

}  // namespace aha
