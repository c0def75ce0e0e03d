#include "core/run/sweep_job.h"

#include <algorithm>
#include <stdexcept>
#include <thread>

namespace aha {

MemberState member_state(const SweepSpec& spec, const SweepMember& member, const std::optional<StoredRun>& stored) {
  if (!stored) return MemberState::New;
  if (stored->sweep != spec.name)
    throw std::runtime_error("run '" + member.run_name + "' is already in the database and is not a member of sweep '" +
                             spec.name + "'" + (stored->sweep.empty() ? "" : " (it belongs to sweep '" + stored->sweep + "')") +
                             "; rename that run (aha runs rename) or give the sweep another name");
  const int max_steps = RunConfig::from_toml(member.config_toml, member.run_name).max_steps;
  return stored->last_step >= max_steps ? MemberState::Finished : MemberState::Unfinished;
}

SweepJob::SweepJob(Engine engine, SweepSpec spec, SinkFactory open_sink, std::filesystem::path checkpoint_root,
                   Lookup lookup)
    : engine_(std::move(engine)), spec_(std::move(spec)), open_sink_(std::move(open_sink)),
      checkpoint_root_(std::move(checkpoint_root)), lookup_(std::move(lookup)) {}

void SweepJob::pause() {
  std::lock_guard lock(mutex_);
  paused_ = true;
  for (auto* j : running_) j->pause();
}

void SweepJob::resume() {
  std::lock_guard lock(mutex_);
  paused_ = false;
  for (auto* j : running_) j->resume();
}

void SweepJob::stop() {
  std::lock_guard lock(mutex_);
  stop_ = true;
  for (auto* j : running_) j->stop();
}

RunStatus SweepJob::run(const SweepCallbacks& cb) {
  const auto members = sweep_members(spec_);
  // Every member's state first: a name clash stops the sweep before anything trains.
  std::vector<MemberState> states;
  for (const auto& m : members) states.push_back(member_state(spec_, m, lookup_(m.run_name)));

  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex callback_mutex;  // callbacks come from one member at a time
  const auto worker = [&] {
    for (size_t i = next++; i < members.size() && !stop_; i = next++) {
      if (states[i] == MemberState::Finished) continue;
      {
        std::lock_guard lock(callback_mutex);
        if (cb.on_member) cb.on_member(i, members.size(), members[i], states[i]);
      }
      auto cfg = RunConfig::from_toml(members[i].config_toml, members[i].run_name);
      TrainingJob job(engine_, cfg, open_sink_, checkpoint_root_, states[i] == MemberState::Unfinished);
      {
        std::lock_guard lock(mutex_);
        if (stop_) break;
        if (paused_) job.pause();
        running_.push_back(&job);
      }
      JobCallbacks jc;
      jc.on_step = [&](const StepSummary& s) {
        std::lock_guard lock(callback_mutex);
        if (cb.on_step) cb.on_step(i, s);
      };
      jc.on_status = [&](RunStatus st, const std::string& message) {
        std::lock_guard lock(callback_mutex);
        if (cb.on_status) cb.on_status(i, st, message);
      };
      const RunStatus status = job.run(jc);
      {
        std::lock_guard lock(mutex_);
        running_.erase(std::find(running_.begin(), running_.end(), &job));
      }
      if (status == RunStatus::Failed) failed = true;
      std::lock_guard lock(callback_mutex);
      if (cb.on_member_done) cb.on_member_done(i, members[i], status, job.error());
    }
  };
  std::vector<std::thread> extra;
  for (int t = 1; t < spec_.parallel; ++t) extra.emplace_back(worker);
  worker();
  for (auto& t : extra) t.join();
  if (stop_) return RunStatus::Stopped;
  return failed ? RunStatus::Failed : RunStatus::Finished;
}

}  // namespace aha
