// Adaptive anchor maps against full ones (docs/ANCHORS.md), on stored demo traces.
//   build/tests/bench/bench_anchors DB RUN [traces=10] [full=64] [seed=1] [per-boundary=16]
// Picks traces with a fix, a ritual and a confirm, from the run's first and last 20 steps
// (round-robin, by sample id from a seeded shuffle); for each, a full map (`full`
// continuations at every boundary, seed `seed`) and an adaptive one (a budget of
// `per-boundary` continuations per boundary, the default 16 a quarter of a 64-sample map;
// seed `seed` + 1: independent draws), both from the weights
// nearest the sample's step. Prints per trace: steps, continuations, the adaptive map's
// time, how many of the full map's top 3 the adaptive top 3 holds, and Spearman's rho of
// the two maps' |effect|s (what the maps rank by) and of their importances.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <numeric>
#include <random>
#include <string>

#include "core/analysis/reflection_events.h"
#include "core/rl/resample.h"
#include "core/run/anchor_map.h"
#include "db/run_reader.h"

using namespace aha;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::vector<double> ranks(const std::vector<double>& v) {  // average ranks for ties
  std::vector<int> order(v.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int a, int b) { return v[a] < v[b]; });
  std::vector<double> r(v.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
    for (size_t k = i; k <= j; ++k) r[order[k]] = (i + j) / 2.0 + 1;
    i = j + 1;
  }
  return r;
}

double spearman(const std::vector<double>& x, const std::vector<double>& y) {
  const auto a = ranks(x), b = ranks(y);
  const double ma = std::accumulate(a.begin(), a.end(), 0.0) / a.size(), mb = std::accumulate(b.begin(), b.end(), 0.0) / b.size();
  double sab = 0, saa = 0, sbb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : NAN;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: bench_anchors DB RUN [traces=10] [full=64] [seed=1] [per-boundary=16]\n");
    return 2;
  }
  const int want = argc > 3 ? std::atoi(argv[3]) : 10, full = argc > 4 ? std::atoi(argv[4]) : 64;
  const uint64_t seed = argc > 5 ? std::strtoull(argv[5], nullptr, 10) : 1;
  const int per_boundary = argc > 6 ? std::atoi(argv[6]) : 16;
  db::RunReader reader(argv[1], db::Access::ReadOnly);
  const auto run = reader.run_by_name(argv[2]);
  if (!run) {
    std::fprintf(stderr, "no run '%s' in %s\n", argv[2], argv[1]);
    return 2;
  }
  const RunConfig cfg = RunConfig::from_toml(run->config_toml, "stored config");
  std::vector<WeightsOnDisk> stored;
  for (const auto& [step, path] : reader.checkpoints(run->id)) stored.push_back({step, path});

  // Candidates by (outcome, early/late).
  const ReflectionOutcome kinds[] = {ReflectionOutcome::Fix, ReflectionOutcome::Ritual, ReflectionOutcome::Confirm};
  std::map<std::pair<int, int>, std::vector<db::SampleRow>> pool;
  for (int late = 0; late < 2; ++late) {
    db::SampleFilter f;
    f.run_id = run->id;
    f.step_min = late ? run->last_step - 19 : 1;
    f.step_max = late ? run->last_step : 20;
    auto rows = reader.samples(f, db::SampleOrder::StepThenId, false, 100000).rows;
    std::shuffle(rows.begin(), rows.end(), std::mt19937_64(seed));
    for (const auto& r : rows)
      for (int k = 0; k < 3; ++k) {
        bool has = false;
        for (const auto& e : events_from_json(r.aha_events_json.value_or(""))) has |= e.outcome == kinds[k];
        if (has && r.correct) pool[{k, late}].push_back(r);
      }
  }
  std::vector<db::SampleRow> traces;
  std::vector<std::string> labels;
  for (size_t round = 0; static_cast<int>(traces.size()) < want && round < 20; ++round)
    for (int late = 0; late < 2 && static_cast<int>(traces.size()) < want; ++late)
      for (int k = 0; k < 3 && static_cast<int>(traces.size()) < want; ++k) {
        auto& p = pool[{k, late}];
        while (round < p.size() && std::any_of(traces.begin(), traces.end(), [&](auto& x) { return x.id == p[round].id; }))
          p.erase(p.begin() + round);
        if (round < p.size()) {
          traces.push_back(p[round]);
          labels.push_back(std::string(to_string(kinds[k])) + (late ? " late" : " early"));
        }
      }

  std::printf("%-14s %6s %5s %5s %10s %9s %8s %6s %9s %9s\n", "trace", "sample", "step", "steps", "full", "adaptive",
              "share", "time", "top3", "rho(eff) rho(imp)");
  double all_time = 0;
  int agree_ok = 0, rho_ok = 0;
  for (size_t t = 0; t < traces.size(); ++t) {
    const auto& s = traces[t];
    const AnchorTrace trace{s.completion, s.reference, cfg.prompt_format().opens_think(), {}};
    const auto weights = nearest_weights(cfg, stored, s.step);
    AnchorOptions of;
    of.full_samples = full;
    PrefixContinuer a(cfg, weights, seed);
    const auto ref = *anchor_map(trace, of, a.sampler(s.prompt));
    const auto start = Clock::now();
    PrefixContinuer b(cfg, weights, seed + 1);
    AnchorOptions oa;
    oa.budget = per_boundary * (static_cast<int>(ref.steps.size()) + 1);
    const auto ada = *anchor_map(trace, oa, b.sampler(s.prompt));
    const double secs = seconds_since(start);
    all_time += secs;
    const auto r1 = anchor_ranking(ref.anchors), r2 = anchor_ranking(ada.anchors);
    int agree = 0;
    for (size_t i = 0; i < std::min<size_t>(3, r1.size()); ++i)
      for (size_t j = 0; j < std::min<size_t>(3, r2.size()); ++j) agree += r1[i] == r2[j];
    std::vector<double> s1, s2, i1, i2;
    for (size_t i = 0; i < ref.anchors.size(); ++i) {
      s1.push_back(std::abs(ref.anchors[i].effect));
      s2.push_back(std::abs(ada.anchors[i].effect));
      i1.push_back(ref.anchors[i].importance);
      i2.push_back(ada.anchors[i].importance);
    }
    const double rho = spearman(s1, s2), rho_i = spearman(i1, i2);
    agree_ok += agree >= 2;
    rho_ok += rho >= 0.85;
    std::printf("%-14s %6lld %5lld %5zu %10d %9d %8.2f %5.1fs %9d %8.2f %8.2f\n", labels[t].c_str(),
                static_cast<long long>(s.id), static_cast<long long>(s.step), ref.steps.size(), ref.total(),
                ada.total(), double(ada.total()) / ref.total(), secs, agree, rho, rho_i);
    std::printf("    top (full):");
    for (size_t i = 0; i < std::min<size_t>(3, r1.size()); ++i) {
      const auto& st = ref.steps[r1[i]];
      std::string text = s.completion.substr(st.begin, st.end - st.begin);
      while (!text.empty() && text.back() == ' ') text.pop_back();
      std::printf(" [%d \"%s\" %+.2f]", r1[i] + 1, text.c_str(), ref.anchors[r1[i]].effect);
    }
    // Where the rituals' "wait, X was wrong" steps stand in the full map.
    for (size_t i = 0; i < ref.steps.size(); ++i) {
      const auto text = s.completion.substr(ref.steps[i].begin, ref.steps[i].end - ref.steps[i].begin);
      if (text.rfind("wait", 0) == 0)
        std::printf("  | step %zu \"wait...\": importance %+.2f effect %+.2f", i + 1, ref.anchors[i].importance,
                    ref.anchors[i].effect);
    }
    std::printf("\n");
  }
  std::printf("\n%d traces: top-3 agree on >= 2 in %d, rho(|effect|) >= 0.85 in %d; adaptive map %.1f s mean\n",
              static_cast<int>(traces.size()), agree_ok, rho_ok, all_time / std::max<size_t>(1, traces.size()));
  return 0;
}
