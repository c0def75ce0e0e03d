#include <cmath>

#include "core/analysis/pass_at_k.h"
#include "tests/core/core_tests.h"

using namespace aha;

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
  const auto curve = pass_at_k_curve({{4, 2, true}, {4, 0, false}});
  QCOMPARE(curve.ks, (std::vector<int>{1, 2, 4}));
  QCOMPARE(curve.pass[0], (0.5 + 0.0) / 2);
  QVERIFY(std::abs(curve.pass[1] - (1 - 1.0 / 6) / 2) < 1e-12);  // 1 - C(2,2)/C(4,2)
  QCOMPARE(curve.pass[2], 0.5);
  QCOMPARE(curve.mean_at_n, 0.25);
  QCOMPARE(curve.maj_at_n, 0.5);
  QCOMPARE(pass_at_k_curve({{6, 1, false}}).ks, (std::vector<int>{1, 2, 4, 6}));  // n last
  QVERIFY_THROWS_EXCEPTION(std::invalid_argument, pass_at_k_curve({{4, 1, false}, {5, 1, false}}));

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
