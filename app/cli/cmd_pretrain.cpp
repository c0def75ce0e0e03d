#include <csignal>
#include <cstdio>

#include <spdlog/spdlog.h>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "app/cli/interrupt.h"
#include "core/support/logging.h"
#include "core/rl/pretrain.h"

namespace aha::cli {

int cmd_pretrain(int argc, char** argv, int first) {
  Args args(argc, argv, first, {"help"});
  if (args.has("help")) {
    std::printf(
        "usage: aha pretrain --config FILE --out DIR [--iterations N] [--log FILE]\n\n"
        "Trains the built-in tiny base model by next-token prediction on the synthetic\n"
        "corpus described in FILE (see resources/models/tiny-arithmetic/pretrain.toml) and\n"
        "writes it to DIR in Hugging Face layout. Ctrl-C stops early and still saves.\n");
    return 0;
  }
  args.allow_only({"config", "out", "iterations", "log", "help"});
  init_logging(args.get("log"));
  auto cfg = PretrainConfig::load(args.require("config"));
  cfg.iterations = args.get_int("iterations", cfg.iterations);
  install_interrupt_handler();
  pretrain(cfg, args.require("config"), args.require("out"),
           [](const PretrainProgress& p) {
             const double eta = p.seconds / p.iteration * (p.total - p.iteration);
             std::printf("iter %d/%d  loss %.4f  lr %.2e  %.0f tok/s  %.0fs  ETA %.0fs\n", p.iteration, p.total,
                         p.loss, p.learning_rate, p.tokens_per_second, p.seconds, eta);
             std::fflush(stdout);
           },
           &interrupt_requested());
  std::printf("saved to %s\n", args.require("out").c_str());
  return 0;
}

}  // namespace aha::cli
