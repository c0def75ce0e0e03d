#include <torch/torch.h>

#include <cmath>

#include "core/rl/grpo.h"
#include "tests/core/core_tests.h"

using namespace aha;

namespace {
bool close(double a, double b, double tol = 1e-5) { return std::abs(a - b) < tol; }
}  // namespace

void GrpoTest::advantagesWithoutScaling() {
  // The seed example of DESIGN.md: scores 1, 0, 2 give advantages 0, -1, +1.
  auto adv = group_advantages(torch::tensor({1.0, 0.0, 2.0}), 3, false);
  QVERIFY(close(adv[0].item<double>(), 0.0));
  QVERIFY(close(adv[1].item<double>(), -1.0));
  QVERIFY(close(adv[2].item<double>(), 1.0));
  // Two groups are normalised separately.
  auto two = group_advantages(torch::tensor({1.0, 3.0, 10.0, 10.0}), 2, false);
  QVERIFY(close(two[0].item<double>(), -1.0) && close(two[1].item<double>(), 1.0));
  QVERIFY(close(two[2].item<double>(), 0.0) && close(two[3].item<double>(), 0.0));
}

void GrpoTest::advantagesWithScaling() {
  // std of {1, 0, 2} (unbiased) is 1, so scaling leaves 0, -1, +1 (up to the 1e-4 guard).
  auto adv = group_advantages(torch::tensor({1.0, 0.0, 2.0}), 3, true);
  QVERIFY(close(adv[1].item<double>(), -1.0 / (1.0 + 1e-4)));
  auto wide = group_advantages(torch::tensor({0.0, 4.0}), 2, true);  // std = 2.828
  QVERIFY(close(wide[1].item<double>(), 2.0 / (std::sqrt(8.0) + 1e-4)));
  QCOMPARE(zero_std_groups(torch::tensor({1.0, 1.0, 0.0, 1.0}), 2)[0].item<float>(), 1.0f);
  QCOMPARE(zero_std_groups(torch::tensor({1.0, 1.0, 0.0, 1.0}), 2)[1].item<float>(), 0.0f);
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
  QCOMPARE(r.clip_ratio, 0.0);
  // With ratio 1 the loss is minus the mean advantage-weighted token count (dr_grpo: /B*L).
  const double expected = -(1.0 - 1.0 + 0.5 + 0.0) * 6 / (4 * 128.0);
  QVERIFY(close(r.loss.item<double>(), expected));
}

void GrpoTest::identicalRewardsGiveNoGradient() {
  auto adv = group_advantages(torch::tensor({0.7, 0.7, 0.7, 0.7}), 4, true);
  QCOMPARE(adv.abs().max().item<float>(), 0.0f);
  auto logps = torch::randn({4, 5}).requires_grad_(true);
  for (const char* type : {"grpo", "bnpo", "dr_grpo", "dapo"}) {
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
