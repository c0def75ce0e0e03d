// The contamination check: ROUGE-L and exact continuation by hand, and a model that has
// memorised a text (pretrained on one problem, "7+7=", until it knows it) against fresh
// problems it has never seen.
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <fstream>

#include "core/analysis/text_overlap.h"
#include "core/rl/contamination.h"
#include "core/rl/pretrain.h"
#include "tests/core/core_tests.h"

using namespace aha;

void ContaminationTest::overlapByHand() {
  // Units: letter runs, single digits, single symbols.
  QCOMPARE(overlap_units("946=<think>ok"), (std::vector<std::string>{"9", "4", "6", "=", "<", "think", ">", "ok"}));
  QCOMPARE(overlap_units("一个 apple"), (std::vector<std::string>{"一个", "apple"}));
  // "946=" against "77=<think>": one unit in common ("="): P 1/6, R 1/4, F1 0.2.
  QCOMPARE(rouge_l("946=", "77=<think>"), 0.2);
  QCOMPARE(rouge_l("the cat sat", "the cat sat"), 1.0);
  // LCS "the sat" of 3 and 4 units: P 2/4, R 2/3, F1 4/7.
  QVERIFY(std::abs(rouge_l("the cat sat", "the dog has sat") - 4.0 / 7.0) < 1e-12);
  QCOMPARE(rouge_l("", ""), 1.0);
  QCOMPARE(rouge_l("x", ""), 0.0);
  QVERIFY(exact_continuation("56=", " 56= and more"));
  QVERIFY(!exact_continuation("56=", "57="));
  QVERIFY(!exact_continuation("56=", "56"));
}

void ContaminationTest::memorisedTextAgainstFreshProblems() {
  QTemporaryDir dir;
  // A micro model that has seen one problem only, many times: "7+7=" and its solution.
  const QString cfg_path = dir.filePath("pretrain.toml");
  std::ofstream(cfg_path.toStdString()) << "[model]\nhidden_size = 32\nintermediate_size = 64\nnum_hidden_layers = 1\n"
                                           "num_attention_heads = 2\nnum_key_value_heads = 1\n[task]\nmin_terms = 2\n"
                                           "max_terms = 2\nmin_value = 7\nmax_value = 7\n[train]\niterations = 120\n"
                                           "batch_size = 16\nlearning_rate = 3e-3\nthreads = 1\neval_samples = 0\n";
  const std::string model = dir.filePath("memorised").toStdString();
  pretrain(PretrainConfig::load(cfg_path.toStdString()), cfg_path.toStdString(), model, [](const PretrainProgress&) {});

  RunConfig run;
  run.model = model;
  run.max_completion_length = 48;
  run.task.min_terms = run.task.max_terms = 2;
  run.task.min_value = run.task.max_value = 7;  // the problem it saw
  ProbeSet set;
  set.problems = 8;
  const auto seen = contamination_check(run, model, set);
  QCOMPARE(int(seen.items.size()), 8);
  QCOMPARE(seen.items[0].prefix, std::string("7+"));  // 60% of 4 tokens, rounded: 2
  QCOMPARE(seen.items[0].rest, std::string("7="));
  QVERIFY2(seen.exact_rate == 1.0 && seen.mean_rouge_l == 1.0,
           qPrintable(QString::fromStdString(seen.items[0].continuation)));
  // Fresh problems of three-digit numbers: "123+4" does not go on "56=" from memory.
  run.task.min_value = 100;
  run.task.max_value = 999;
  const auto fresh = contamination_check(run, model, set);
  QVERIFY2(fresh.exact_rate <= 0.25 && fresh.mean_rouge_l < seen.mean_rouge_l - 0.3,
           qPrintable(QString("exact %1, ROUGE-L %2").arg(fresh.exact_rate).arg(fresh.mean_rouge_l)));
  QCOMPARE(fresh.answer_accuracy, 0.0);  // half a sum of three-digit numbers is never answered right
  // Bad settings are refused; a cancelled check says so.
  QVERIFY_THROWS_EXCEPTION(std::invalid_argument, contamination_check(run, model, set, 1.0));
  QVERIFY_THROWS_EXCEPTION(std::runtime_error, contamination_check(run, model, set, 0.6, [](int, int) { return false; }));
}
