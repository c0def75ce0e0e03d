#include <QDir>

#include "core/support/config_reader.h"
#include "core/run/run_config.h"
#include "tests/core/core_tests.h"

using namespace aha;

namespace {
QString error_of(const std::string& toml) {
  try {
    RunConfig::from_toml(toml, "test.toml");
  } catch (const ConfigError& e) {
    return QString::fromStdString(e.what());
  }
  return {};
}
}  // namespace

void ConfigTest::presetsParse() {
  QDir presets(QString(AHA_SOURCE_DIR) + "/resources/presets");
  const auto files = presets.entryList({"*.toml"});
  QVERIFY(files.contains("demo-arithmetic.toml"));
  for (const auto& f : files) {
    try {
      RunConfig c = RunConfig::load(presets.filePath(f).toStdString());
      QVERIFY(!c.name.empty());
    } catch (const std::exception& e) {
      QFAIL(e.what());
    }
  }
}

void ConfigTest::unknownKeySuggestsNearest() {
  const QString e = error_of("num_generation = 4\n");
  QVERIFY2(e.contains("test.toml") && e.contains("num_generation") && e.contains("did you mean 'num_generations'"),
           qPrintable(e));
  const QString t = error_of("[task]\nmax_term = 4\n");
  QVERIFY2(t.contains("task.max_term") && t.contains("max_terms"), qPrintable(t));
}

void ConfigTest::outOfRangeNamesKeyValueAndRange() {
  const QString e = error_of("temperature = -1.0\n");
  QVERIFY2(e.contains("temperature") && e.contains("-1") && e.contains("[0, 10]"), qPrintable(e));
  const QString l = error_of("loss_type = \"ppo\"\n");
  QVERIFY2(l.contains("loss_type") && l.contains("'ppo'") && l.contains("dr_grpo"), qPrintable(l));
  const QString b = error_of("num_generations = 3\nper_device_train_batch_size = 8\n");
  QVERIFY2(b.contains("multiple of num_generations"), qPrintable(b));
  const QString w = error_of("reward_funcs = [\"accuracy\"]\nreward_weights = [1.0, 2.0]\n");
  QVERIFY2(w.contains("reward_weights"), qPrintable(w));
  QVERIFY(error_of("beta = \"high\"\n").contains("expected a number"));
}

void ConfigTest::syntaxErrorNamesLine() {
  const QString e = error_of("seed = 1\nbeta = = 2\n");
  QVERIFY2(e.startsWith("test.toml:2:"), qPrintable(e));
}

void ConfigTest::roundTripsThroughToml() {
  RunConfig c;
  c.name = "x";
  c.beta = 0.04;
  c.loss_type = "grpo";
  c.task.max_terms = 5;
  c.reward_weights = {1.0, 0.5};
  RunConfig back = RunConfig::from_toml(c.to_toml(), "round-trip");
  QCOMPARE(back.beta, 0.04);
  QCOMPARE(back.loss_type, std::string("grpo"));
  QCOMPARE(back.task.max_terms, 5);
  QCOMPARE(back.reward_weights, c.reward_weights);
  QCOMPARE(back.to_toml(), c.to_toml());
}

void ConfigTest::objectiveKeysAndTheirAliases() {
  // scale_rewards: TRL's strings, and the booleans of older configs as aliases.
  QCOMPARE(RunConfig::from_toml("scale_rewards = true\n", "t").scale_rewards, std::string("group"));
  QCOMPARE(RunConfig::from_toml("scale_rewards = false\n", "t").scale_rewards, std::string("none"));
  QCOMPARE(RunConfig::from_toml("scale_rewards = \"batch\"\n", "t").scale_rewards, std::string("batch"));
  const QString s = error_of("scale_rewards = 1\n");
  QVERIFY2(s.contains("scale_rewards") && s.contains("group, batch, none") && s.contains("true"), qPrintable(s));
  // Estimators other than grpo have no std scaling to choose; the default follows them.
  QCOMPARE(RunConfig::from_toml("adv_estimator = \"rloo\"\n", "t").scale_rewards, std::string("none"));
  const QString r = error_of("adv_estimator = \"rloo\"\nscale_rewards = \"group\"\n");
  QVERIFY2(r.contains("scale_rewards") && r.contains("\"grpo\" only"), qPrintable(r));
  QVERIFY(error_of("adv_estimator = \"ppo\"\n").contains("reinforce_plus_plus"));
  // CISPO's epsilon_high bounds the weight: a PPO-sized value is refused with the fix.
  const QString c = error_of("loss_type = \"cispo\"\n");
  QVERIFY2(c.contains("epsilon_high") && c.contains("5.0"), qPrintable(c));
  QCOMPARE(RunConfig::from_toml("loss_type = \"cispo\"\nepsilon_high = 5.0\n", "t").loss_type, std::string("cispo"));
  QVERIFY(error_of("importance_sampling_level = \"word\"\n").contains("token, sequence"));
  QVERIFY(error_of("top_entropy_quantile = 1.5\n").contains("top_entropy_quantile"));
  const QString o = error_of("reward_funcs = [\"accuracy\", \"soft_overlong_punishment\"]\nmax_completion_length = 32\n"
                             "soft_punish_cache = 32\n");
  QVERIFY2(o.contains("soft_punish_cache") && o.contains("max_completion_length"), qPrintable(o));
  // Every new key survives the round trip.
  RunConfig v;
  v.adv_estimator = "reinforce_plus_plus";
  v.scale_rewards = "none";
  v.importance_sampling_level = "sequence";
  v.mask_truncated_completions = true;
  v.top_entropy_quantile = 0.2;
  v.filter_groups = true;
  v.max_num_gen_batches = 7;
  const RunConfig back = RunConfig::from_toml(v.to_toml(), "round-trip");
  QCOMPARE(back.to_toml(), v.to_toml());
  QCOMPARE(back.max_num_gen_batches, 7);
}
