#include <QDir>

#include "core/support/config_reader.h"
#include "core/run/run_config.h"
#include "core/run/sweep.h"
#include "core/run/sweep_controls.h"

#include <QTemporaryDir>
#include <fstream>
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
  // Weights that would store NaN or infinite rewards; batches and names that cannot be.
  const QString nan = error_of("reward_funcs = [\"accuracy\", \"format\"]\nreward_weights = [nan, 0.1]\n");
  QVERIFY2(nan.contains("reward_weights") && nan.contains("finite"), qPrintable(nan));
  QVERIFY(error_of("reward_funcs = [\"accuracy\", \"format\"]\nreward_weights = [-1e308, 1e308]\n").contains("finite"));
  QVERIFY(error_of("per_device_train_batch_size = 1048576\n").contains("per_device_train_batch_size"));
  QVERIFY(error_of("name = \"..\"\n").contains("names a folder"));
  QVERIFY(error_of("name = \"a/b\"\n").contains("slash"));
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

void ConfigTest::sweepExpandsItsGridAndSeeds() {
  QTemporaryDir dir;
  const std::string base = dir.filePath("base.toml").toStdString();
  std::ofstream(base) << "name = \"b\"\n# a comment the members keep\nmax_steps = 50\n[task]\nmax_terms = 3\n";
  const auto spec_of = [&](const std::string& text) {
    return SweepSpec::from_toml(text, "sweep.toml", dir.path().toStdString());
  };
  const auto spec = spec_of(
      "name = \"abl\"\nbase = \"base.toml\"\nseeds = [1, 2]\n[set]\nmax_steps = 20\n[set.task]\nmax_value = 99\n"
      "[grid]\nloss_type = [\"grpo\", \"dr_grpo\"]\nepsilon = [0.2, 0.3]\n");
  const auto members = sweep_members(spec);
  QCOMPARE(members.size(), size_t(8));
  // The first key varies slowest, seeds fastest.
  QCOMPARE(members[0].run_name, std::string("abl-grpo-0.2-s1"));
  QCOMPARE(members[1].run_name, std::string("abl-grpo-0.2-s2"));
  QCOMPARE(members[2].run_name, std::string("abl-grpo-0.3-s1"));
  QCOMPARE(members[7].run_name, std::string("abl-dr_grpo-0.3-s2"));
  QCOMPARE(members[2].values_json(), std::string("{\"loss_type\":\"grpo\",\"epsilon\":0.3,\"seed\":1}"));
  const auto cfg = RunConfig::from_toml(members[7].config_toml, "m");
  QCOMPARE(cfg.name, std::string("abl-dr_grpo-0.3-s2"));
  QCOMPARE(cfg.seed, 2);
  QCOMPARE(cfg.loss_type, std::string("dr_grpo"));
  QCOMPARE(cfg.epsilon, 0.3);
  QCOMPARE(cfg.max_steps, 20);       // [set] over the base
  QCOMPARE(cfg.task.max_terms, 3);   // the base's own value kept
  QCOMPARE(cfg.task.max_value, 99);  // [set.task]
  QCOMPARE(cfg.sweep, std::string("abl"));
  QCOMPARE(sweep_value(cfg.sweep_values, "epsilon"), std::string("0.3"));
  QVERIFY(members[0].config_toml.find("# a comment the members keep") != std::string::npos);

  const auto error = [&](const std::string& text) -> QString {
    try {
      sweep_members(spec_of(text));
    } catch (const ConfigError& e) {
      return QString::fromStdString(e.what());
    }
    return {};
  };
  QVERIFY(error("base = \"base.toml\"\n").contains("name"));
  QVERIFY(error("name = \"x\"\nbase = \"none.toml\"\n").contains("no such file"));
  const QString g = error("name = \"x\"\nbase = \"base.toml\"\n[grid]\nloss_type = \"grpo\"\n");
  QVERIFY2(g.contains("grid.loss_type") && g.contains("list"), qPrintable(g));
  const QString v = error("name = \"x\"\nbase = \"base.toml\"\n[grid]\nloss_type = [\"grpo\", \"ppo\"]\n");
  QVERIFY2(v.contains("x-ppo-s1") && v.contains("loss_type") && v.contains("'ppo'"), qPrintable(v));
  QVERIFY(error("name = \"x\"\nbase = \"base.toml\"\n[set]\nname = \"y\"\n").contains("set.name"));
  QVERIFY(error("name = \"x\"\nbase = \"base.toml\"\nseeds = [1, 1]\n").contains("twice"));
  QVERIFY(error("name = \"x\"\nbase = \"base.toml\"\nseedz = [1]\n").contains("seeds"));
  // Arms: values that go together, each arm x the grid x the seeds, arms slowest.
  const auto armed = sweep_members(spec_of(
      "name = \"a\"\nbase = \"base.toml\"\nseeds = [7]\n[grid]\nepsilon = [0.2, 0.3]\n"
      "[[arms]]\nloss_type = \"grpo\"\nscale_rewards = \"group\"\n[[arms]]\nloss_type = \"dr_grpo\"\nscale_rewards = \"none\"\n"));
  QCOMPARE(armed.size(), size_t(4));
  QCOMPARE(armed[0].run_name, std::string("a-grpo-group-0.2-s7"));
  QCOMPARE(armed[3].run_name, std::string("a-dr_grpo-none-0.3-s7"));
  QCOMPARE(RunConfig::from_toml(armed[3].config_toml, "m").scale_rewards, std::string("none"));
  QCOMPARE(sweep_value(armed[3].values_json(), "scale_rewards"), std::string("none"));
  QVERIFY(error("name = \"x\"\nbase = \"base.toml\"\narms = 3\n").contains("[[arms]]"));
  QVERIFY(error("name = \"x\"\nbase = \"base.toml\"\n[[arms]]\n[[arms]]\nepsilon = 0.3\n").contains("arms[1]: an arm needs"));
}

void ConfigTest::sweepControlsForm() {
  QTemporaryDir dir;
  const std::string base = dir.filePath("base.toml").toStdString();
  std::ofstream(base) << "name = \"b\"\nseed = 5\nreward_funcs = [\"accuracy\", \"format\"]\nreward_weights = [1.0, 0.1]\n";
  const auto spec_of = [&](const std::string& text) {
    return SweepSpec::from_toml(text, "sweep.toml", dir.path().toStdString());
  };
  // A labelled arm names its members; its list values read as JSON lists.
  const auto labelled = sweep_members(spec_of("name = \"s\"\nbase = \"base.toml\"\n[[arms]]\nlabel = \"rnd\"\n"
                                              "reward_funcs = [\"random\", \"format\"]\n"));
  QCOMPARE(labelled[0].run_name, std::string("s-rnd-s1"));
  QCOMPARE(labelled[0].values_json(), std::string("{\"arm\":\"rnd\",\"reward_funcs\":[\"random\",\"format\"],\"seed\":1}"));
  // A labelled arm without keys runs the base as it is (a baseline); without a label it is refused.
  const auto baseline = sweep_members(spec_of("name = \"s\"\nbase = \"base.toml\"\n[[arms]]\nlabel = \"baseline\"\n"
                                              "[[arms]]\nlabel = \"two\"\nnum_iterations = 2\n"));
  QCOMPARE(baseline.size(), size_t(2));
  QCOMPARE(baseline[0].run_name, std::string("s-baseline-s1"));
  QCOMPARE(RunConfig::from_toml(baseline[0].config_toml, "m").num_iterations, 1);
  QCOMPARE(RunConfig::from_toml(baseline[1].config_toml, "m").num_iterations, 2);
  // A run config's controls form: its seed, the truth and each control in accuracy's place.
  const auto of_run = sweep_members(with_controls(sweep_of_file(base)));
  QCOMPARE(of_run.size(), size_t(4));
  const std::vector<std::string> names = {"b-controls-truth-s5", "b-controls-random-s5", "b-controls-incorrect_label-s5",
                                          "b-controls-format_only-s5"};
  for (size_t i = 0; i < of_run.size(); ++i) {
    QCOMPARE(of_run[i].run_name, names[i]);
    const auto cfg = RunConfig::from_toml(of_run[i].config_toml, "m");
    QCOMPARE(cfg.reward_funcs[0], i == 0 ? std::string("accuracy") : control_arm_names()[i]);
    QCOMPARE(cfg.reward_funcs[1], std::string("format"));
    QCOMPARE(cfg.reward_weights, (std::vector<double>{1.0, 0.1}));  // the weights kept
    QCOMPARE(cfg.seed, 5);
  }
  // A sweep's: each arm x each control, unlabelled arms named by their values, seeds kept.
  const auto of_sweep = sweep_members(with_controls(spec_of(
      "name = \"ab\"\nbase = \"base.toml\"\nseeds = [1, 2]\n[[arms]]\nloss_type = \"grpo\"\n[[arms]]\nloss_type = \"dr_grpo\"\n")));
  QCOMPARE(of_sweep.size(), size_t(2 * 4 * 2));
  QCOMPARE(of_sweep[0].run_name, std::string("ab-controls-grpo_truth-s1"));
  QCOMPARE(of_sweep[15].run_name, std::string("ab-controls-dr_grpo_format_only-s2"));
  QCOMPARE(RunConfig::from_toml(of_sweep[15].config_toml, "m").loss_type, std::string("dr_grpo"));
  // Written as a sweep file (what the studio trains), it loads back with the same members.
  const auto text = with_controls(spec_of("name = \"ab\"\nbase = \"base.toml\"\nseeds = [1, 2]\n[set]\ntask.max_value = 99\n"
                                          "[grid]\nepsilon = [0.2, 0.3]\n[[arms]]\nloss_type = \"grpo\"\n"))
                        .to_toml();
  const auto again = sweep_members(SweepSpec::from_toml(text, "again", "/"));
  QCOMPARE(again.size(), size_t(4 * 2 * 2));
  QCOMPARE(again[7].run_name, std::string("ab-controls-grpo_random-0.3-s2"));
  QCOMPARE(RunConfig::from_toml(again[7].config_toml, "m").task.max_value, 99);
  QCOMPARE(RunConfig::from_toml(again[7].config_toml, "m").reward_funcs[0], std::string("random"));
  // Nothing to stand in for: the sweep says why.
  std::ofstream(base) << "name = \"b\"\nreward_funcs = [\"format\"]\nreward_weights = [1.0]\n";
  try {
    with_controls(sweep_of_file(base));
    QFAIL("controls of a run without accuracy");
  } catch (const ConfigError& e) {
    QVERIFY2(std::string(e.what()).find("no accuracy") != std::string::npos, e.what());
  }
}
