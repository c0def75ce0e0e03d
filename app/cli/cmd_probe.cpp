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
#include "core/rl/resample.h"
#include "core/run/continuations.h"
#include "db/run_reader.h"

namespace aha::cli {

namespace {

const char* kUsage =
    "usage: aha probe passk --db FILE --run NAME [--weights base,final] [--problems 32]\n"
    "                       [--samples 64] [--seed 1234]\n"
    "       aha probe resample --db FILE --sample ID --before TEXT [--occurrence 1]\n"
    "                       [--insert TEXT] [--samples 64] [--seed 1] [--weights nearest]\n\n"
    "pass@k of a run's stored weights on a probe set held out from training: --problems\n"
    "problems of the run's task drawn with --seed (the trainer draws with the run's own seed),\n"
    "each sampled --samples times at the run's temperature. Prints the unbiased pass@k for\n"
    "k = 1, 2, 4, ... up to --samples, mean@n and maj@n, for each of --weights: base (the run's\n"
    "model), final (its last checkpoint on disk), all (base and every checkpoint on disk), or\n"
    "step numbers (\"base,49,final\"); then where the base model catches up (the crossover k).\n"
    "During training, the per-step metric pass@group is pass@G of the training groups.\n\n"
    "resample: continues a stored completion from just before the --occurrence'th TEXT in it\n"
    "(with --insert, that text is added first: e.g. --before wait --insert wait forces the\n"
    "word, without it the model chooses), --samples times from the stored weights nearest\n"
    "those that drew it (or --weights base, final, a step). Prints the accuracy of the\n"
    "continuations and the outcomes of their reflection events after the point.\n";

struct Weights {
  std::string label, path;
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
                                " is beyond its " + std::to_string(run.last_step + 1) + " steps"
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
      out.push_back({"base", resolve_model_path(cfg.model).string()});
    } else if (item == "final") {
      if (on_disk.empty()) throw none_on_disk();
      out.push_back({"step " + std::to_string(on_disk.back().first), on_disk.back().second});
    } else if (item == "all") {
      out.push_back({"base", resolve_model_path(cfg.model).string()});
      for (const auto& [step, path] : on_disk)
        out.push_back({"step " + std::to_string(step), path});
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
      out.push_back({"step " + item, it->second});
    }
  }
  return out;
}

void print_stats(const char* what, const ContinuationStats& st) {
  std::printf("%s: accuracy %.3f (%d/%d right, %d answered, %d cut at the length limit)\n", what,
              st.samples ? double(st.correct) / st.samples : 0.0, st.correct, st.samples, st.answered,
              st.truncated);
  std::printf("  reflection after the point: %d of %d (%d with a fix, the real aha); events:", st.reflective,
              st.samples, st.fixed);
  for (int o = 0; o < kReflectionOutcomes; ++o)
    if (st.outcomes[o]) std::printf(" %s %d", to_string(static_cast<ReflectionOutcome>(o)), st.outcomes[o]);
  std::printf("\n");
}

int resample(const Args& args) {
  args.allow_only({"db", "sample", "before", "occurrence", "insert", "samples", "seed", "weights", "help"});
  db::RunReader reader(args.require("db"), /*read_only=*/true);
  const int64_t id = std::stoll(args.require("sample"));
  const auto sample = reader.sample(id);
  if (!sample) throw UsageError("no sample " + std::to_string(id) + " in this database");
  const auto run = reader.run(sample->run_id);
  const RunConfig cfg = RunConfig::from_toml(run->config_toml, "run '" + run->name + "' (stored config)");
  const std::string before = args.require("before");
  const int occurrence = args.get_int("occurrence", 1);
  size_t at = std::string::npos;
  for (int k = 0, from = 0; k < occurrence; ++k, from = static_cast<int>(at) + 1)
    if ((at = sample->completion.find(before, from)) == std::string::npos) break;
  if (at == std::string::npos)
    throw UsageError("--before: \"" + before + "\" occurs fewer than " + std::to_string(occurrence) +
                     " time(s) in sample " + std::to_string(id) + "'s completion");
  std::vector<WeightsOnDisk> stored;
  for (const auto& [step, path] : reader.checkpoints(run->id)) stored.push_back({step, path});
  const std::string which = args.get("weights", "nearest");
  ResampleRequest request;
  request.run = cfg;
  if (which == "nearest") {
    request.weights = nearest_weights(cfg, stored, sample->step);
  } else if (which == "base") {
    request.weights = {-1, resolve_model_path(cfg.model).string()};
  } else {
    const int64_t want = which == "final" ? INT64_MAX : std::stoll(which);
    for (const auto& w : stored)
      if (std::filesystem::exists(std::filesystem::path(w.path) / "config.json") &&
          (w.step == want || (want == INT64_MAX && w.step > request.weights.step)))
        request.weights = w;
    if (request.weights.path.empty())
      throw UsageError("--weights " + which + ": no such checkpoint of run '" + run->name + "' on disk");
  }
  request.prompt = sample->prompt;
  request.prefix = sample->completion.substr(0, at) + args.get("insert", "");
  request.samples = args.get_int("samples", 64);
  request.seed = static_cast<uint64_t>(args.get_int("seed", 1));
  const bool opens = cfg.prompt_format().opens_think();
  const ReflectionDetector detector(cfg.lexicon());

  std::printf("sample %lld of run '%s' (step %lld), continued from before \"%s\" (character %zu)%s\n",
              static_cast<long long>(id), run->name.c_str(), static_cast<long long>(sample->step), before.c_str(),
              at, args.has("insert") ? (" with \"" + args.get("insert") + "\" inserted").c_str() : "");
  const std::string tail = request.prefix.size() > 60 ? "..." + request.prefix.substr(request.prefix.size() - 60)
                                                      : request.prefix;
  std::printf("prefix: %s|\n", tail.c_str());
  const auto result = resample_from(request);
  TokenAlternatives where;  // for the words on the weights used
  where.weights = request.weights;
  where.sampled_by = sample->step - 1;
  std::printf("weights: %s (%s), %s\n\n", request.weights.describe().c_str(), request.weights.path.c_str(),
              where.distance().c_str());
  print_stats("original", judge_continuations(sample->completion.substr(0, at), at, {sample->completion.substr(at)},
                                              {sample->truncated}, sample->reference, opens, detector));
  char label[96];
  std::snprintf(label, sizeof label, "%d continuations (seed %llu, %.1f s)", request.samples,
                static_cast<unsigned long long>(request.seed), result.seconds);
  print_stats(label, judge_continuations(request.prefix, at, result.continuations, result.truncated, sample->reference,
                                         opens, detector));
  std::printf("\nthe first three:\n");
  for (size_t i = 0; i < std::min<size_t>(3, result.continuations.size()); ++i)
    std::printf("  |%s\n", result.continuations[i].c_str());
  return 0;
}

}  // namespace

int cmd_probe(int argc, char** argv, int first) {
  Args args(argc, argv, first, {"help"});
  if (args.has("help") || args.positional().empty()) {
    std::fputs(kUsage, stdout);
    return args.has("help") ? 0 : 2;
  }
  if (args.positional()[0] == "resample") return resample(args);
  if (args.positional()[0] != "passk")
    throw UsageError("'" + args.positional()[0] + "' is not a probe (passk, resample)");
  args.allow_only({"db", "run", "weights", "problems", "samples", "seed", "help"});
  const std::string db = args.require("db");
  db::RunReader reader(db, /*read_only=*/true);
  const auto run = reader.require_run(args.require("run"));
  const RunConfig cfg =
      RunConfig::from_toml(run.config_toml, "run '" + run.name + "' (stored config)");
  const int problems = args.get_int("problems", 32), samples = args.get_int("samples", 64);
  if (problems < 1 || samples < 1) throw UsageError("--problems and --samples must be at least 1");
  const auto weights =
      choose_weights(args.get("weights", "base,final"), cfg, run, reader.checkpoints(run.id));
  const uint64_t seed = static_cast<uint64_t>(args.get_int("seed", 1234));
  install_interrupt_handler();  // Ctrl-C stops after the batch in hand
  std::vector<PassAtKCurve> curves;
  for (const auto& w : weights) {
    std::fprintf(stderr, "%s (%s): %d problems x %d samples\n", w.label.c_str(), w.path.c_str(),
                 problems, samples);
    const bool tty = isatty(fileno(stderr));
    const auto probe =
        probe_pass_at_k(cfg, w.path, problems, samples, seed, [&](int done, int total) {
          if (tty) std::fprintf(stderr, "\r  %d/%d completions", done, total);
          return !interrupt_requested().load();
        });
    std::fprintf(stderr, "%s  %d completions in %.1f s\n", tty ? "\r" : "", problems * samples,
                 probe.seconds);
    curves.push_back(pass_at_k_curve(probe.problems));
  }
  std::printf(
      "pass@k of run '%s' on %d held-out problems (seed %llu), %d samples each, temperature "
      "%g\n\n%-12s",
      run.name.c_str(), problems, static_cast<unsigned long long>(seed), samples, cfg.temperature,
      "weights");
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
