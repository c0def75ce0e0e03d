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
