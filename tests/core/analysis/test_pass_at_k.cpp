#include <cmath>

#include "core/analysis/pass_at_k.h"
#include "core/run/probe_records.h"
#include "tests/core/core_tests.h"

using namespace aha;

namespace {
// A problem known by its counts only.
ProbeProblem counts(int samples, int correct, bool majority = false, std::string prompt = "") {
  ProbeProblem p;
  p.samples = samples;
  p.correct = correct;
  p.majority_correct = majority;
  p.prompt = std::move(prompt);
  return p;
}
}  // namespace

void PassAtKTest::matchesHandCalculation() {
  // n = 5, c = 2: pass@1 = 2/5; pass@2 = 1 - C(3,2)/C(5,2) = 1 - 3/10; pass@3 = 1 - 1/10;
  // pass@4 = 1 (any 4 of 5 hold a right one).
  QCOMPARE(pass_at_k(5, 2, 1), 0.4);
  QVERIFY(std::abs(pass_at_k(5, 2, 2) - 0.7) < 1e-12);
  QVERIFY(std::abs(pass_at_k(5, 2, 3) - 0.9) < 1e-12);
  QCOMPARE(pass_at_k(5, 2, 4), 1.0);
  QCOMPARE(pass_at_k(5, 0, 5), 0.0);
  QCOMPARE(pass_at_k(5, 5, 1), 1.0);
  // n = 1024, c = 1, k = 512: 1 - C(1023,512)/C(1024,512) = 512/1024, no overflow.
  QVERIFY(std::abs(pass_at_k(1024, 1, 512) - 0.5) < 1e-12);
  QVERIFY_THROWS_EXCEPTION(std::invalid_argument, pass_at_k(4, 1, 5));
  QVERIFY_THROWS_EXCEPTION(std::invalid_argument, pass_at_k(4, 5, 1));
}

void PassAtKTest::curveAndCrossover() {
  // Two problems, 4 samples each: one solved twice (majority right), one never.
  const auto curve = pass_at_k_curve({counts(4, 2, true), counts(4, 0)});
  QCOMPARE(curve.ks, (std::vector<int>{1, 2, 4}));
  QCOMPARE(curve.pass[0], (0.5 + 0.0) / 2);
  QVERIFY(std::abs(curve.pass[1] - (1 - 1.0 / 6) / 2) < 1e-12);  // 1 - C(2,2)/C(4,2)
  QCOMPARE(curve.pass[2], 0.5);
  QCOMPARE(curve.mean_at_n, 0.25);
  QCOMPARE(curve.maj_at_n, 0.5);
  QCOMPARE(pass_at_k_curve({counts(6, 1)}).ks, (std::vector<int>{1, 2, 4, 6}));  // n last
  QVERIFY_THROWS_EXCEPTION(std::invalid_argument, pass_at_k_curve({counts(4, 1), counts(5, 1)}));

  // RL sharpens: better at small k, the base wins from k = 4 (Yue et al.'s shape).
  PassAtKCurve trained, base;
  trained.ks = base.ks = {1, 2, 4, 8};
  trained.pass = {0.6, 0.7, 0.75, 0.78};
  base.pass = {0.3, 0.5, 0.8, 0.95};
  QCOMPARE(crossover_k(trained, base), std::optional<int>(4));
  // Ahead, then level at 1 (both solve everything): no crossover.
  trained.pass = {0.9, 1.0, 1.0, 1.0};
  base.pass = {0.5, 0.8, 1.0, 1.0};
  QVERIFY(!crossover_k(trained, base));
  // Base ahead once and behind again at the end: not a crossover.
  base.pass = {0.5, 1.0, 0.9, 0.9};
  QVERIFY(!crossover_k(trained, base));
}

void PassAtKTest::gainedAndLostProblems() {
  // Problem 0 solved by neither, 1 only after, 2 only before, 3 by both.
  const std::vector<ProbeProblem> before = {counts(4, 0, false, "a"), counts(4, 0, false, "b"),
                                            counts(4, 1, false, "c"), counts(4, 2, true, "d")};
  const std::vector<ProbeProblem> after = {counts(4, 0, false, "a"), counts(4, 3, true, "b"), counts(4, 0, false, "c"),
                                           counts(4, 4, true, "d")};
  const auto d = solved_difference(before, after);
  QCOMPARE(d.gained, std::vector<int>{1});
  QCOMPARE(d.lost, std::vector<int>{2});
  QVERIFY(solved_difference(after, after).gained.empty());
  // Another problem set (another seed): refused, not compared position by position.
  auto other = after;
  other[3].prompt = "e";
  QVERIFY_THROWS_EXCEPTION(std::invalid_argument, solved_difference(before, other));
  QVERIFY_THROWS_EXCEPTION(std::invalid_argument, solved_difference(before, {after.begin(), after.end() - 1}));
}

void PassAtKTest::storedProbesReadBackTheSame() {
  // A probe with its completions, as rows and back: the same counts, the same curve.
  PassAtKProbe probe;
  probe.seconds = 2.5;
  for (int p = 0; p < 3; ++p) {
    auto q = counts(4, p, p >= 2, "q" + std::to_string(p));
    q.reference = std::to_string(10 * p);
    for (int i = 0; i < 4; ++i) q.completions.push_back({"text " + std::to_string(i), i < p ? q.reference : "1", i < p, i == 3});
    probe.problems.push_back(q);
  }
  const auto record = passk_record(7, 49, probe, {3, 1234, ""}, 0.9);
  QCOMPARE(record.probe.kind, std::string("passk"));
  QCOMPARE(record.probe.weights_step, int64_t(49));
  QCOMPARE(record.problems.size(), size_t(3));
  QCOMPARE(record.completions.size(), size_t(12));
  const auto settings = passk_settings(record.probe);
  QCOMPARE(settings, (PassAtKSettings{3, 4, 1234, 0.9, ""}));
  const auto back = probe_problems(record.problems, record.completions);
  QCOMPARE(pass_at_k_curve(back).pass, pass_at_k_curve(probe.problems).pass);
  QCOMPARE(back[2].completions.size(), size_t(4));
  QCOMPARE(back[2].completions[1].correct, true);
  QCOMPARE(back[2].completions[3].truncated, true);
  QCOMPARE(back[1].reference, std::string("10"));

  // A resample: each continuation judged by the answer the prefix and it give together.
  ResampleRequest request;
  request.weights = {-1, "/models/base"};
  request.prompt = "1+2=<think>";
  request.prefix = "1+2=3 ";
  request.samples = 3;
  request.seed = 5;
  ResampleResult result;
  result.continuations = {"</think><answer>3</answer>", "wait</think><answer>4</answer>", "so"};
  result.truncated = {false, false, true};
  const auto r = resample_record(7, 99, request, 4, result, "3");
  QCOMPARE(r.probe.sample_id, std::optional<int64_t>(99));
  QCOMPARE(r.problems.front().correct, 1);
  QCOMPARE(r.completions[0].correct, true);
  QCOMPARE(r.completions[1].answer, std::string("4"));
  QCOMPARE(r.completions[2].answer, std::string());
  const auto stored = stored_resample(r.probe, r.completions);
  QCOMPARE(stored.prefix, request.prefix);
  QCOMPARE(stored.point, size_t(4));
  QCOMPARE(stored.seed, uint64_t(5));
  QCOMPARE(stored.continuations, result.continuations);
  QCOMPARE(stored.truncated, result.truncated);
}
