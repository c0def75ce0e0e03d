#include <cstdio>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "core/support/logging.h"
#include "core/rl/model_eval.h"

namespace aha::cli {

int cmd_eval(int argc, char** argv, int first) {
  Args args(argc, argv, first, {"help"});
  if (args.has("help")) {
    std::printf(
        "usage: aha eval --config FILE [--model DIR] [--samples N] [--temperature T]\n\n"
        "Samples the model of a run config (or DIR) on fresh problems of its task and\n"
        "prints accuracy, format rate, the share of self-checking completions, and the\n"
        "accuracy of self-checked vs direct completions: measure this before an RL run,\n"
        "it predicts whether reflection will grow.\n");
    return 0;
  }
  args.allow_only({"config", "model", "samples", "temperature", "help"});
  init_logging("");
  RunConfig cfg = RunConfig::load(args.require("config"));
  if (args.has("model")) cfg.model = args.get("model");
  const double temperature = args.get_real("temperature", cfg.temperature);
  auto r = evaluate_config_model(cfg, args.get_int("samples", 512), temperature);
  std::printf("samples %d  accuracy %.3f  format %.3f  self-check share %.3f  accuracy checked %.3f vs direct %.3f  "
              "mean length %.1f tokens\n",
              r.samples, r.accuracy, r.format_rate, r.check_share, r.accuracy_checked, r.accuracy_direct, r.mean_length);
  return 0;
}

}  // namespace aha::cli
