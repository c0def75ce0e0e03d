#pragma once
// A stand-in store for the gain report (tests of `aha report gain` and the studio's
// dialog): a sweep "spur" of two arms (truth, random) x two seeds, 4 steps each, a
// checkpoint of step 4 recorded but not on disk, and pass@k probes stored by hand on 2
// problems x 4 samples, seed 1234: the base model (with the truth's seed 1) and each
// run's final weights. No sampling: every figure of the report can be computed by hand.
//   base:   1 of 8 right, 4 answered (right when answered: 1/4), maj@n 0
//   truth:  6/8 (maj 1.0) and 5/8 (maj 0.5), all answered
//   random: 2/8 all answered, 3/8 with 6 answered; maj 0
#include <array>
#include <string>
#include <tuple>
#include <vector>

#include "core/run/probe_records.h"
#include "core/run/run_config.h"
#include "db/probe_store.h"
#include "db/run_store.h"

namespace aha::test {

// 2 problems x 4 samples: `correct` right per problem, `unanswered` without an <answer>.
inline PassAtKProbe gain_probe(std::array<int, 2> correct, std::array<int, 2> unanswered, std::array<bool, 2> majority) {
  PassAtKProbe p;
  for (int i = 0; i < 2; ++i) {
    ProbeProblem q;
    q.samples = 4;
    q.correct = correct[i];
    q.majority_correct = majority[i];
    q.prompt = std::to_string(i) + "+1=";
    q.reference = std::to_string(i + 1);
    for (int s = 0; s < 4; ++s) {
      ProbeCompletion c;
      c.correct = s < correct[i];
      c.answer = s >= 4 - unanswered[i] ? "" : (c.correct ? q.reference : "9");
      c.text = "<think>x</think>" + (c.answer.empty() ? std::string() : "<answer>" + c.answer + "</answer>");
      q.completions.push_back(c);
    }
    p.problems.push_back(q);
  }
  return p;
}

inline void write_gain_fixture(const std::string& db, const std::string& folder) {
  ProbeSet set;
  set.problems = 2;
  set.seed = 1234;
  db::ProbeStore probes(db, db::Access::Create);
  db::RunStore store(db);
  const auto base = gain_probe({1, 0}, {2, 2}, {false, false});
  const std::vector<std::tuple<std::string, int, PassAtKProbe>> runs = {
      {"truth", 1, gain_probe({4, 2}, {0, 0}, {true, true})},
      {"truth", 2, gain_probe({4, 1}, {0, 0}, {true, false})},
      {"random", 1, gain_probe({1, 1}, {0, 0}, {false, false})},
      {"random", 2, gain_probe({2, 1}, {1, 1}, {false, false})}};
  for (const auto& [arm, seed, final_probe] : runs) {
    RunConfig cfg;
    cfg.name = "spur-" + arm + "-s" + std::to_string(seed);
    cfg.seed = seed;
    cfg.reward_funcs = {arm == "truth" ? "accuracy" : arm, "format"};
    RunInfo info;
    info.name = cfg.name;
    info.seed = seed;
    info.config_toml = cfg.to_toml();
    info.sweep = "spur";
    info.sweep_values = "{\"arm\":\"" + arm + "\",\"seed\":" + std::to_string(seed) + "}";
    const int64_t id = store.begin_run(info, false);
    for (int step = 1; step <= 4; ++step) {
      StepRecord rec;
      rec.step = step;
      rec.metrics = {{"reward", 0.5}};
      store.write_step(rec);
    }
    store.record_checkpoint(4, folder + "/" + cfg.name);  // not on disk: the stored probe stands for it
    const auto add = [&](int64_t step, const PassAtKProbe& p) {
      const auto record = passk_record(id, step, p, set, cfg.temperature);
      probes.add(record.probe, record.problems, record.completions);
    };
    if (cfg.name == "spur-truth-s1") add(0, base);
    add(4, final_probe);
  }
}

}  // namespace aha::test
