#include <unistd.h>

#include <cstdio>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "app/cli/interrupt.h"
#include "app/cli/probe_commands.h"
#include "core/rl/probe.h"
#include "core/run/gain_probes.h"
#include "db/probe_source.h"

namespace aha::cli {

namespace {

const char* kUsage =
    "usage: aha report gain --db FILE --run NAME [--problems 32] [--samples 16] [--seed 1234]\n"
    "                       [--problems-file FILE]\n\n"
    "Is the gain real? The run's accuracy gain on a held-out probe set (its final weights\n"
    "against its base model: pass@1 and maj@n) beside the gains of its controls, the runs of\n"
    "its sweep that differ from it only in the reward (random, incorrect_label, format_only:\n"
    "resources/presets/sweeps/spurious-rewards.toml, or `aha sweep --controls`), with 95%\n"
    "intervals over seeds; the part of its gain that the best control does not reach; and the\n"
    "format share: how much of each gain is more parseable answers rather than more right ones.\n"
    "Probes already stored with the same settings are reused; missing ones are sampled and\n"
    "stored (as `aha probe passk` does). docs/OBJECTIVES.md says how each figure is computed.\n";

int report_gain(const Args& args) {
  args.allow_only({"db", "run", "problems", "samples", "seed", "problems-file", "help"});
  GainRequest request;
  request.run = args.require("run");
  request.set = probe_set_option(args);
  request.samples = args.get_int("samples", 16);
  if (request.samples < 1) throw UsageError("--samples: " + std::to_string(request.samples) + " (at least 1)");
  const auto source = db::open_probe_source(args.require("db"));
  install_interrupt_handler();  // Ctrl-C stops after the batch in hand
  const bool tty = isatty(fileno(stderr));
  std::string shown;
  GainResult result;
  try {
    result = gain_of_run(*source, request, probe_pass_at_k, [&](const GainProgress& p) {
      if (p.what != shown) std::fprintf(stderr, "%sprobing %s: %d completions\n", tty && !shown.empty() ? "\n" : "",
                                        p.what.c_str(), p.total);
      shown = p.what;
      if (tty) std::fprintf(stderr, "\r  %d/%d", p.done, p.total);
      return !interrupt_requested().load();
    });
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  if (tty && !shown.empty()) std::fprintf(stderr, "\n");
  for (const auto& note : result.notes) std::fprintf(stderr, "note: %s\n", note.c_str());
  const std::string from = request.set.file.empty() ? "drawn with seed " + std::to_string(request.set.seed)
                                                    : "from " + request.set.file;
  const std::string sweep = result.sweep.empty() ? ", no sweep" : ", sweep '" + result.sweep + "'";
  std::printf("gain of run '%s' (arm '%s'%s) on %d held-out problems (%s), %d samples each;\n"
              "gain = final weights - base model, 95%% intervals over seeds; %d probes sampled now, the rest stored\n\n",
              request.run.c_str(), result.truth_arm.c_str(), sweep.c_str(), request.set.problems, from.c_str(),
              request.samples, result.probes_sampled);
  std::fputs(gain_report_text(result.report).c_str(), stdout);
  return 0;
}

}  // namespace

int cmd_report(int argc, char** argv, int first) {
  Args args(argc, argv, first, {"help"});
  if (args.has("help") || args.positional().empty()) {
    std::fputs(kUsage, stdout);
    return args.has("help") ? 0 : 2;
  }
  const std::string what = args.positional()[0];
  if (what != "gain") throw UsageError("'" + what + "' is not a report (gain)");
  return report_gain(args);
}

}  // namespace aha::cli
