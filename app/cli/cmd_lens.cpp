#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "core/analysis/covariance_tokens.h"
#include "core/analysis/entropy_fit.h"
#include "core/run/run_config.h"
#include "core/analysis/token_trace.h"
#include "core/text/unicode_text.h"
#include "core/rl/token_alternatives.h"
#include "db/run_reader.h"

namespace aha::cli {

namespace {

const char* kUsage =
    "usage: aha lens --db FILE --run NAME\n"
    "       aha lens --db FILE --run NAME --covariance STEP [--top 20]\n"
    "       aha lens --db FILE --sample ID --token N [--top K]\n\n"
    "The token lens (docs/TOKEN_LENS.md). With --run: the run's per-step token statistics,\n"
    "first 10 steps against the last 10 (mean entropy, forking tokens' entropy, the share of\n"
    "near-certain tokens, entropy at reflection phrases against elsewhere), and the fit of\n"
    "reward against entropy R = -a*exp(H) + b with its predicted ceiling -a + b, the forecast\n"
    "it made at 25%% of the steps and the entropy-collapse warning.\n"
    "With --covariance STEP: that step's --top tokens of highest covariance of log p and\n"
    "advantage (Cui et al. 2025; what Clip-Cov and KL-Cov act on), each with its sample and\n"
    "the text around it.\n"
    "With --sample and --token (1 = the first token of the completion): the top K (5) tokens\n"
    "at that position, recomputed from the stored weights nearest those that sampled it.\n";

double mean(const std::vector<double>& v, size_t from, size_t to) {
  double s = 0;
  for (size_t i = from; i < to; ++i) s += v[i];
  return to > from ? s / (to - from) : NAN;
}

int report(db::RunReader& reader, const db::RunSummary& run) {
  const char* names[] = {"lens/entropy_mean", "lens/fork_entropy", "lens/fork_threshold", "lens/certain_share",
                         "lens/entropy_at_reflection", "lens/entropy_elsewhere", "reward", "accuracy"};
  std::map<std::string, std::map<int64_t, double>> series;
  for (const char* n : names)
    for (const auto& p : reader.metric_series(run.id, n))
      if (std::isfinite(p.value)) series[n][p.step] = p.value;
  const auto& entropy = series["lens/entropy_mean"];
  if (entropy.empty()) {
    std::printf("run '%s' has no token lens: %s\n", run.name.c_str(),
                run.source == "local" ? "it kept no token data (token_lens = false, or stored before the lens)"
                                      : ("runs imported from " + run.source + " keep decoded text only").c_str());
    return 1;
  }
  std::printf("run '%s': token lens over %zu steps\n\n%-28s %10s %10s\n", run.name.c_str(), entropy.size(), "",
              "first 10", "last 10");
  for (const char* n : names) {
    std::vector<double> v;
    for (const auto& [step, value] : series[n]) v.push_back(value);
    if (v.empty()) continue;
    const size_t ten = std::min<size_t>(10, v.size());
    std::printf("%-28s %10.4f %10.4f\n", n, mean(v, 0, ten), mean(v, v.size() - ten, v.size()));
  }
  // Reward against entropy, step by step (the steps that have both).
  std::vector<double> h, r;
  for (const auto& [step, value] : entropy)
    if (auto it = series["reward"].find(step); it != series["reward"].end()) h.push_back(value), r.push_back(it->second);
  const auto fit = fit_entropy_reward(h, r);
  if (!fit) {
    std::printf("\nreward against entropy: too few steps with both (%zu) to fit\n", h.size());
    return 0;
  }
  double most = 0;  // the most the reward can be, from the run's own config
  try {
    most = RunConfig::from_toml(run.config_toml, "run '" + run.name + "'").max_total_reward();
  } catch (const std::exception&) {
  }
  const std::string caveat = ceiling_caveat(*fit, most);
  std::printf("\nreward = -a*exp(H) + b over %d steps (Cui et al. 2025): a = %.4f, b = %.4f, R^2 = %.3f\n"
              "predicted ceiling (H = 0): %.4f%s%s; reached: %.4f (best 10-step mean), %.4f (last 10 steps)\n",
              fit->points, fit->a, fit->b, fit->r2, fit->ceiling(), caveat.empty() ? "" : ", ", caveat.c_str(),
              best_window_mean(r), mean(r, r.size() - std::min<size_t>(10, r.size()), r.size()));
  // What the fit would have said a quarter of the way, against what the run then did.
  const double last10 = mean(r, r.size() - std::min<size_t>(10, r.size()), r.size());
  if (const auto early = forecast_ceiling(h, r, r.size() / 4))
    std::printf("forecast at 25%% of the steps (%zu): ceiling %.4f [%.4f, %.4f] (95%%, bootstrap); the last 10 steps "
                "reached %.4f: %s\n",
                early->steps, early->fit.ceiling(), early->low, early->high, last10,
                last10 < early->low ? "below the interval" : last10 > early->high ? "above the interval" : "inside it");
  // Entropy collapse: forking tokens' entropy below half its start while reward still rose.
  std::vector<double> fork;
  std::vector<int64_t> fork_steps;
  for (const auto& [step, value] : series["lens/fork_entropy"])
    if (series["reward"].count(step)) fork.push_back(value), fork_steps.push_back(step);
  std::vector<double> fr;
  for (const auto step : fork_steps) fr.push_back(series["reward"][step]);
  if (const auto at = collapse_warning(fork, fr)) {
    const size_t i = *at;
    std::printf("entropy-collapse warning at step %lld: forking tokens' entropy below half its first 10 steps' while "
                "reward still rose; reward: %.4f over the 10 steps to it, %.4f over the last 10\n",
                static_cast<long long>(fork_steps[i]), mean(fr, i + 1 - 10, i + 1), last10);
  } else {
    std::printf("no entropy-collapse warning: forking tokens' entropy never fell below half its first 10 steps' while "
                "reward rose\n");
  }
  return 0;
}

int alternatives(db::RunReader& reader, int64_t sample_id, int token, int top) {
  const auto sample = reader.sample(sample_id);
  if (!sample) throw UsageError("no sample " + std::to_string(sample_id) + " in this database");
  const auto run = reader.run(sample->run_id);
  const auto blob = reader.token_trace(sample_id);
  const auto trace = blob ? decode_token_trace(*blob) : std::nullopt;
  if (!trace)
    throw std::runtime_error("sample " + std::to_string(sample_id) + " of run '" + run->name +
                             "' has no token data, so its tokens are unknown (" +
                             (run->source == "local" ? "token_lens was off" : "imported from " + run->source) + ")");
  if (token < 1 || token > static_cast<int>(trace->size()))
    throw UsageError("--token: " + std::to_string(token) + " is not a token of this completion (1.." +
                     std::to_string(trace->size()) + ")");
  const RunConfig cfg = RunConfig::from_toml(run->config_toml, "run '" + run->name + "' (stored config)");
  std::vector<WeightsOnDisk> stored;
  for (const auto& [step, path] : reader.checkpoints(run->id)) stored.push_back({step, path});
  AlternativesRequest request{cfg, nearest_weights(cfg, stored, sample->step), sample->step, sample->prompt,
                              std::vector<int>(trace->ids.begin(), trace->ids.end()), size_t(token - 1), top};
  const auto alt = token_alternatives(request);
  std::printf("sample %lld (step %lld), token %d \"%s\": stored log p %.3f, entropy %.3f nats\n",
              static_cast<long long>(sample_id), static_cast<long long>(sample->step), token, alt.sampled_text.c_str(),
              trace->logprobs[token - 1], trace->entropies[token - 1]);
  std::printf("recomputed from %s (%s): %s\n", alt.weights.describe().c_str(), alt.weights.path.c_str(),
              alt.distance().c_str());
  std::printf("  p(sampled) = %.4f\n", alt.sampled_probability);
  for (const auto& [text, p] : alt.top) std::printf("  %-12s %.4f\n", ("\"" + text + "\"").c_str(), p);
  return 0;
}

// The step's tokens of highest covariance, each with its sample and the text around it.
int covariance(db::RunReader& reader, const db::RunSummary& run, int64_t step, int top) {
  db::SampleFilter f;
  f.run_id = run.id;
  f.step_min = f.step_max = step;
  const auto rows = reader.samples(f, db::SampleOrder::StepThenId, false, 100000).rows;
  std::vector<TokenTrace> traces;
  std::vector<double> advantages;
  std::vector<const db::SampleRow*> of;
  for (const auto& r : rows)
    if (const auto blob = reader.token_trace(r.id))
      if (auto t = decode_token_trace(*blob)) traces.push_back(std::move(*t)), advantages.push_back(r.advantage), of.push_back(&r);
  if (traces.empty())
    throw UsageError("step " + std::to_string(step) + " of run '" + run.name + "' has no token lens (no samples, or none kept)");
  const auto cov = top_covariance_tokens(traces, advantages, static_cast<size_t>(std::max(1, top)));
  std::printf("step %lld of run '%s': %zu completion tokens, mean covariance %.4f; the top %zu carry %.0f%% of the "
              "positive covariance\n\n%5s %8s %6s %-10s %8s %8s %10s %11s  %s\n",
              static_cast<long long>(step), run.name.c_str(), cov.tokens, cov.mean, cov.top.size(), 100 * cov.top_share,
              "rank", "sample", "token", "text", "log p", "entropy", "advantage", "covariance", "context");
  for (size_t k = 0; k < cov.top.size(); ++k) {
    const auto& t = cov.top[k];
    const auto& trace = traces[t.completion];
    const std::string& text = of[t.completion]->completion;
    const auto points = static_cast<uint32_t>(
        std::count_if(text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; }));
    const size_t begin = unicode::byte_of_code_point(text, trace.begins[t.token]);
    const size_t end = unicode::byte_of_code_point(text, trace.end_of(t.token, points));
    const size_t from = unicode::byte_of_code_point(text, trace.begins[t.token] > 24 ? trace.begins[t.token] - 24 : 0);
    const size_t to = unicode::byte_of_code_point(text, trace.end_of(t.token, points) + 24);
    auto clean = [](std::string s) {
      std::replace(s.begin(), s.end(), '\n', ' ');
      return s;
    };
    const std::string token = "\"" + clean(text.substr(begin, end - begin)) + "\"";
    std::printf("%5zu %8lld %6zu %-10s %8.3f %8.3f %+10.3f %11.4f  ...%s[%s]%s...\n", k + 1,
                static_cast<long long>(of[t.completion]->id), t.token + 1, token.c_str(), t.logprob, t.entropy,
                t.advantage, t.covariance, clean(text.substr(from, begin - from)).c_str(),
                clean(text.substr(begin, end - begin)).c_str(), clean(text.substr(end, to - end)).c_str());
  }
  return 0;
}

}  // namespace

int cmd_lens(int argc, char** argv, int first) {
  Args args(argc, argv, first, {"help"});
  if (args.has("help")) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  args.allow_only({"db", "run", "sample", "token", "top", "covariance", "help"});
  db::RunReader reader(args.require("db"), db::Access::ReadOnly);
  if (args.has("sample")) {
    if (!args.has("token")) throw UsageError("--sample needs --token N (1 = the completion's first token)");
    return alternatives(reader, std::stoll(args.require("sample")), args.get_int("token", 1), args.get_int("top", 5));
  }
  if (args.has("covariance"))
    return covariance(reader, reader.require_run(args.require("run")), args.get_int("covariance", 1),
                      args.get_int("top", 20));
  return report(reader, reader.require_run(args.require("run")));
}

}  // namespace aha::cli
