#include <chrono>
#include <cstdio>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "app/cli/interrupt.h"
#include "core/rl/torch_engine.h"
#include "core/run/sweep_controls.h"
#include "core/run/sweep_job.h"
#include "core/support/logging.h"
#include "db/run_reader.h"
#include "db/run_store.h"

namespace aha::cli {

namespace {

const char* state_word(MemberState s) {
  switch (s) {
    case MemberState::New: return "to train";
    case MemberState::Unfinished: return "to resume";
    case MemberState::Finished: return "finished";
  }
  return "";
}

SweepJob::Lookup store_lookup(const std::string& db) {
  return [db](const std::string& name) -> std::optional<StoredRun> {
    if (!std::filesystem::exists(db)) return std::nullopt;
    const auto run = db::RunReader(db).run_by_name(name);
    if (!run) return std::nullopt;
    return StoredRun{run->sweep, run->last_step};
  };
}

}  // namespace

int cmd_sweep(int argc, char** argv, int first) {
  Args args(argc, argv, first, {"help", "dry-run", "controls"});
  if (args.has("help")) {
    std::printf(
        "usage: aha sweep --file SWEEP.toml --db FILE [--parallel N] [--controls] [--dry-run] [--log FILE]\n\n"
        "Trains every member of a sweep (a base run config over a grid of values and seeds;\n"
        "docs/SWEEPS.md), one after another or N at once, into the run database; each run\n"
        "records its sweep and values. Run it again after a kill or Ctrl-C: finished members\n"
        "are skipped and an interrupted one resumes from its checkpoint. --dry-run lists the\n"
        "members and where each stands.\n"
        "--controls: the controls form of the sweep, or of a run config given as --file: each\n"
        "arm trained as it is (truth) and with the random, incorrect_label and format_only\n"
        "rewards in the place of accuracy, same seeds, as a sweep named <name>-controls; read\n"
        "it with `aha report gain` (docs/OBJECTIVES.md).\n");
    return 0;
  }
  args.allow_only({"file", "db", "parallel", "dry-run", "controls", "log", "help"});
  init_logging(args.get("log"));
  SweepSpec spec = args.has("controls") ? with_controls(sweep_of_file(args.require("file"))) : SweepSpec::load(args.require("file"));
  spec.parallel = args.get_int("parallel", spec.parallel);
  if (spec.parallel < 1) throw UsageError("--parallel: " + args.get("parallel") + " (members at once: 1 or more)");
  const std::string db = args.require("db");
  const auto members = sweep_members(spec);
  const auto lookup = store_lookup(db);

  if (args.has("dry-run")) {
    std::printf("sweep '%s': %zu members (base %s)\n", spec.name.c_str(), members.size(), spec.base.c_str());
    for (const auto& m : members) {
      const auto stored = lookup(m.run_name);
      std::printf("  %-40s %-10s %s\n", m.run_name.c_str(), state_word(member_state(spec, m, stored)),
                  m.values_json().c_str());
    }
    return 0;
  }

  SweepJob job(torch_engine(), spec, [db] { return std::make_unique<db::RunStore>(db); },
               TrainingJob::default_checkpoint_root(db), lookup);
  install_interrupt_handler();
  using Clock = std::chrono::steady_clock;
  std::vector<Clock::time_point> started(members.size());
  SweepCallbacks cb;
  cb.on_member = [&](size_t i, size_t total, const SweepMember& m, MemberState state) {
    started[i] = Clock::now();
    std::printf("[%zu/%zu] %s: %s %s\n", i + 1, total, m.run_name.c_str(),
                state == MemberState::Unfinished ? "resuming" : "training", m.values_json().c_str());
    std::fflush(stdout);
  };
  cb.on_step = [&](size_t i, const StepSummary& s) {
    // One line every 10 steps per member: a sweep is long and runs unattended.
    if (s.step % 10 == 0 || s.step == s.total_steps)
      std::printf("  %s step %lld/%lld  reward %.3f  acc %.3f  len %.1f  %.1fs/step\n", members[i].run_name.c_str(),
                  static_cast<long long>(s.step), static_cast<long long>(s.total_steps), s.reward, s.accuracy,
                  s.mean_length, s.step_seconds);
    std::fflush(stdout);
    if (interrupt_requested()) job.stop();
  };
  int failures = 0;
  cb.on_member_done = [&](size_t i, const SweepMember& m, RunStatus status, const std::string& error) {
    const double seconds = std::chrono::duration<double>(Clock::now() - started[i]).count();
    std::printf("[%zu/%zu] %s: %s after %.0f s%s%s\n", i + 1, members.size(), m.run_name.c_str(), to_string(status),
                seconds, error.empty() ? "" : ": ", error.c_str());
    failures += status == RunStatus::Failed;
    std::fflush(stdout);
  };
  const RunStatus status = job.run(cb);
  if (status == RunStatus::Stopped)
    std::printf("sweep '%s': stopped; run the same command again to continue it\n", spec.name.c_str());
  else
    std::printf("sweep '%s': %s%s\n", spec.name.c_str(), to_string(status),
                failures ? (" (" + std::to_string(failures) + " member(s) failed; run again to retry them)").c_str() : "");
  return status == RunStatus::Failed ? 1 : 0;
}

}  // namespace aha::cli
