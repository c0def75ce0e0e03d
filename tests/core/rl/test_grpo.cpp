#include <torch/torch.h>

#include <cmath>

#include "core/rl/grpo.h"
#include "core/run/advantages.h"
#include "tests/core/core_tests.h"

using namespace aha;

namespace {
bool close(double a, double b, double tol = 1e-5) { return std::abs(a - b) < tol; }
}  // namespace

std::vector<double> advantages(std::vector<double> rewards, int group, const char* estimator, const char* scale,
                               std::vector<int> tokens = {}) {
  return compute_advantages(rewards, group, AdvantageOptions{estimator, scale}, tokens);
}

void GrpoTest::advantagesWithoutScaling() {
  // The seed example of DESIGN.md: scores 1, 0, 2 give advantages 0, -1, +1.
  auto adv = advantages({1.0, 0.0, 2.0}, 3, "grpo", "none");
  QVERIFY(close(adv[0], 0.0) && close(adv[1], -1.0) && close(adv[2], 1.0));
  // Two groups are normalised separately.
  auto two = advantages({1.0, 3.0, 10.0, 10.0}, 2, "grpo", "none");
  QVERIFY(close(two[0], -1.0) && close(two[1], 1.0));
  QVERIFY(close(two[2], 0.0) && close(two[3], 0.0));
}

void GrpoTest::advantagesWithScaling() {
  // std of {1, 0, 2} (unbiased) is 1, so scaling leaves 0, -1, +1 (up to the 1e-4 guard).
  auto adv = advantages({1.0, 0.0, 2.0}, 3, "grpo", "group");
  QVERIFY(close(adv[1], -1.0 / (1.0 + 1e-4)));
  auto wide = advantages({0.0, 4.0}, 2, "grpo", "group");  // std = 2.828
  QVERIFY(close(wide[1], 2.0 / (std::sqrt(8.0) + 1e-4)));
  QCOMPARE(uniform_groups({1.0, 1.0, 0.0, 1.0}, 2), std::vector<bool>({true, false}));
}

void GrpoTest::advantagesScaledByTheBatch() {
  // Groups {0, 1} and {0, 3}: centred -0.5, 0.5, -1.5, 1.5. The batch {0, 1, 0, 3} has
  // mean 1, squared deviations 1 + 0 + 1 + 4 = 6, unbiased variance 2: every advantage is
  // divided by sqrt(2), where group scaling would give both groups +-0.707.
  auto adv = advantages({0.0, 1.0, 0.0, 3.0}, 2, "grpo", "batch");
  const double s = std::sqrt(2.0) + 1e-4;
  QVERIFY(close(adv[0], -0.5 / s) && close(adv[1], 0.5 / s) && close(adv[2], -1.5 / s) && close(adv[3], 1.5 / s));
  auto group = advantages({0.0, 1.0, 0.0, 3.0}, 2, "grpo", "group");
  QVERIFY(close(group[1], group[3], 1e-3));
  QVERIFY_EXCEPTION_THROWN(advantages({0.0, 1.0}, 2, "grpo", "sometimes"), std::invalid_argument);
  QVERIFY_EXCEPTION_THROWN(advantages({0.0, 1.0}, 2, "ppo", "none"), std::invalid_argument);
  QVERIFY_EXCEPTION_THROWN(advantages({0.0, 1.0, 2.0}, 2, "grpo", "none"), std::invalid_argument);
}

void GrpoTest::rlooLeavesOneOut() {
  // Each reward minus the mean of the other two: 1 - (0+2)/2 = 0, 0 - 1.5, 2 - 0.5.
  auto adv = advantages({1.0, 0.0, 2.0}, 3, "rloo", "none");
  QVERIFY(close(adv[0], 0.0) && close(adv[1], -1.5) && close(adv[2], 1.5));
  QCOMPARE(advantages({0.5, 0.5}, 2, "rloo", "none"), std::vector<double>({0.0, 0.0}));
}

void GrpoTest::reinforcePlusPlusWhitensTokens() {
  // Rewards 1 and 0 over 1 and 3 tokens: token mean 1/4, token variance
  // (1 x 0.75^2 + 3 x 0.25^2) / 4 x 4/3 = 0.25, so advantages 0.75/0.5 and -0.25/0.5.
  // No group baseline: a group of identical rewards still moves if the batch differs.
  auto adv = advantages({1.0, 0.0}, 1, "reinforce_plus_plus", "none", {1, 3});
  QVERIFY(close(adv[0], 1.5) && close(adv[1], -0.5));
  auto same = advantages({1.0, 1.0, 0.0, 0.0}, 2, "reinforce_plus_plus", "none", {1, 1, 1, 1});
  QVERIFY(same[0] > 0.8 && same[2] < -0.8);
}

void GrpoTest::passAtKAdvantageRewardsTheBestOnly() {
  // veRL's grpo_passk: only the best of a group moves, by its lead over the second best;
  // equal bests lead by nothing. {0.1, 1.1, 0.1, 0.6}: 1.1 - 0.6 = 0.5, over the group's
  // unbiased std (squared deviations 0.6875 / 3: 0.478714) + 1e-6.
  auto none = advantages({1.1, 0.1, 1.1, 0.1, 0.1, 1.1, 0.1, 0.6}, 4, "grpo_passk", "none");
  for (int i = 0; i < 8; ++i) QVERIFY(close(none[i], i == 5 ? 0.5 : 0.0));
  auto scaled = advantages({0.1, 1.1, 0.1, 0.6}, 4, "grpo_passk", "group");
  QVERIFY(close(scaled[1], 0.5 / (std::sqrt(0.6875 / 3) + 1e-6)));
  QCOMPARE(scaled[0] + scaled[2] + scaled[3], 0.0);
  QVERIFY_EXCEPTION_THROWN(advantages({1.0, 0.0}, 1, "grpo_passk", "none"), std::invalid_argument);
}

void GrpoTest::normalizeThenSumKeepsEachRewardsWeight() {
  // Two groups of two, accuracy (weight 1) and format (0.1): group A differs in accuracy,
  // group B in format only. Summed first (TRL's default), B's format difference counts as
  // much as A's accuracy (both +-0.707 after group scaling); normalised per function first
  // (GDPO), it keeps its weight: a tenth of A's.
  const std::vector<std::vector<double>> per = {{1, 1}, {0, 1}, {0, 1}, {0, 0}};
  const auto gdpo = normalize_then_sum_advantages(per, {1.0, 0.1}, 2);
  const double half = 0.5 / (std::sqrt(0.5) + 1e-4);  // one function's group-normalised value
  const std::vector<double> sums = {half, -half, 0.1 * half, -0.1 * half};  // batch mean 0
  const double sd = std::sqrt((2 * half * half + 2 * 0.01 * half * half) / 3);
  for (int i = 0; i < 4; ++i) QVERIFY(close(gdpo[i], sums[i] / (sd + 1e-4)));
  QVERIFY(close(gdpo[2], 0.1 * gdpo[0]));
  const auto summed = advantages({1.1, 0.1, 0.1, 0.0}, 2, "grpo", "group");
  QVERIFY(close(summed[0], summed[2], 1e-3));
  QVERIFY_EXCEPTION_THROWN(normalize_then_sum_advantages({{1, 1}, {0}}, {1.0, 0.1}, 2), std::invalid_argument);
  QVERIFY_EXCEPTION_THROWN(normalize_then_sum_advantages({{1, 1}, {0, 1}, {0, 0}}, {1.0, 0.1}, 2), std::invalid_argument);
}

void GrpoTest::covarianceControlsActOnTheTopTokens() {
  // Two sequences of two tokens, advantages +2 and -2; log p 0.9, 0.1 and 0.8, 0.2. Token
  // mean of A is 0 and of log p -1.06013, so the covariances (A - mean)(log p - mean) are
  // 1.90954, -2.48492 | -1.67398, 1.09862.
  const auto lp = [] { return torch::log(torch::tensor({{0.9, 0.1}, {0.8, 0.2}}, torch::kFloat64)); };
  const auto adv = torch::tensor({2.0, -2.0}, torch::kFloat64);
  const auto mask = torch::ones({2, 2}, torch::kFloat64);
  // The lens: mean -0.287685; the top token (a quarter of 4) carries 1.90954 of the
  // positive 3.00816; its entropy is the first one's.
  const auto stats = covariance_stats(lp(), adv, mask, torch::tensor({{0.5, 0.6}, {0.7, 0.8}}), 0.25);
  QVERIFY(close(stats.mean, -1.15074 / 4, 1e-4));
  QVERIFY(close(stats.top_share, 1.90954 / 3.00816, 1e-4));
  QVERIFY(close(stats.top_entropy, 0.5));
  QCOMPARE(stats.top_tokens, 1);

  // clip_cov: the tokens with covariance in (1, 5) (the first and the last) lose their
  // gradient; the rest keep -A / 4 (bnpo, ratio 1).
  LossOptions o;
  o.loss_type = "bnpo";
  o.policy_loss = "clip_cov";
  o.clip_cov_ratio = 0.5;  // two of the four tokens
  auto logps = lp().requires_grad_(true);
  auto r = grpo_loss(logps, logps.detach(), {}, adv, mask, o);
  r.loss.backward();
  const auto g = logps.grad();
  QVERIFY(close(g[0][0].item<double>(), 0.0) && close(g[1][1].item<double>(), 0.0));
  QVERIFY(close(g[0][1].item<double>(), -0.5) && close(g[1][0].item<double>(), 0.5));
  QCOMPARE(r.cov_controlled, 0.5);
  // With the default ratio, one of the two candidates, drawn at random.
  o.clip_cov_ratio = 0.0002;
  auto one = lp().requires_grad_(true);
  grpo_loss(one, one.detach(), {}, adv, mask, o).loss.backward();
  const int zeroed = (one.grad()[0][0].item<double>() == 0) + (one.grad()[1][1].item<double>() == 0);
  QCOMPARE(zeroed, 1);

  // kl_cov: no clip; the top covariance token (the first) gets 0.1 x |log p - old|. Old
  // log p 0.1 above: ratio e^-0.1; its gradient -A x ratio - 0.1 (the |x|'s slope), / 4.
  o.policy_loss = "kl_cov";
  o.kl_cov_ratio = 0.25;
  o.ppo_kl_coef = 0.1;
  auto kl = lp().requires_grad_(true);
  auto rk = grpo_loss(kl, kl.detach() + 0.1, {}, adv, mask, o);
  rk.loss.backward();
  const double ratio = std::exp(-0.1);
  QVERIFY(close(kl.grad()[0][0].item<double>(), (-2 * ratio - 0.1) / 4));
  QVERIFY(close(kl.grad()[0][1].item<double>(), -2 * ratio / 4));
  QVERIFY(close(kl.grad()[1][1].item<double>(), 2 * ratio / 4));
  QCOMPARE(rk.cov_controlled, 0.25);
  o.importance_sampling_level = "sequence";
  QVERIFY_EXCEPTION_THROWN(grpo_loss(lp(), lp(), {}, adv, mask, o), std::invalid_argument);
}

void GrpoTest::sapoDeltaAndGeoMeanByHand() {
  LossOptions o;
  const auto mask = torch::ones({1, 2}, torch::kFloat64);
  // sapo at ratio 1: the loss -sigmoid(0) x 4 / tau x A = -2A/tau, the gradient -A (the
  // vanilla one), averaged over the sequence's 2 tokens. Ratio e^0.5 on the first token,
  // advantage -1 (tau_neg 1.05): -sigmoid(1.05 (e^0.5 - 1)) x 4 / 1.05 x (-1).
  o.loss_type = "sapo";
  auto lp = torch::log(torch::tensor({{0.5, 0.25}}, torch::kFloat64)).requires_grad_(true);
  auto r = grpo_loss(lp, lp.detach(), {}, torch::tensor({1.0}, torch::kFloat64), mask, o);
  QVERIFY(close(r.loss.item<double>(), -2.0));
  r.loss.backward();
  QVERIFY(close(lp.grad()[0][0].item<double>(), -0.5) && close(lp.grad()[0][1].item<double>(), -0.5));
  auto neg = grpo_loss(lp.detach(), lp.detach() - torch::tensor({{0.5, 0.0}}, torch::kFloat64), {},
                       torch::tensor({-1.0}, torch::kFloat64), mask, o);
  const double sig = 1.0 / (1.0 + std::exp(-1.05 * (std::exp(0.5) - 1.0)));
  QVERIFY(close(neg.loss.item<double>(), (sig * 4 / 1.05 + 0.5 * 4 / 1.05) / 2));

  // delta: a negative advantage's runaway ratio e^2 = 7.39 is capped at 4 (loss 4 |A|, no
  // gradient), where the plain clip lets it grow as the ratio does.
  o.loss_type = "bnpo";
  o.delta = 4.0;
  auto run_away = torch::log(torch::tensor({{0.9, 0.5}}, torch::kFloat64)).requires_grad_(true);
  const auto old = run_away.detach() - torch::tensor({{2.0, 0.0}}, torch::kFloat64);
  auto capped = grpo_loss(run_away, old, {}, torch::tensor({-1.0}, torch::kFloat64), mask, o);
  QVERIFY(close(capped.loss.item<double>(), (4.0 + 1.0) / 2));
  capped.loss.backward();
  QVERIFY(close(run_away.grad()[0][0].item<double>(), 0.0) && close(run_away.grad()[0][1].item<double>(), 0.5));
  o.delta = 0;
  QVERIFY(close(grpo_loss(run_away.detach(), old, {}, torch::tensor({-1.0}, torch::kFloat64), mask, o).loss.item<double>(),
                (std::exp(2.0) + 1.0) / 2));

  // geo_mean (GMPO): log-ratios 0.5 and -0.1 with A = +1 and eps 0.2: the first clipped to
  // 0.2, the sequence ratio e^((0.2 - 0.1) / 2); loss -e^0.05, gradient 0 on the clipped
  // token and -e^0.05 / 2 on the other. With A = -1 the sign picks the unclipped side for
  // both: ratio e^0.2, loss e^0.2, gradient e^0.2 / 2 each.
  o.policy_loss = "geo_mean";
  auto g = torch::log(torch::tensor({{0.5, 0.25}}, torch::kFloat64)).requires_grad_(true);
  const auto g_old = g.detach() - torch::tensor({{0.5, -0.1}}, torch::kFloat64);
  auto pos = grpo_loss(g, g_old, {}, torch::tensor({1.0}, torch::kFloat64), mask, o);
  QVERIFY(close(pos.loss.item<double>(), -std::exp(0.05)));
  pos.loss.backward();
  QVERIFY(close(g.grad()[0][0].item<double>(), 0.0) && close(g.grad()[0][1].item<double>(), -std::exp(0.05) / 2));
  QVERIFY(close(pos.clip_ratio_high, 0.5));
  auto g2 = g.detach().clone().requires_grad_(true);
  auto negative = grpo_loss(g2, g_old, {}, torch::tensor({-1.0}, torch::kFloat64), mask, o);
  QVERIFY(close(negative.loss.item<double>(), std::exp(0.2)));
  negative.loss.backward();
  QVERIFY(close(g2.grad()[0][0].item<double>(), std::exp(0.2) / 2) && close(g2.grad()[0][1].item<double>(), std::exp(0.2) / 2));
}

void GrpoTest::samplingCorrectionModesByHand() {
  // Trainer minus sampler log-probabilities 0.1 and -2.0 (ratios 1.105 and 0.135), bounds
  // [0.2, 3]: token_truncate lifts the second to 0.2, token_mask zeroes it; per sequence the
  // differences sum to -1.9 (ratio 0.150): truncated to 0.2, masked to 0.
  const auto trainer = torch::tensor({{-0.4, -3.0}}, torch::kFloat64);
  const auto sampler = sampler_logps_tensor({{-0.5f, -1.0f}}, trainer);
  const auto mask = torch::ones({1, 2}, torch::kFloat64);
  const auto token = sampling_correction(trainer, sampler, mask, "token_truncate", 0.2, 3.0);
  QVERIFY(close(token[0][0].item<double>(), std::exp(0.1)) && close(token[0][1].item<double>(), 0.2));
  const auto masked = sampling_correction(trainer, sampler, mask, "token_mask", 0.2, 3.0);
  QVERIFY(close(masked[0][0].item<double>(), std::exp(0.1)) && masked[0][1].item<double>() == 0.0);
  QVERIFY(close(sampling_correction(trainer, sampler, mask, "token_truncate", 0.0, 3.0)[0][1].item<double>(), std::exp(-2.0)));
  const auto seq = sampling_correction(trainer, sampler, mask, "sequence_truncate", 0.2, 3.0);
  QCOMPARE(seq.size(1), int64_t(1));
  QVERIFY(close(seq[0][0].item<double>(), 0.2));
  QCOMPARE(sampling_correction(trainer, sampler, mask, "sequence_mask", 0.2, 3.0)[0][0].item<double>(), 0.0);
  QVERIFY_EXCEPTION_THROWN(sampling_correction(trainer, sampler, mask, "token", 0.2, 3.0), std::invalid_argument);
  // The loss weighs each token by it: bnpo with A = 1 at ratio 1 is -(w1 + w2) / 2.
  LossOptions o;
  o.loss_type = "bnpo";
  const auto r = grpo_loss(trainer, trainer, {}, torch::tensor({1.0}, torch::kFloat64), mask, o, {}, token);
  QVERIFY(close(r.loss.item<double>(), -(std::exp(0.1) + 0.2) / 2));
}

void GrpoTest::twoTokenLossAndGradient() {
  // One sequence of two tokens, advantage +1. Token 1: ratio 0.5/0.25 = 2, clipped to
  // 1.2 (no gradient); token 2: ratio 1, loss -1, d/dlogp = -1. The grpo loss averages
  // the two: (-1.2 - 1) / 2 = -1.1 with gradient (0, -0.5).
  auto logps = torch::log(torch::tensor({{0.5, 0.25}})).requires_grad_(true);
  auto old = torch::log(torch::tensor({{0.25, 0.25}}));
  auto mask = torch::ones({1, 2});
  LossOptions o;
  o.loss_type = "grpo";
  auto r = grpo_loss(logps, old, {}, torch::tensor({1.0}), mask, o);
  QVERIFY(close(r.loss.item<double>(), -1.1));
  r.loss.backward();
  QVERIFY(close(logps.grad()[0][0].item<double>(), 0.0));
  QVERIFY(close(logps.grad()[0][1].item<double>(), -0.5));
  QVERIFY(close(r.clip_ratio_high, 0.5));
  QVERIFY(close(r.clip_ratio_low, 0.0));
  // A negative advantage is clipped from below: ratio 2 is not clipped then (min picks it).
  auto logps2 = torch::log(torch::tensor({{0.5, 0.25}})).requires_grad_(true);
  auto r2 = grpo_loss(logps2, old, {}, torch::tensor({-1.0}), mask, o);
  QVERIFY(close(r2.loss.item<double>(), (2.0 + 1.0) / 2));
  r2.loss.backward();
  QVERIFY(close(logps2.grad()[0][0].item<double>(), 2.0 / 2));
}

void GrpoTest::firstIterationRatioIsOne() {
  auto logps = torch::randn({4, 6}).requires_grad_(true);
  auto r = grpo_loss(logps, logps.detach(), {}, torch::tensor({1.0, -1.0, 0.5, 0.0}), torch::ones({4, 6}), {});
  QCOMPARE(r.clip_ratio_region, 0.0);
  // With ratio 1 the loss is minus the mean advantage-weighted token count (dr_grpo: /B*L).
  const double expected = -(1.0 - 1.0 + 0.5 + 0.0) * 6 / (4 * 128.0);
  QVERIFY(close(r.loss.item<double>(), expected));
}

void GrpoTest::identicalRewardsGiveNoGradient() {
  const auto values = advantages({0.7, 0.7, 0.7, 0.7}, 4, "grpo", "group");
  QCOMPARE(values, std::vector<double>(4, 0.0));
  auto adv = torch::tensor(values);
  auto logps = torch::randn({4, 5}).requires_grad_(true);
  for (const char* type : {"grpo", "bnpo", "dr_grpo", "dapo", "cispo"}) {
    LossOptions o;
    o.loss_type = type;
    if (logps.grad().defined()) logps.grad().zero_();
    grpo_loss(logps, logps.detach(), {}, adv, torch::ones({4, 5}), o).loss.backward();
    QCOMPARE(logps.grad().abs().max().item<float>(), 0.0f);
  }
}

void GrpoTest::lossTypesNormaliseDifferently() {
  // Two sequences, lengths 1 and 3, advantage +1 each, ratio 1: per-token loss -1.
  auto logps = torch::zeros({2, 3});
  auto mask = torch::tensor({{1.0, 0.0, 0.0}, {1.0, 1.0, 1.0}});
  auto adv = torch::tensor({1.0, 1.0});
  auto loss = [&](const char* type) {
    LossOptions o;
    o.loss_type = type;
    o.max_completion_length = 4;
    return grpo_loss(logps, logps, {}, adv, mask, o).loss.item<double>();
  };
  QVERIFY(close(loss("grpo"), -1.0));          // mean of per-sequence means
  QVERIFY(close(loss("bnpo"), -1.0));          // 4 tokens / 4 tokens
  QVERIFY(close(loss("dapo"), -1.0));
  QVERIFY(close(loss("dr_grpo"), -4.0 / 8));   // 4 tokens / (2 x 4)
  // Gradients differ: grpo gives the short sequence's token 3x the weight of a long one's.
  auto g = [&](const char* type) {
    auto l = torch::zeros({2, 3}).requires_grad_(true);
    LossOptions o;
    o.loss_type = type;
    o.max_completion_length = 4;
    grpo_loss(l, l.detach(), {}, adv, mask, o).loss.backward();
    return l.grad();
  };
  auto grpo = g("grpo");
  QVERIFY(close(grpo[0][0].item<double>() / grpo[1][0].item<double>(), 3.0));
  auto bnpo = g("bnpo");
  QVERIFY(close(bnpo[0][0].item<double>() / bnpo[1][0].item<double>(), 1.0));
  QVERIFY_EXCEPTION_THROWN(loss("ppo"), std::invalid_argument);
}

void GrpoTest::klPenaltyIsK3() {
  auto logps = torch::log(torch::tensor({{0.5}}));
  auto ref = torch::log(torch::tensor({{0.25}}));
  LossOptions o;
  o.beta = 0.1;
  o.loss_type = "bnpo";
  auto r = grpo_loss(logps, logps, ref, torch::tensor({0.0}), torch::ones({1, 1}), o);
  const double kl = 0.5 - std::log(0.5) - 1.0;  // exp(d) - d - 1 with d = log(0.25/0.5)
  QVERIFY(close(r.kl, kl));
  QVERIFY(close(r.loss.item<double>(), 0.1 * kl));
}

void GrpoTest::sequenceLevelRatioIsGspo() {
  // One sequence, two tokens; log-ratios 0.1 and 0: one ratio exp(0.05) for the sequence,
  // unclipped, and its gradient shared by both tokens: -exp(0.05) x 1/2 each (grpo's mean
  // over the two), where per-token ratios give -exp(0.1)/2 and -1/2.
  auto logps = torch::tensor({{-0.6, -1.0}}, torch::kFloat64).requires_grad_(true);
  auto old = torch::tensor({{-0.7, -1.0}}, torch::kFloat64);
  LossOptions o;
  o.loss_type = "grpo";
  o.importance_sampling_level = "sequence";
  auto r = grpo_loss(logps, old, {}, torch::tensor({1.0}), torch::ones({1, 2}), o);
  QVERIFY(close(r.loss.item<double>(), -std::exp(0.05)));
  r.loss.backward();
  QVERIFY(close(logps.grad()[0][0].item<double>(), -std::exp(0.05) / 2));
  QVERIFY(close(logps.grad()[0][1].item<double>(), -std::exp(0.05) / 2));
  // Two sequences: mean log-ratio log(2)/2 (ratio 1.414, clipped at 1.2) and 0: half the
  // sequences clipped, whatever their lengths.
  auto l2 = torch::log(torch::tensor({{0.5, 0.25, 0.25}, {0.25, 0.25, 0.25}}));
  auto o2 = torch::log(torch::full({2, 3}, 0.25));
  auto mask = torch::tensor({{1.0, 1.0, 0.0}, {1.0, 1.0, 1.0}});
  auto r2 = grpo_loss(l2, o2, {}, torch::tensor({1.0, 1.0}), mask, o);
  QVERIFY(close(r2.clip_ratio_high, 0.5) && close(r2.clip_ratio_region, 0.5));
  QVERIFY(close(r2.loss.item<double>(), -(1.2 + 1.0) / 2));
  o.importance_sampling_level = "word";
  QVERIFY_EXCEPTION_THROWN(grpo_loss(l2, o2, {}, torch::tensor({1.0, 1.0}), mask, o), std::invalid_argument);
}

void GrpoTest::cispoClipsTheWeightNotTheGradient() {
  // Ratios 2 and 1, epsilon_high 1.5: weights 1.5 and 1 (no gradient through them), loss
  // -(1.5 log 0.5 + log 0.25) / 2 tokens; the clipped token still gets gradient -1.5/2,
  // where PPO's clip gives it none (twoTokenLossAndGradient).
  auto logps = torch::log(torch::tensor({{0.5, 0.25}})).requires_grad_(true);
  auto old = torch::log(torch::tensor({{0.25, 0.25}}));
  LossOptions o;
  o.loss_type = "cispo";
  o.epsilon_high = 1.5;
  auto r = grpo_loss(logps, old, {}, torch::tensor({1.0}), torch::ones({1, 2}), o);
  QVERIFY(close(r.loss.item<double>(), -(1.5 * std::log(0.5) + std::log(0.25)) / 2));
  r.loss.backward();
  QVERIFY(close(logps.grad()[0][0].item<double>(), -0.75));
  QVERIFY(close(logps.grad()[0][1].item<double>(), -0.5));
  QVERIFY(close(r.clip_ratio_high, 0.5));
}

void GrpoTest::entropyFilterKeepsForkingTokens() {
  // Entropies under the mask: 0.1 0.5 0.9 | 0.3 2.0 (the last token is padding). The 0.6
  // quantile of {0.1, 0.3, 0.5, 0.9, 2.0} is 0.5 + 0.4 x (0.9 - 0.5) = 0.66: the top 40%
  // keeps 0.9 and 2.0.
  auto ent = torch::tensor({{0.1, 0.5, 0.9}, {0.3, 2.0, 5.0}});
  auto mask = torch::tensor({{1.0, 1.0, 1.0}, {1.0, 1.0, 0.0}});
  auto keep = entropy_token_filter(ent, mask, 0.4).to(torch::kFloat32);
  QVERIFY(torch::equal(keep, torch::tensor({{0.0f, 0.0f, 1.0f}, {0.0f, 1.0f, 0.0f}})));
  QCOMPARE(entropy_token_filter(ent, mask, 1.0).sum().item<int64_t>(), int64_t(5));
  QCOMPARE(entropy_token_filter(ent, mask, 0.0).sum().item<int64_t>(), int64_t(1));
  // Filtered tokens leave the policy term, not the normaliser: ratio 1, advantage +1, grpo:
  // (-1/3 + -1/2) / 2.
  LossOptions o;
  o.loss_type = "grpo";
  auto logps = torch::zeros({2, 3});
  auto r = grpo_loss(logps, logps, {}, torch::tensor({1.0, 1.0}), mask, o, keep);
  QVERIFY(close(r.loss.item<double>(), -(1.0 / 3 + 1.0 / 2) / 2));
}

void GrpoTest::maskedTruncatedRowsLeaveTheLoss() {
  // The second completion was truncated: its row of the mask is cleared, so bnpo averages
  // the first one's 2 tokens only; under grpo it still counts in the mean over sequences.
  auto mask = torch::tensor({{1.0, 1.0, 0.0}, {1.0, 1.0, 1.0}});
  auto cleared = without_rows(mask, {false, true});
  QVERIFY(torch::equal(cleared, torch::tensor({{1.0, 1.0, 0.0}, {0.0, 0.0, 0.0}})));
  auto logps = torch::zeros({2, 3});
  LossOptions o;
  o.loss_type = "bnpo";
  QVERIFY(close(grpo_loss(logps, logps, {}, torch::tensor({1.0, -1.0}), cleared, o).loss.item<double>(), -1.0));
  o.loss_type = "grpo";
  QVERIFY(close(grpo_loss(logps, logps, {}, torch::tensor({1.0, -1.0}), cleared, o).loss.item<double>(), -0.5));
}
