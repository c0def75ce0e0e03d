#include <cstdio>

#include <spdlog/spdlog.h>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "app/cli/interrupt.h"
#include "core/rl/torch_engine.h"
#include "core/run/job.h"
#include "core/support/logging.h"
#include "db/run_store.h"

namespace aha::cli {

namespace {
std::string clock_text(double seconds) {
  const int s = static_cast<int>(seconds + 0.5);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%d:%02d", s / 60, s % 60);
  return buf;
}
}  // namespace

int cmd_train(int argc, char** argv, int first) {
  Args args(argc, argv, first, {"help", "resume"});
  if (args.has("help")) {
    std::printf(
        "usage: aha train --config FILE --db FILE [--name NAME] [--steps N] [--resume] [--log FILE]\n\n"
        "Runs GRPO as FILE describes (TOML with TRL's GRPOConfig names; presets in\n"
        "resources/presets/, the default one demo-arithmetic.toml) and stores every sample\n"
        "and metric in the run database. One line per step. Ctrl-C stops at the next step\n"
        "boundary with everything stored and a checkpoint saved; --resume continues a\n"
        "stopped or killed run of that name from its last checkpoint.\n");
    return 0;
  }
  args.allow_only({"config", "db", "name", "steps", "resume", "log", "help"});
  init_logging(args.get("log"));
  RunConfig cfg = RunConfig::load(args.require("config"));
  if (args.has("name")) cfg.name = args.get("name");
  if (const auto why = run_name_problem(cfg.name); !why.empty()) throw std::invalid_argument("--name: " + why);
  if (cfg.name.empty()) throw UsageError("--name: a run needs a name");
  // What the run would miss on this machine, before a run is made for it.
  if (const auto missing = cfg.missing_inputs(); !missing.empty())
    throw std::runtime_error(args.require("config") + ": " + missing);
  cfg.max_steps = args.get_int("steps", cfg.max_steps);
  if (cfg.max_steps < 1)
    throw UsageError("--steps: " + args.get("steps") + " (the number of steps to train to: 1 or more)");
  const std::string db = args.require("db");

  TrainingJob job(
      torch_engine(), cfg, [db] { return std::make_unique<db::RunStore>(db); }, TrainingJob::default_checkpoint_root(db),
      args.has("resume"));
  install_interrupt_handler();
  JobCallbacks cb;
  cb.on_step = [&](const StepSummary& s) {
    std::printf("step %lld/%lld  reward %.3f  acc %.3f  len %.1f  aha %.3f  %.0f tok/s  %.1fs/step  ETA %s",
                static_cast<long long>(s.step), static_cast<long long>(s.total_steps), s.reward, s.accuracy,
                s.mean_length, s.aha_rate, s.tokens_per_second, s.step_seconds, clock_text(s.eta_seconds).c_str());
    if (s.gpu_memory_bytes >= 0) std::printf("  GPU %.1f GB", s.gpu_memory_bytes / 1e9);
    std::printf("\n");
    std::fflush(stdout);
    if (interrupt_requested()) job.stop();
  };
  const RunStatus status = job.run(cb);
  std::printf("run '%s': %s\n", cfg.name.c_str(), to_string(status));
  if (status == RunStatus::Failed) {
    std::fprintf(stderr, "aha train: %s\n", job.error().c_str());
    return 1;
  }
  return 0;
}

}  // namespace aha::cli
