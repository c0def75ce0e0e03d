#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <optional>

#include "app/cli/args.h"
#include "app/cli/interrupt.h"
#include "app/cli/probe_commands.h"
#include "core/rl/contamination.h"
#include "core/run/run_config.h"
#include "db/run_reader.h"

namespace aha::cli {

namespace {

// One line of a text, cut to `width` characters, newlines shown as spaces.
std::string shown(std::string s, size_t width) {
  for (char& c : s)
    if (c == '\n') c = ' ';
  return s.size() > width ? s.substr(0, width - 3) + "..." : s;
}

}  // namespace

int probe_contamination(const Args& args) {
  args.allow_only({"db", "run", "weights", "config", "model", "problems", "problems-file", "seed", "prefix", "show", "help"});
  // The model and its task: a stored run's (its base model or final weights), or a run config's.
  RunConfig cfg;
  std::string weights;
  if (args.has("config")) {
    cfg = RunConfig::load(args.require("config"));
    weights = args.has("model") ? args.get("model") : resolve_model_path(cfg.model).string();
  } else {
    db::RunReader reader(args.require("db"), db::Access::ReadOnly);
    const auto run = reader.require_run(args.require("run"));
    cfg = RunConfig::from_toml(run.config_toml, "run '" + run.name + "' (stored config)");
    const std::string which = args.get("weights", "base");
    if (which == "base") {
      weights = resolve_model_path(cfg.model).string();
    } else if (which == "final") {
      for (const auto& [step, path] : reader.checkpoints(run.id))
        if (std::filesystem::exists(std::filesystem::path(path) / "config.json")) weights = path;
      if (weights.empty()) throw UsageError("run '" + run.name + "' has no checkpoint on disk: use --weights base");
    } else {
      throw UsageError("--weights: '" + which + "' is not base or final");
    }
  }
  const ProbeSet set = probe_set_option(args);
  const double share = args.get_real("prefix", 0.6);
  if (!(share > 0 && share < 1)) throw UsageError("--prefix: " + args.get("prefix") + " (the share of each question given: 0 < x < 1)");

  install_interrupt_handler();
  const bool tty = isatty(fileno(stderr));
  const auto result = contamination_check(cfg, weights, set, share, [&](int done, int total) {
    if (tty) std::fprintf(stderr, "\r  %d/%d problems", done, total);
    return !interrupt_requested().load();
  });
  if (tty) std::fprintf(stderr, "\n");
  const std::string from = set.file.empty() ? cfg.task.name + " problems drawn with seed " + std::to_string(set.seed)
                                            : "the problems of " + set.file;
  std::printf("contamination check of %s on %zu %s, %.0f%% of each question given (greedy):\n"
              "  the rest written exactly   %.3f\n  ROUGE-L of the rest        %.3f\n"
              "  right answer from the cut  %.3f\n  (%.1f s)\n",
              weights.c_str(), result.items.size(), from.c_str(), 100 * share, result.exact_rate, result.mean_rouge_l,
              result.answer_accuracy, result.seconds);
  const int show = std::min<int>(args.get_int("show", 3), int(result.items.size()));
  for (int i = 0; i < show; ++i) {
    const auto& item = result.items[i];
    std::printf("\n  given:   %s\n  rest:    %s\n  model:   %s  (ROUGE-L %.2f%s)\n  answer:  %s (%s)\n",
                shown(item.prefix, 90).c_str(), shown(item.rest, 90).c_str(), shown(item.continuation, 90).c_str(),
                item.rouge_l, item.exact ? ", exact" : "", item.answer.empty() ? "none" : shown(item.answer, 40).c_str(),
                item.answer_correct ? "right" : "wrong");
  }
  return 0;
}

}  // namespace aha::cli
