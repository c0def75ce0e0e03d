#include <QDir>
#include <QTemporaryDir>

#include <cmath>
#include <fstream>
#include <random>

#include "core/analysis/covariance_tokens.h"
#include "core/analysis/entropy_fit.h"
#include "core/analysis/token_lens.h"
#include "core/analysis/token_trace.h"
#include "core/run/token_alternatives.h"
#include "tests/core/core_tests.h"

using namespace aha;

void TokenLensTest::blobRoundTripsWithinItsResolution() {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> nats(0.0f, 12.0f);
  TokenTrace t;
  uint32_t at = 0;
  for (int i = 0; i < 500; ++i) {
    t.ids.push_back(static_cast<int32_t>(rng() % 151000));
    t.begins.push_back(at);
    at += rng() % 4;  // a token may add no character (a piece of one)
    t.logprobs.push_back(-nats(rng));
    t.entropies.push_back(i % 50 == 0 ? 0.0f : nats(rng));
  }
  const std::string blob = encode_token_trace(t);
  qInfo("%zu tokens in %zu bytes (%.2f bytes a token)", t.size(), blob.size(), double(blob.size()) / t.size());
  QVERIFY(blob.size() < t.size() * 9);
  const auto back = decode_token_trace(blob);
  QVERIFY(back);
  QCOMPARE(back->ids, t.ids);
  QCOMPARE(back->begins, t.begins);
  for (size_t i = 0; i < t.size(); ++i) {
    QVERIFY2(std::abs(back->logprobs[i] - t.logprobs[i]) <= 2.5e-4f, qPrintable(QString::number(i)));
    QVERIFY(std::abs(back->entropies[i] - t.entropies[i]) <= 2.5e-4f);
  }
  // Beyond the range: clamped, not wrapped; -inf reads as the floor.
  TokenTrace far;
  far.ids = {1, 2};
  far.begins = {0, 1};
  far.logprobs = {-40.0f, -INFINITY};
  far.entropies = {50.0f, 0.0f};
  const auto clamped = decode_token_trace(encode_token_trace(far));
  QVERIFY(clamped);
  QVERIFY(clamped->logprobs[0] < -31.9f && clamped->logprobs[1] < -31.9f);
  QVERIFY(clamped->entropies[0] > 31.9f);
  // Damaged blobs read as none, never as garbage or a crash.
  QVERIFY(!decode_token_trace(""));
  QVERIFY(!decode_token_trace(blob.substr(0, blob.size() - 1)));
  QVERIFY(!decode_token_trace(blob + "x"));
  std::string other = blob;
  other[0] = 2;  // a later version
  QVERIFY(!decode_token_trace(other));
  for (size_t cut = 0; cut < 40; ++cut) {
    std::string damaged = blob;
    damaged[1 + cut * 13 % (blob.size() - 1)] ^= 0x5A;
    const auto d = decode_token_trace(damaged);  // whatever it reads, it stays in bounds
    if (d) QCOMPARE(d->ids.size(), d->begins.size());
  }
}

void TokenLensTest::tokenBeginsCountCharacters() {
  // "héllo 你" as byte-level BPE may cut it: é split over two tokens, 你 whole.
  const std::vector<std::string> pieces = {"h", "\xC3", "\xA9llo", " ", "\xE4\xBD\xA0", "!"};
  const std::vector<uint32_t> want = {0, 1, 1, 5, 6, 7};
  QCOMPARE(token_begins(pieces), want);
  QCOMPARE(token_begins({}), std::vector<uint32_t>{});
  // Special tokens and empty pieces (an EOS that decodes to nothing) keep their place.
  QCOMPARE(token_begins({"<think>", "", "7"}), (std::vector<uint32_t>{0, 7, 7}));
}

void TokenLensTest::stepMetricsFromTokens() {
  QCOMPARE(quantile({}, 0.8), 0.0);
  QCOMPARE(quantile({1, 2, 3, 4, 5}, 0.8), 4.2);  // numpy.quantile([1..5], 0.8)
  QCOMPARE(quantile({5, 1, 4, 2, 3}, 0.5), 3.0);
  const auto ranges = span_ranges_from_json(R"([{"begin":13,"end":18,"category":"verification"},)"
                                            R"({"begin":46,"end":50,"category":"backtracking"}])");
  QCOMPARE(ranges, (std::vector<std::pair<int, int>>{{13, 18}, {46, 50}}));
  QCOMPARE(span_ranges_from_json(R"([[13,18,"verification"],[46,50,"backtracking"]])"), ranges);
  QVERIFY(span_ranges_from_json("[]").empty());

  // Ten one-character tokens; "Wait" at 4..8 is a reflection phrase.
  TokenTrace t;
  for (int i = 0; i < 10; ++i) {
    t.ids.push_back(i);
    t.begins.push_back(i);
    t.logprobs.push_back(-0.1f * i);
    t.entropies.push_back(i < 3 ? 0.001f : float(i));  // three near-certain tokens
  }
  TokenLensStats stats;
  QVERIFY(stats.empty());
  QVERIFY(stats.metrics().empty());
  stats.add(t, 10, {{4, 8}});
  std::map<std::string, double> m;
  for (const auto& [k, v] : stats.metrics()) m[k] = v;
  const double mean = (0.003 + 3 + 4 + 5 + 6 + 7 + 8 + 9) / 10;
  QVERIFY(std::abs(m.at("lens/entropy_mean") - mean) < 1e-6);
  QVERIFY(std::abs(m.at("lens/certain_share") - 0.3) < 1e-9);
  QVERIFY(std::abs(m.at("lens/fork_threshold") - 7.2) < 1e-5);  // the 80th percentile
  QVERIFY(std::abs(m.at("lens/fork_entropy") - 8.5) < 1e-6);   // tokens 8 and 9
  QVERIFY(std::abs(m.at("lens/entropy_at_reflection") - 5.5) < 1e-6);  // tokens 4..7
  QVERIFY(std::abs(m.at("lens/entropy_elsewhere") - (0.003 + 3 + 8 + 9) / 6) < 1e-6);
  QVERIFY(std::abs(m.at("lens/logprob_mean") + 0.45) < 1e-6);
}

void TokenLensTest::entropyFitRecoversItsCurve() {
  // R = -a exp(H) + b with a = 0.4, b = 1.3: the ceiling is 0.9.
  std::vector<double> h, r;
  std::mt19937 rng(1);
  std::normal_distribution<double> noise(0, 0.01);
  for (int i = 0; i < 60; ++i) {
    h.push_back(1.5 * std::exp(-i / 20.0));
    r.push_back(-0.4 * std::exp(h.back()) + 1.3 + noise(rng));
  }
  const auto fit = fit_entropy_reward(h, r);
  QVERIFY(fit);
  QVERIFY2(std::abs(fit->a - 0.4) < 0.02 && std::abs(fit->b - 1.3) < 0.03,
           qPrintable(QString("a %1 b %2").arg(fit->a).arg(fit->b)));
  QVERIFY(std::abs(fit->ceiling() - 0.9) < 0.02);
  QVERIFY(fit->r2 > 0.95);
  QCOMPARE(fit->points, 60);
  QVERIFY(!fit_entropy_reward({1, 2}, {0, 1}));           // too few points
  QVERIFY(!fit_entropy_reward({1, 1, 1}, {0, 0.5, 1}));  // no spread in entropy

  // A forecast from the first quarter: the same curve, an interval that holds 0.9, the
  // same figures each time, wider than from all 60 steps.
  const auto early = forecast_ceiling(h, r, 15);
  QVERIFY(early);
  QCOMPARE(early->steps, size_t(15));
  QCOMPARE(early->fit.points, 15);
  QVERIFY2(early->low <= 0.9 && 0.9 <= early->high, qPrintable(QString("[%1, %2]").arg(early->low).arg(early->high)));
  QCOMPARE(forecast_ceiling(h, r, 15)->low, early->low);
  const auto all = forecast_ceiling(h, r, 1000);
  QCOMPARE(all->steps, size_t(60));
  QVERIFY(all->high - all->low < early->high - early->low);
  QVERIFY(!forecast_ceiling(h, r, 2));
}

void TokenLensTest::covarianceTokensByHand() {
  // Means over the step's three tokens: log p -2, advantage (1 + 1 - 2) / 3 = 0. Covariances:
  // (-1+2)(1) = 1, (-3+2)(1) = -1, (-2+2)(-2) = 0.
  TokenTrace a, b;
  a.ids = {5, 6};
  a.begins = {0, 1};
  a.logprobs = {-1, -3};
  a.entropies = {0.5f, 0.1f};
  b.ids = {7};
  b.begins = {0};
  b.logprobs = {-2};
  b.entropies = {0.2f};
  const auto cov = top_covariance_tokens({a, b}, {1.0, -2.0}, 2);
  QCOMPARE(cov.tokens, size_t(3));
  QCOMPARE(cov.mean, 0.0);
  QCOMPARE(cov.top.size(), size_t(2));
  QCOMPARE(cov.top[0].completion, size_t(0));
  QCOMPARE(cov.top[0].token, size_t(0));
  QCOMPARE(cov.top[0].covariance, 1.0);
  QCOMPARE(cov.top[0].entropy, 0.5);
  QCOMPARE(cov.top[1].completion, size_t(1));  // 0 before -1
  QCOMPARE(cov.top_share, 1.0);  // all of the positive covariance is the first token's
  QVERIFY(top_covariance_tokens({}, {}, 3).top.empty());
}

void TokenLensTest::collapseWarningWhileRewardRises() {
  // Forking entropy halves by step 25 (linear 1 -> 0 over 50 steps); reward rises until
  // step 40, then flat.
  std::vector<double> fork, reward;
  for (int i = 0; i < 60; ++i) {
    fork.push_back(std::max(0.0, 1.0 - i / 50.0));
    reward.push_back(std::min(i, 40) / 40.0);
  }
  // The first 10 steps' mean is 0.91; the last 10 steps' mean falls below 0.455 at the
  // window ending at step 31 (mean of 1 - i/50 over 22..31: 0.47; over 23..32: 0.45).
  const auto at = collapse_warning(fork, reward);
  QVERIFY(at);
  QCOMPARE(*at, size_t(32));
  // Reward flat from the start: no warning (entropy fell without a gain to protect).
  QVERIFY(!collapse_warning(fork, std::vector<double>(60, 0.5)));
  QVERIFY(!collapse_warning(std::vector<double>(60, 1.0), reward));  // no collapse
  QVERIFY(!collapse_warning(fork, reward, 0.5, 40));                 // too few steps for two windows
}

void TokenLensTest::nearestWeightsPreferThoseThatSampled() {
  QTemporaryDir dir;
  auto checkpoint = [&](int64_t step) {
    const QString path = dir.filePath(QString("step-%1").arg(step));
    QDir().mkpath(path);
    std::ofstream((path + "/config.json").toStdString()) << "{}";
    return WeightsOnDisk{step, path.toStdString()};
  };
  RunConfig run;
  run.model = "/models/base";
  const std::vector<WeightsOnDisk> kept = {checkpoint(24), checkpoint(49), {74, "/gone/step-74"}};
  // A sample of step 50 was drawn by the weights after step 49: exactly those.
  QCOMPARE(nearest_weights(run, kept, 50).step, int64_t(49));
  // Step 1 was drawn by the base model (step 0's weights); step 3 too is nearer the base
  // than step 24.
  QCOMPARE(nearest_weights(run, kept, 1).path, std::string("/models/base"));
  QCOMPARE(nearest_weights(run, kept, 3).step, int64_t(0));
  // The folder of step 74 is gone: step 80 gets 49, and says how far that is.
  const auto w = nearest_weights(run, kept, 80);
  QCOMPARE(w.step, int64_t(49));
  TokenAlternatives a;
  a.weights = w;
  a.sampled_by = 79;
  QCOMPARE(a.distance(), std::string("30 steps before those that sampled it"));
  QCOMPARE(w.describe(), std::string("the checkpoint after step 49"));
  // The nearest by steps: step 37 (drawn by the weights after 36) is 12 from 24, 13 from 49.
  QCOMPARE(nearest_weights(run, kept, 37).step, int64_t(24));
}
