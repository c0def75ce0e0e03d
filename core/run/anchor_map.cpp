#include "core/run/anchor_map.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "core/analysis/answer_trajectory.h"
#include "core/analysis/token_lens.h"
#include "core/analysis/token_trace.h"
#include "core/tasks/rewards.h"

namespace aha {

namespace {

// Laplace-smoothed share, so that 0/8 and 8/8 carry their uncertainty.
double smoothed(int k, int n) { return (k + 1.0) / (n + 2.0); }

// 95% half-width of a difference of two shares, each Laplace-smoothed.
double half_width(int k1, int n1, int k2, int n2) {
  const double p1 = smoothed(k1, n1), p2 = smoothed(k2, n2);
  return 1.96 * std::sqrt(p1 * (1 - p1) / (n1 + 2) + p2 * (1 - p2) / (n2 + 2));
}

// KL(P || Q) of two answer distributions, each smoothed by half a count over their union.
double answer_kl(const std::map<std::string, int>& p, int np, const std::map<std::string, int>& q, int nq) {
  std::map<std::string, int> all = p;
  for (const auto& [a, n] : q) all[a];
  const double k = static_cast<double>(all.size());
  double kl = 0;
  for (const auto& [a, unused] : all) {
    const auto pi = p.find(a), qi = q.find(a);
    const double x = ((pi == p.end() ? 0 : pi->second) + 0.5) / (np + 0.5 * k);
    const double y = ((qi == q.end() ? 0 : qi->second) + 0.5) / (nq + 0.5 * k);
    kl += x * std::log(x / y);
  }
  return kl;
}

}  // namespace

int AnchorMap::total() const {
  int n = 0;
  for (const auto& b : continuations) n += static_cast<int>(b.size());
  return n;
}

void judge_continuation(const AnchorTrace& trace, const std::string& prefix, AnchorContinuation& c) {
  const auto parsed = parse_response((trace.opens_think ? "<think>" : "") + prefix + c.text);
  c.answer = parsed.has_answer ? parsed.answer : "";
  c.correct = parsed.has_answer && (trace.is_right ? trace.is_right(parsed.answer)
                                                  : numeric_judge(trace.reference)(parsed.answer).value_or(false));
}

StepAnchor score_span(std::string_view original, const std::vector<AnchorContinuation>& before,
                      const std::vector<AnchorContinuation>& after) {
  StepAnchor a;
  std::map<std::string, int> kept_answers, resampled_answers;
  for (const auto& c : after) {
    ++a.kept;
    a.kept_correct += c.correct;
    ++kept_answers[c.answer];
  }
  int before_correct = 0;
  for (const auto& c : before) {
    before_correct += c.correct;
    const std::string_view text = c.text;
    const auto later = trace_steps(text);
    auto step = [&](size_t k) { return text.substr(later[k].begin, later[k].end - later[k].begin); };
    if (same_step(original, later.empty() ? std::string_view() : step(0))) {
      ++a.rewritten_same;
      continue;
    }
    ++a.resampled;
    a.resampled_correct += c.correct;
    ++resampled_answers[c.answer];
    for (size_t k = 1; k < later.size(); ++k)
      if (same_step(original, step(k))) {
        ++a.came_back;
        break;
      }
  }
  if (a.resampled > 0 && a.kept > 0) {
    a.importance = double(a.kept_correct) / a.kept - double(a.resampled_correct) / a.resampled;
    a.half_width = half_width(a.kept_correct, a.kept, a.resampled_correct, a.resampled);
    a.kl = answer_kl(kept_answers, a.kept, resampled_answers, a.resampled);
    a.resilience = double(a.came_back) / a.resampled;
    a.effect = a.importance * a.resampled / static_cast<double>(before.size());
  }
  if (a.kept > 0 || !before.empty())
    a.effect_half_width = half_width(a.kept_correct, a.kept, before_correct, static_cast<int>(before.size()));
  return a;
}

std::vector<StepAnchor> score_anchors(const std::string& completion, const std::vector<TraceStep>& steps,
                                      const std::vector<std::vector<AnchorContinuation>>& continuations) {
  std::vector<StepAnchor> out(steps.size());
  for (size_t i = 0; i < steps.size() && i + 1 < continuations.size(); ++i) {
    const auto& s = steps[i];
    out[i] = score_span(std::string_view(completion).substr(s.begin, s.end - s.begin), continuations[i],
                        continuations[i + 1]);
    out[i].step = s;
  }
  return out;
}

std::vector<int> anchor_ranking(const std::vector<StepAnchor>& anchors) {
  std::vector<int> order(anchors.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return std::abs(anchors[a].effect) > std::abs(anchors[b].effect);
  });
  return order;
}

std::optional<AnchorMap> anchor_map(const AnchorTrace& trace, const AnchorOptions& o, const AnchorSampler& sample,
                                    const std::function<bool(int, int)>& progress) {
  AnchorMap map;
  map.steps = trace_steps(trace.completion);
  map.adaptive = o.full_samples <= 0;
  const int boundaries = static_cast<int>(map.steps.size()) + 1;
  map.continuations.resize(boundaries);
  auto boundary_byte = [&](int j) { return j < boundaries - 1 ? map.steps[j].begin : map.steps.back().end; };
  if (map.steps.empty()) return map;
  const int budget = map.adaptive ? (o.budget > 0 ? o.budget : 16 * boundaries) : o.full_samples * boundaries;
  int done = 0;

  // Draws `want[j]` more continuations at each boundary, in sampler calls of o.batch.
  auto draw = [&](const std::vector<int>& want) {
    std::vector<int> rows;
    for (int j = 0; j < boundaries; ++j) rows.insert(rows.end(), want[j], j);
    for (size_t at = 0; at < rows.size(); at += o.batch) {
      const size_t end = std::min(rows.size(), at + o.batch);
      std::vector<std::string> prefixes;
      for (size_t r = at; r < end; ++r) prefixes.push_back(trace.completion.substr(0, boundary_byte(rows[r])));
      auto got = sample(prefixes);
      for (size_t r = at; r < end; ++r) {
        auto& c = got[r - at];
        judge_continuation(trace, prefixes[r - at], c);
        map.continuations[rows[r]].push_back(std::move(c));
      }
      done += static_cast<int>(end - at);
      if (progress && !progress(done, budget)) return false;
    }
    return true;
  };

  auto fork = [&](int step) { return step < static_cast<int>(trace.forks.size()) && trace.forks[step]; };
  std::vector<int> want(boundaries);
  if (!map.adaptive) {
    std::fill(want.begin(), want.end(), o.full_samples);
    if (!draw(want)) return std::nullopt;
    map.anchors = score_anchors(trace.completion, map.steps, map.continuations);
    return map;
  }
  const int start = std::max(2, std::min(o.start_samples, budget / (2 * boundaries)));
  for (int j = 0; j < boundaries; ++j) want[j] = std::min(budget - done, fork(j) ? 2 * start : start);
  if (!draw(want)) return std::nullopt;
  for (;;) {
    map.anchors = score_anchors(trace.completion, map.steps, map.continuations);
    auto size = [&](int j) { return static_cast<int>(map.continuations[j].size()); };
    // Widest intervals first, a fork's counted half again as wide.
    std::vector<int> open;
    for (int i = 0; i + 1 < boundaries; ++i)
      if (map.anchors[i].effect_half_width > o.target_half_width &&
          (size(i) < o.max_samples || size(i + 1) < o.max_samples))
        open.push_back(i);
    auto weight = [&](int i) { return map.anchors[i].effect_half_width * (fork(i) ? 1.5 : 1.0); };
    std::stable_sort(open.begin(), open.end(), [&](int a, int b) { return weight(a) > weight(b); });
    std::fill(want.begin(), want.end(), 0);
    int asked = 0;
    for (int i : open) {
      if (asked + o.round_samples > std::min(o.batch, budget - done)) break;
      // The side whose accuracy is less certain.
      auto variance = [&](int j) {
        const auto& c = map.continuations[j];
        const double p = smoothed(static_cast<int>(std::count_if(c.begin(), c.end(), [](auto& x) { return x.correct; })),
                                  size(j));
        return p * (1 - p) / (size(j) + 2);
      };
      const bool before = variance(i) >= variance(i + 1);
      int j = before ? i : i + 1;
      if (size(j) + want[j] + o.round_samples > o.max_samples) j = before ? i + 1 : i;
      if (size(j) + want[j] + o.round_samples > o.max_samples) continue;
      want[j] += o.round_samples;
      asked += o.round_samples;
    }
    if (asked == 0) break;
    if (!draw(want)) return std::nullopt;
  }
  return map;
}

std::vector<bool> fork_steps(const std::string& completion, const std::vector<TraceStep>& steps,
                             const TokenTrace& tokens) {
  // Token begins are in code points, steps in bytes.
  std::vector<uint32_t> point_at(completion.size() + 1, 0);
  for (size_t b = 0, p = 0; b <= completion.size(); ++b) {
    point_at[b] = static_cast<uint32_t>(p);
    if (b < completion.size() && (static_cast<unsigned char>(completion[b]) & 0xC0) != 0x80) ++p;
  }
  std::vector<bool> out(steps.size(), false);
  for (size_t t = 0; t < tokens.size(); ++t) {
    if (tokens.entropies[t] < kForkingFloor) continue;
    for (size_t s = 0; s < steps.size(); ++s)
      if (tokens.begins[t] >= point_at[steps[s].begin] && tokens.begins[t] < point_at[steps[s].end]) out[s] = true;
  }
  return out;
}

}  // namespace aha
