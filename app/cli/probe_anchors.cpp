// aha probe anchors: which steps of a stored completion decided its answer (an anchor
// map); aha probe causal: whether a run's fixes mattered (causal verdicts). docs/ANCHORS.md.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>

#include "app/cli/args.h"
#include "app/cli/interrupt.h"
#include "app/cli/probe_commands.h"
#include "core/analysis/token_trace.h"
#include "core/rl/resample.h"
#include "core/run/anchor_records.h"
#include "core/run/causal_verdict.h"
#include "db/probe_store.h"
#include "db/run_reader.h"

namespace aha::cli {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

std::string clipped(std::string_view text, size_t width) {
  std::string s(text);
  std::replace(s.begin(), s.end(), '\n', ' ');
  while (!s.empty() && s.back() == ' ') s.pop_back();
  if (s.size() > width) s = s.substr(0, width - 3) + "...";
  return s;
}

std::vector<WeightsOnDisk> checkpoints_of(db::RunReader& reader, int64_t run_id) {
  std::vector<WeightsOnDisk> stored;
  for (const auto& [step, path] : reader.checkpoints(run_id)) stored.push_back({step, path});
  return stored;
}

void print_map(const std::string& completion, const AnchorMap& map) {
  std::printf("%5s  %-34s %12s %16s %14s %14s %9s\n", "step", "text", "kept", "resampled away", "importance",
              "effect", "came back");
  for (size_t i = 0; i < map.anchors.size(); ++i) {
    const auto& a = map.anchors[i];
    const auto text = std::string_view(completion).substr(a.step.begin, a.step.end - a.step.begin);
    char kept[32], away[32], imp[32], effect[32], back[32];
    std::snprintf(kept, sizeof kept, "%.2f (%d)", a.kept ? double(a.kept_correct) / a.kept : 0.0, a.kept);
    if (a.resampled)
      std::snprintf(away, sizeof away, "%.2f (%d/%d)", double(a.resampled_correct) / a.resampled, a.resampled,
                    a.resampled + a.rewritten_same);
    else
      std::snprintf(away, sizeof away, "same (0/%d)", a.rewritten_same);
    std::snprintf(imp, sizeof imp, a.resampled ? "%+.2f +-%.2f" : "-", a.importance, a.half_width);
    std::snprintf(effect, sizeof effect, "%+.2f +-%.2f", a.effect, a.effect_half_width);
    std::snprintf(back, sizeof back, a.resampled ? "%.2f" : "-", a.resilience);
    std::printf("%5zu  %-34s %12s %16s %14s %14s %9s\n", i + 1, clipped(text, 34).c_str(), kept, away, imp, effect,
                back);
  }
  const auto rank = anchor_ranking(map.anchors);
  std::printf("\nmost decisive:");
  int named = 0;
  for (size_t k = 0; k < std::min<size_t>(3, rank.size()); ++k)
    if (map.anchors[rank[k]].effect != 0)
      std::printf(" step %d (effect %+.2f)", rank[k] + 1, map.anchors[rank[k]].effect), ++named;
  std::printf("%s\n", named ? "" : " none (resampling no step changed the accuracy)");
}

}  // namespace

int probe_anchors(const Args& args) {
  args.allow_only({"db", "sample", "budget", "full", "seed", "weights", "help"});
  db::ProbeStore store(args.require("db"));  // first: it upgrades an older schema
  db::RunReader reader(args.require("db"), db::Access::ReadOnly);
  const auto found = sample_option(reader, args);
  const auto* sample = &found.sample;
  const auto* run = &found.run;
  const RunConfig& cfg = found.config;
  const int64_t id = sample->id;
  AnchorOptions options;
  options.full_samples = args.get_int("full", 0);
  options.budget = args.get_int("budget", 0);
  options.seed = static_cast<uint64_t>(args.get_int("seed", 1));
  if (options.full_samples < 0 || options.budget < 0) throw UsageError("--full and --budget are counts of continuations");
  const auto weights =
      probe_weights(args.get("weights", "nearest"), cfg, run->name, checkpoints_of(reader, run->id), sample->step);

  AnchorTrace trace{sample->completion, sample->reference, cfg.prompt_format().opens_think(), {}};
  const auto steps = trace_steps(trace.completion);
  if (steps.empty()) throw UsageError("sample " + std::to_string(id) + " has no thinking to map (no text before </think>)");
  if (const auto blob = reader.token_trace(id))
    if (const auto tokens = decode_token_trace(*blob)) trace.forks = fork_steps(trace.completion, steps, *tokens);
  std::printf("sample %lld of run '%s' (step %lld, %s): %zu steps, %s map from %s\n", static_cast<long long>(id),
              run->name.c_str(), static_cast<long long>(sample->step), sample->correct ? "right" : "wrong",
              steps.size(), options.full_samples ? "full" : "adaptive", weights.describe().c_str());
  std::fflush(stdout);  // the header before the progress line
  install_interrupt_handler();
  int shown = -1;
  const AnchorRequest request{cfg, weights, sample->prompt, trace, options};
  auto map = anchor_map_from(request, [&](int done, int budget) {
    const int tenth = done * 10 / std::max(1, budget);
    if (tenth != shown) std::fprintf(stderr, "\r  %d/%d continuations", done, budget);
    shown = tenth;
    return !interrupt_requested().load();
  });
  std::fprintf(stderr, "\r%40s\r", "");
  if (!map) {
    std::printf("stopped: nothing stored\n");
    return 130;
  }
  std::printf("%d continuations in %.1f s (%d steps with a forking token)\n\n", map->total(), map->seconds,
              static_cast<int>(std::count(trace.forks.begin(), trace.forks.end(), true)));
  print_map(trace.completion, *map);
  const auto record = anchors_record(run->id, id, weights.step, *map, options, sample->reference);
  std::printf("kept with the sample as probe %lld\n",
              static_cast<long long>(store.add(record.probe, record.problems, record.completions)));
  return 0;
}

int probe_causal(const Args& args) {
  args.allow_only({"db", "run", "steps", "per-step", "samples", "seed", "help"});
  db::RunReader reader(args.require("db"), db::Access::ReadOnly);
  const auto run = reader.run_by_name(args.require("run"));
  if (!run) throw UsageError("no run '" + args.require("run") + "' in this database");
  const RunConfig cfg = RunConfig::from_toml(run->config_toml, "run '" + run->name + "' (stored config)");
  int64_t from = 1, to = run->last_step;
  if (args.has("steps")) {
    const std::string range = args.get("steps");
    const auto dash = range.find('-');
    try {
      from = std::stoll(range.substr(0, dash));
      to = dash == std::string::npos ? from : std::stoll(range.substr(dash + 1));
    } catch (const std::exception&) {
      throw UsageError("--steps " + range + ": a step or a range of steps, like 1-10");
    }
  }
  const int per_step = args.get_int("per-step", 4), samples = args.get_int("samples", 16);
  if (per_step < 1 || samples < 1) throw UsageError("--per-step and --samples are at least 1");
  const uint64_t seed = static_cast<uint64_t>(args.get_int("seed", 1));
  const auto stored = checkpoints_of(reader, run->id);
  const bool opens = cfg.prompt_format().opens_think();
  std::mt19937_64 draw(seed);
  std::map<int64_t, std::unique_ptr<PrefixContinuer>> continuers;  // by checkpoint step
  int judged = 0, causal = 0;
  std::printf("fixes of run '%s', steps %lld-%lld: each resampled away (%d continuations) against kept (%d)\n",
              run->name.c_str(), static_cast<long long>(from), static_cast<long long>(to), samples, samples);
  install_interrupt_handler();
  const auto start = std::chrono::steady_clock::now();
  for (int64_t step = from; step <= to && !interrupt_requested().load(); ++step) {
    db::SampleFilter filter;
    filter.run_id = run->id;
    filter.step_min = filter.step_max = step;
    filter.real_aha_only = true;
    auto rows = reader.samples(filter, db::SampleOrder::StepThenId, false, 10000).rows;
    std::shuffle(rows.begin(), rows.end(), draw);
    const auto weights = nearest_weights(cfg, stored, step);
    auto& continuer = continuers[weights.step];
    if (!continuer) continuer = std::make_unique<PrefixContinuer>(cfg, weights, seed);
    int step_judged = 0, step_causal = 0;
    for (const auto& row : rows) {
      if (step_judged == per_step) break;
      for (const auto& e : events_from_json(row.aha_events_json.value_or(""))) {
        if (e.outcome != ReflectionOutcome::Fix) continue;
        const auto steps = trace_steps(row.completion);
        const auto span = event_steps(row.completion, steps, e);
        if (!span) continue;
        const AnchorTrace trace{row.completion, row.reference, opens, {}};
        const auto v = causal_verdict(trace, steps, *span, samples, continuer->sampler(row.prompt));
        ++step_judged;
        step_causal += v.causal();
        break;  // one fix per completion
      }
    }
    judged += step_judged;
    causal += step_causal;
    std::printf("  step %4lld: %d of %d fixes causal (%s)\n", static_cast<long long>(step), step_causal, step_judged,
                weights.describe().c_str());
  }
  std::printf("causal share of fixes: %d of %d = %.2f (%.1f s)\n", causal, judged, judged ? double(causal) / judged : 0.0,
              seconds_since(start));
  return 0;
}

}  // namespace aha::cli
