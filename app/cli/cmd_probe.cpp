#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "app/cli/interrupt.h"
#include "core/analysis/pass_at_k.h"
#include "core/rl/probe.h"
#include "app/cli/probe_commands.h"
#include "core/run/probe_records.h"
#include "db/probe_store.h"
#include "db/run_reader.h"

namespace aha::cli {

namespace {

const char* kUsage =
    "usage: aha probe passk --db FILE --run NAME [--weights base,final] [--problems 32]\n"
    "                       [--samples 64] [--seed 1234] [--problems-file FILE]\n"
    "       aha probe resample --db FILE --sample ID --before TEXT [--occurrence 1]\n"
    "                       [--insert TEXT] [--samples 64] [--seed 1] [--weights nearest]\n"
    "       aha probe anchors --db FILE --sample ID [--budget N | --full 64] [--seed 1]\n"
    "                       [--weights nearest]\n"
    "       aha probe causal --db FILE --run NAME [--steps A-B] [--per-step 4] [--samples 16]\n"
    "                       [--seed 1]\n"
    "       aha probe contamination (--db FILE --run NAME [--weights base|final] | --config FILE\n"
    "                       [--model DIR]) [--problems 32] [--seed 1234] [--problems-file FILE]\n"
    "                       [--prefix 0.6] [--show 3]\n"
    "       aha probe list --db FILE [--run NAME | --sample ID]\n"
    "       aha probe show --db FILE --probe ID [--problem N]\n"
    "       aha probe diff --db FILE --from ID --to ID\n\n"
    "pass@k of a run's stored weights on a probe set held out from training: --problems\n"
    "problems of the run's task drawn with --seed (the trainer draws with the run's own seed),\n"
    "or the first --problems of --problems-file (JSONL or CSV read with the run's field\n"
    "mapping; 0: all), each sampled --samples times at the run's temperature. Prints the\n"
    "unbiased pass@k for k = 1, 2, 4, ... up to --samples, mean@n and maj@n, for each of\n"
    "--weights: base (the run's model), final (its last checkpoint on disk), all (base and\n"
    "every checkpoint on disk), or step numbers (\"base,49,final\"); then where the base model\n"
    "catches up (the crossover k).\n"
    "During training, the per-step metric pass@group is pass@G of the training groups.\n\n"
    "resample: continues a stored completion from just before the --occurrence'th TEXT in it\n"
    "(with --insert, that text is added first: e.g. --before wait --insert wait forces the\n"
    "word, without it the model chooses), --samples times from the stored weights nearest\n"
    "those that drew it (or --weights base, final, a step). Prints the accuracy of the\n"
    "continuations and the outcomes of their reflection events after the point.\n\n"
    "anchors: which steps of a stored completion decided its answer (docs/ANCHORS.md). The\n"
    "thinking is cut into steps (sentences; equations and clauses after a number); for each,\n"
    "the accuracy of continuations from just after it against those from just before it whose\n"
    "first step differs (the step resampled away), and how often its content came back later.\n"
    "Adaptive by default: 8 continuations per step boundary, then more where an interval is\n"
    "wide, within --budget (16 per boundary); --full N samples N at every boundary.\n"
    "causal: for up to --per-step fixes (real ahas) of each of --steps, the accuracy with the\n"
    "reflection resampled away against kept (--samples each), from the checkpoint nearest the\n"
    "step: a fix is causal when kept is better beyond the 95% interval. Nothing is stored.\n\n"
    "contamination: has the model seen these problems? The first --prefix of each question's\n"
    "tokens given as raw text, greedy, as many tokens as the rest: how often the rest comes out\n"
    "exactly, its ROUGE-L, and how often the cut question (in the run's prompt) still gets the\n"
    "right answer (Wu et al. 2025; docs/PROBES.md). Nothing is stored.\n\n"
    "passk, resample and anchors keep what they sampled in the database with the run (a\n"
    "resample and a map with their sample).\n"
    "list: the stored probes; show: a probe's problems, or one problem's completions; diff:\n"
    "the problems some sample solved in one pass@k probe and none in the other (gained, lost).\n";

struct Weights {
  std::string label, path;
  int64_t step = 0;  // the checkpoint after this step; 0: the base model
};

std::vector<Weights> choose_weights(const std::string& spec, const RunConfig& cfg,
                                    const db::RunSummary& run,
                                    const std::vector<std::pair<int64_t, std::string>>& recorded) {
  std::vector<std::pair<int64_t, std::string>> on_disk;
  for (const auto& [step, path] : recorded)
    if (std::filesystem::exists(std::filesystem::path(path) / "config.json"))
      on_disk.emplace_back(step, path);
  auto none_on_disk = [&] {
    return UsageError(
        "run '" + run.name + "' has no checkpoint on disk (" +
        (recorded.empty() ? "none was saved: save_steps = " + std::to_string(cfg.save_steps) +
                                " is beyond its " + std::to_string(std::max<int64_t>(run.last_step, 0)) + " steps"
                          : std::to_string(recorded.size()) + " recorded, their folders are gone") +
        "); only its base model can be probed: --weights base");
  };
  std::vector<Weights> out;
  size_t at = 0;
  while (at <= spec.size()) {
    const size_t comma = spec.find(',', at);
    const std::string item =
        spec.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
    at = comma == std::string::npos ? spec.size() + 1 : comma + 1;
    if (item == "base") {
      out.push_back({"base", resolve_model_path(cfg.model).string(), 0});
    } else if (item == "final") {
      if (on_disk.empty()) throw none_on_disk();
      out.push_back({"step " + std::to_string(on_disk.back().first), on_disk.back().second, on_disk.back().first});
    } else if (item == "all") {
      out.push_back({"base", resolve_model_path(cfg.model).string(), 0});
      for (const auto& [step, path] : on_disk) out.push_back({"step " + std::to_string(step), path, step});
    } else {
      char* end = nullptr;
      const long step = std::strtol(item.c_str(), &end, 10);
      if (item.empty() || *end)
        throw UsageError("--weights: '" + item + "' is not base, final, all or a step number");
      const auto it = std::find_if(on_disk.begin(), on_disk.end(),
                                   [&](const auto& c) { return c.first == step; });
      if (it == on_disk.end()) {
        if (on_disk.empty()) throw none_on_disk();
        std::string kept;
        for (const auto& c : on_disk) kept += (kept.empty() ? "" : ", ") + std::to_string(c.first);
        throw UsageError("--weights: no checkpoint of step " + item + " on disk (kept: " + kept +
                         ")");
      }
      out.push_back({"step " + item, it->second, it->first});
    }
  }
  return out;
}

}  // namespace

int cmd_probe(int argc, char** argv, int first) {
  Args args(argc, argv, first, {"help"});
  if (args.has("help") || args.positional().empty()) {
    std::fputs(kUsage, stdout);
    return args.has("help") ? 0 : 2;
  }
  const std::string what = args.positional()[0];
  if (what == "resample") return probe_resample(args);
  if (what == "anchors") return probe_anchors(args);
  if (what == "causal") return probe_causal(args);
  if (what == "contamination") return probe_contamination(args);
  if (what == "list") return probe_list(args);
  if (what == "show") return probe_show(args);
  if (what == "diff") return probe_diff(args);
  if (what != "passk")
    throw UsageError("'" + what + "' is not a probe command (passk, resample, anchors, causal, contamination, list, show, diff)");
  args.allow_only({"db", "run", "weights", "problems", "problems-file", "samples", "seed", "help"});
  const std::string db = args.require("db");
  // Opened first, for writing (it upgrades an older schema): a database that cannot take
  // the results fails before the sampling.
  db::ProbeStore store(db);
  db::RunReader reader(db, db::Access::ReadOnly);
  const auto run = reader.require_run(args.require("run"));
  const RunConfig cfg =
      RunConfig::from_toml(run.config_toml, "run '" + run.name + "' (stored config)");
  const ProbeSet set = probe_set_option(args);
  const int samples = args.get_int("samples", 64);
  if (samples < 1) throw UsageError("--samples: " + std::to_string(samples) + " (at least 1)");
  const auto weights =
      choose_weights(args.get("weights", "base,final"), cfg, run, reader.checkpoints(run.id));
  install_interrupt_handler();  // Ctrl-C stops after the batch in hand
  std::vector<PassAtKCurve> curves;
  for (const auto& w : weights) {
    std::fprintf(stderr, "%s (%s): %d samples per problem\n", w.label.c_str(), w.path.c_str(), samples);
    const bool tty = isatty(fileno(stderr));
    const auto probe = probe_pass_at_k(cfg, w.path, set, samples, [&](int done, int total) {
      if (tty) std::fprintf(stderr, "\r  %d/%d completions", done, total);
      return !interrupt_requested().load();
    });
    const auto record = passk_record(run.id, w.step, probe, set, cfg.temperature);
    const int64_t id = store.add(record.probe, record.problems, record.completions);
    std::fprintf(stderr, "%s  %zu completions in %.1f s, stored as probe %lld\n", tty ? "\r" : "",
                 probe.problems.size() * samples, probe.seconds, static_cast<long long>(id));
    curves.push_back(pass_at_k_curve(probe.problems));
  }
  const std::string from = set.file.empty() ? "seed " + std::to_string(set.seed) : "from " + set.file;
  std::printf("pass@k of run '%s' on %d held-out problems (%s), %d samples each, temperature %g\n\n%-12s",
              run.name.c_str(), curves.front().problems, from.c_str(), samples, cfg.temperature, "weights");
  for (int k : curves.front().ks) std::printf("  @%-5d", k);
  std::printf(" %8s %8s\n", "mean@n", "maj@n");
  for (size_t i = 0; i < curves.size(); ++i) {
    std::printf("%-12s", weights[i].label.c_str());
    for (double p : curves[i].pass) std::printf(" %7.4f", p);
    std::printf(" %8.4f %8.4f\n", curves[i].mean_at_n, curves[i].maj_at_n);
  }
  if (weights.size() >= 2 && weights.front().label == "base") {
    std::printf("\n");
    for (size_t i = 1; i < curves.size(); ++i) {
      const auto k = crossover_k(curves[i], curves[0]);
      if (k) {
        std::printf("%s against base: the base model is ahead from k = %d (the crossover)\n",
                    weights[i].label.c_str(), *k);
        continue;
      }
      const auto& t = curves[i].pass;
      size_t level = t.size();  // from where the two are level to the end
      while (level > 0 && std::abs(t[level - 1] - curves[0].pass[level - 1]) <= 1e-9) --level;
      std::printf("%s against base: no crossover up to k = %d; ", weights[i].label.c_str(),
                  samples);
      if (level == t.size())
        std::printf("ahead at every k\n");
      else
        std::printf("ahead below k = %d, level from there (pass@k %.4f)\n", curves[i].ks[level],
                    t[level]);
    }
  }
  return 0;
}

}  // namespace aha::cli
