#include "core/interop/run_follower.h"

#include <chrono>
#include <stdexcept>

#include "core/interop/trl_completions.h"
#include "core/interop/trl_import.h"

namespace aha {

namespace fs = std::filesystem;

RunFollower::RunFollower(const std::string& engine, fs::path dir, RunSink& sink, const RolloutStepBuilder& builder,
                         VerlIngest::Report report, Metrics reward_weights)
    : dir_(std::move(dir)), sink_(sink), builder_(builder), report_(std::move(report)),
      reward_weights_(std::move(reward_weights)) {
  if (engine == "verl")
    verl_ = std::make_unique<VerlIngest>(dir_, sink, builder, report_);
  else if (engine != "trl")
    throw std::invalid_argument("unknown engine '" + engine + "' (known: verl, trl)");
  else if (!fs::is_directory(dir_))
    throw std::runtime_error("'" + dir_.string() + "' is not a directory (the output_dir of a TRL run)");
}

fs::path RunFollower::pending() const { return verl_ ? verl_->pending() : pending_; }

int RunFollower::poll(double settle_seconds) {
  if (verl_) return verl_->poll(settle_seconds);
  const int written = poll_trl_completions();
  return written + poll_trl_state();
}

int RunFollower::poll_trl_completions() {
  const auto files = list_trl_completion_files(dir_);
  pending_.clear();
  int written = 0;
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  for (size_t i = 0; i < files.size(); ++i) {
    const auto& f = files[i];
    if (sink_.has_step(f.step) || skipped_.count(f.step)) continue;
    std::vector<RolloutSample> samples;
    try {
      samples = read_trl_completions(f.path, reward_weights_);
    } catch (const std::exception& e) {
      if (i + 1 == files.size()) {  // the newest may still be being written: look again later
        pending_ = f.path;
        break;
      }
      report_(std::string(e.what()) + "; step " + std::to_string(f.step) + " skipped");
      skipped_.insert(f.step);
      continue;
    }
    if (samples.empty()) {
      report_(f.path.string() + ": no completion; step " + std::to_string(f.step) + " skipped");
      skipped_.insert(f.step);
      continue;
    }
    StepRecord step = builder_.build(f.step, std::move(samples), now);
    if (auto w = waiting_.find(f.step); w != waiting_.end()) {  // the trainer's metrics came first
      add_missing_metrics(step.metrics, w->second);
      waiting_.erase(w);
      joined_.insert(f.step);
    }
    sink_.write_step(step);
    ++written;
  }
  return written;
}

int RunFollower::poll_trl_state() {
  // TRL rewrites trainer_state.json at each save: read it again only when it changed.
  const bool completions = fs::is_directory(dir_ / "completions");
  fs::path file;
  try {
    file = trl_state_file(dir_);
  } catch (const std::runtime_error&) {
    if (completions) return 0;  // not saved yet: the completions carry the run until then
    throw;
  }
  std::error_code ec;
  const auto mtime = fs::last_write_time(file, ec);
  if (file == last_file_ && mtime == last_mtime_) return 0;
  std::vector<std::string> notes;
  auto steps = read_trl_log_history(file, &notes);
  for (const auto& note : notes)
    if (reported_.insert(note).second) report_(note);
  int written = 0;
  for (auto& step : steps) {
    if (completions) {  // metrics join the step its completions made
      if (joined_.count(step.step)) continue;
      if (sink_.has_step(step.step)) {
        sink_.add_metrics(step.step, step.metrics);
        joined_.insert(step.step);
      } else {
        waiting_[step.step] = std::move(step.metrics);
      }
      continue;
    }
    if (step.step <= sink_.last_step()) continue;
    step.wall_time = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    sink_.write_step(step);
    ++written;
  }
  last_file_ = file, last_mtime_ = mtime;
  return written;
}

}  // namespace aha
