// Runs trained elsewhere: veRL rollout dumps and TRL trainer state into the run store,
// once and while the job writes; launch scripts for both engines.
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <csignal>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include "core/interop/generic_import.h"
#include "core/interop/launch_export.h"
#include "core/run/memory_sink.h"
#include "core/interop/trl_import.h"
#include "core/interop/verl_import.h"
#include "db/run_reader.h"
#include "tests/core/core_tests.h"

using namespace aha;
namespace fs = std::filesystem;

namespace {

// One step as veRL's _dump_generations writes it: G consecutive lines per prompt.
std::string verl_step(int step, int prompts, int group) {
  std::string out;
  for (int p = 0; p < prompts; ++p) {
    const int a = 10 + step * 7 + p, b = 20 + p;
    for (int g = 0; g < group; ++g) {
      const bool right = (g + p + step) % 2 == 0;
      std::string output = std::to_string(a) + "+" + std::to_string(b) + "=" + std::to_string(right ? a + b : a + b + 1);
      if (g == 1) output += ". Wait, let me check: " + std::to_string(a) + "+" + std::to_string(b) + "=" + std::to_string(a + b);
      output += "</think><answer>" + std::to_string(right ? a + b : a + b + 1) + "</answer>";
      nlohmann::json j = {{"input", "<|im_start|>user\nWhat is " + std::to_string(a) + "+" + std::to_string(b) +
                                        "?<|im_end|>\n<|im_start|>assistant\n<think>"},
                          {"output", output},
                          {"gts", std::to_string(a + b)},
                          {"score", right ? 1.1 : 0.1},
                          {"step", step},
                          {"accuracy", right ? 1.0 : 0.0},
                          {"format", 1.0},
                          {"data_source", {{"name", "toy"}, {"split", "train"}}}};
      out += j.dump() + "\n";
    }
  }
  return out;
}

void write_file(const fs::path& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

}  // namespace

void ImportTest::verlDumpsBecomeGroupedSteps() {
  QTemporaryDir dir;
  const fs::path d = dir.path().toStdString();
  write_file(d / "1.jsonl", verl_step(1, 3, 4));
  std::string second = verl_step(2, 3, 4);
  second.insert(second.find('\n') + 1, "{\"input\": \"x\", \"output\": \n");  // line 2 is broken
  write_file(d / "2.jsonl", second);
  const std::string third = verl_step(3, 3, 4);
  write_file(d / "3.jsonl", third.substr(0, third.size() / 2));  // the writer is busy
  write_file(d / "notes.txt", "not a step");

  MemorySink sink;
  sink.begin_run({}, false);
  RolloutStepBuilder builder(default_reflection_lexicon(), nullptr);
  std::vector<std::string> reports;
  VerlIngest ingest(d, sink, builder, [&](const std::string& m) { reports.push_back(m); });
  QCOMPARE(ingest.poll(0), 2);
  QCOMPARE(reports.size(), size_t(1));  // the broken line, not the unfinished file
  QVERIFY2(QString::fromStdString(reports[0]).contains("2.jsonl:2:"), reports[0].c_str());
  QCOMPARE(sink.steps.size(), size_t(2));
  const auto& step1 = sink.steps[0];
  QCOMPARE(step1.step, int64_t(1));
  QCOMPARE(step1.samples.size(), size_t(12));
  QCOMPARE(sink.steps[1].samples.size(), size_t(12));  // the broken line came on top
  for (int i = 0; i < 12; ++i) {
    const auto& s = step1.samples[i];
    QCOMPARE(s.group_index, i / 4);
    QCOMPARE(s.index_in_group, i % 4);
    QVERIFY(s.extra.find("\"split\":\"train\"") != std::string::npos);  // unknown fields kept
    QCOMPARE(s.rewards.size(), size_t(2));                             // accuracy, format
    QCOMPARE(s.correct, s.rewards[0].second > 0.5);
    QVERIFY(s.format_ok);
    QCOMPARE(s.aha_score > 0, i % 4 == 1);  // "Wait, let me check" in the second of each group
  }
  double adv = 0;
  for (int i = 0; i < 4; ++i) adv += step1.samples[i].advantage;
  QVERIFY(std::abs(adv) < 1e-9);
  QCOMPARE(sink.metric(0, "aha_rate"), 0.25);
  // reward_std is TRL's (the mean of the groups' standard deviations), as for local runs.
  double group_std = 0;
  for (int g = 0; g < 3; ++g) {
    double mean = 0, var = 0;
    for (int i = 0; i < 4; ++i) mean += step1.samples[g * 4 + i].reward / 4;
    for (int i = 0; i < 4; ++i) var += std::pow(step1.samples[g * 4 + i].reward - mean, 2) / 3;
    group_std += std::sqrt(var) / 3;
  }
  QVERIFY(std::abs(sink.metric(0, "reward_std") - group_std) < 1e-12);
  QVERIFY(sink.metric(0, "rewards/accuracy/mean") > 0);

  // The busy file finishes: the next poll stores it, and only it.
  write_file(d / "3.jsonl", third);
  QCOMPARE(ingest.poll(0), 1);
  QCOMPARE(ingest.poll(0), 0);
  QCOMPARE(sink.steps.back().step, int64_t(3));
  // With a settle time, a just-written newest file waits; a later step's file finishes it.
  write_file(d / "4.jsonl", verl_step(4, 2, 2));
  QCOMPARE(ingest.poll(30), 0);
  write_file(d / "5.jsonl", verl_step(5, 2, 2));
  QCOMPARE(ingest.poll(30), 1);
  QCOMPARE(sink.steps.back().step, int64_t(4));
  QVERIFY_THROWS_EXCEPTION(std::runtime_error, VerlIngest(d / "missing", sink, builder, {}));
}

void ImportTest::followerSurvivesKills() {
  // A writer adds step files (each written in two parts, as a buffered writer does) while
  // `aha follow verl` is SIGKILLed and restarted at random moments. In the end every
  // step is stored once, whole and in order.
  QTemporaryDir dir;
  const fs::path rollouts = fs::path(dir.path().toStdString()) / "rollouts";
  fs::create_directories(rollouts);
  const QString db = dir.filePath("follow.db");
  const int steps = 30, prompts = 4, group = 4;
  std::atomic<bool> done{false};
  std::thread writer([&] {
    auto* rng = QRandomGenerator::global();
    for (int s = 1; s <= steps; ++s) {
      const std::string text = verl_step(s, prompts, group);
      const auto path = rollouts / (std::to_string(s) + ".jsonl");
      {
        std::ofstream out(path, std::ios::binary);
        out << text.substr(0, text.size() / 3);
        out.flush();
        std::this_thread::sleep_for(std::chrono::milliseconds(rng->bounded(5, 40)));
        out << text.substr(text.size() / 3);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(rng->bounded(10, 60)));
    }
    done = true;
  });
  const QStringList args = {"follow", "verl", "--dir", QString::fromStdString(rollouts.string()), "--db", db,
                            "--run", "followed", "--poll", "0.02", "--settle", "0.3"};
  int kills = 0;
  while (!done || kills < 8) {
    QProcess follower;
    follower.start(AHA_CLI_BIN, args);
    QVERIFY(follower.waitForStarted());
    QThread::msleep(QRandomGenerator::global()->bounded(30, 250));
    ::kill(static_cast<pid_t>(follower.processId()), SIGKILL);
    follower.waitForFinished();
    ++kills;
  }
  writer.join();
  QProcess last;
  last.start(AHA_CLI_BIN, QStringList(args) << "--idle-exit" << "1");
  QVERIFY(last.waitForFinished(60000));
  QVERIFY2(last.exitCode() == 0, last.readAllStandardError().constData());

  db::RunReader reader(db.toStdString());
  auto& c = reader.connection();
  QCOMPARE(QString::fromStdString(c.scalar_text("PRAGMA integrity_check")), QString("ok"));
  QCOMPARE(c.scalar_int("SELECT count(DISTINCT step) FROM samples"), int64_t(steps));
  QCOMPARE(c.scalar_int("SELECT count(*) FROM samples"), int64_t(steps * prompts * group));
  QCOMPARE(c.scalar_int("SELECT count(*) FROM (SELECT step FROM samples GROUP BY step HAVING count(*) != 16)"), int64_t(0));
  // In order: ids grow with the step.
  QCOMPARE(c.scalar_int("SELECT count(*) FROM samples a JOIN samples b ON a.id < b.id AND a.step > b.step"), int64_t(0));
  QCOMPARE(c.scalar_int("SELECT count(*) FROM metrics WHERE name = 'aha_rate'"), int64_t(steps));
  // Fields the schema has no column for come back with the sample.
  const auto first = reader.sample(c.scalar_int("SELECT min(id) FROM samples"));
  QVERIFY(first && first->extra_json.find("\"split\":\"train\"") != std::string::npos);
  qInfo("%d kills, %d steps stored once each", kills, steps);
}

void ImportTest::trlLogHistoryBecomesMetrics() {
  QTemporaryDir dir;
  const fs::path d = dir.path().toStdString();
  fs::create_directories(d / "checkpoint-2");
  fs::create_directories(d / "checkpoint-10");
  nlohmann::json state = {{"global_step", 3},
                          {"log_history",
                           {{{"step", 1}, {"epoch", 0.1}, {"reward", 0.2}, {"kl", 0.0}, {"clip_ratio/region_mean", 0.0}},
                            {{"step", 2}, {"reward", 0.4}, {"rewards/accuracy/mean", 0.3}, {"note", "text"}},
                            {{"step", 3}, {"reward", 0.5}, {"completions/mean_length", 120.5}},
                            {{"step", 3}, {"train_runtime", 100.0}, {"train_loss", 0.1}}}}};
  write_file(d / "checkpoint-2" / "trainer_state.json", "{\"log_history\": []}");
  write_file(d / "checkpoint-10" / "trainer_state.json", state.dump());
  const auto file = trl_state_file(d);
  QCOMPARE(QString::fromStdString(file.parent_path().filename().string()), QString("checkpoint-10"));
  const auto steps = read_trl_log_history(file);
  QCOMPARE(steps.size(), size_t(3));
  QCOMPARE(steps[0].metrics.size(), size_t(4));
  QVERIFY(std::any_of(steps[0].metrics.begin(), steps[0].metrics.end(),
                      [](const auto& m) { return m.first == "clip_ratio"; }));
  QCOMPARE(steps[1].metrics.size(), size_t(2));  // text values are skipped
  QCOMPARE(steps[2].metrics.size(), size_t(2));  // the summary entry is left out
  write_file(d / "trainer_state.json", "{\"log_history\": [");
  QVERIFY_THROWS_EXCEPTION(std::runtime_error, read_trl_log_history(trl_state_file(d)));
  QVERIFY_THROWS_EXCEPTION(std::runtime_error, trl_state_file(d / "checkpoint-2" / "nowhere"));
}

void ImportTest::launchScriptsMapEveryKey() {
  const auto cfg = RunConfig::load(std::string(AHA_SOURCE_DIR) + "/resources/presets/qwen2.5-gsm8k.toml");
  const auto table = toml::parse(cfg.to_toml());
  std::vector<std::string> keys;
  for (const auto& [k, v] : table) {
    if (k.str() == "task")
      for (const auto& [tk, tv] : *v.as_table()) keys.push_back("task." + std::string(tk.str()));
    else
      keys.push_back(std::string(k.str()));
  }
  QVERIFY(keys.size() > 30);
  QTemporaryDir dir;
  for (const std::string engine : {"verl", "trl"}) {
    const auto mapping = launch_key_mapping(cfg, engine);
    const std::string script = launch_script(cfg, engine, "/data/out");
    for (const auto& key : keys) {
      const auto it = std::find_if(mapping.begin(), mapping.end(), [&](const KeyMapping& m) { return m.ours == key; });
      QVERIFY2(it != mapping.end(), qPrintable(QString::fromStdString(engine + ": config key '" + key + "' has no mapping")));
      if (it->theirs.empty()) {
        QVERIFY2(script.find("#   " + key + ": ") != std::string::npos, qPrintable(QString::fromStdString(key)));
        continue;
      }
      // A named key of the engine appears in the script itself.
      const std::string named = it->theirs.substr(0, it->theirs.find(' '));
      const std::string leaf = named.substr(named.find('.') == std::string::npos ? 0 : named.rfind('.') + 1);
      if (named.find('.') != std::string::npos && named.find('(') == std::string::npos)
        QVERIFY2(script.find(engine == "verl" ? named + "=" : leaf + "=") != std::string::npos,
                 qPrintable(QString::fromStdString(engine + ": " + key + " -> " + named + " missing from the script")));
    }
    QVERIFY(script.find(engine == "verl" ? "trainer.rollout_data_dir=/data/out" : "output_dir=\"/data/out\"") !=
            std::string::npos);
    const QString path = dir.filePath(QString::fromStdString(engine == "verl" ? "launch.sh" : "launch.py"));
    write_file(path.toStdString(), script);
    QProcess check;
    if (engine == "verl")
      check.start("bash", {"-n", path});
    else
      check.start("python3", {"-m", "py_compile", path});
    QVERIFY2(check.waitForFinished(30000), "bash/python3 must be installed");
    QVERIFY2(check.exitCode() == 0, check.readAllStandardError().constData());
  }
  // The TRL script's reward rules agree with the engine's on a right and a wrong answer.
  const QString py = dir.filePath("launch.py");
  QProcess run;
  run.start("python3", {"-c", "import importlib.util as u; s = u.spec_from_file_location('l', '" + py +
                                   "'); m = u.module_from_spec(s); s.loader.exec_module(m); "
                                   "print(m.scores('6*7=42</think><answer>42</answer>', '42'), "
                                   "m.scores('</think><answer>41</answer>', '42'))"});
  QVERIFY(run.waitForFinished(30000));
  const QString out = run.readAllStandardOutput();
  QVERIFY2(out.contains("{'accuracy': 1.0, 'format': 1.0, 'score': 1.2} {'accuracy': 0.0, 'format': 1.0, 'score': 0.2}"),
           qPrintable(out + run.readAllStandardError()));
}

void ImportTest::genericFileWithFieldMapping() {
  QTemporaryDir dir;
  const fs::path csv = fs::path(dir.path().toStdString()) / "log.csv";
  write_file(csv,
             "iteration,question,response,total,acc,gid,model\n"
             "3,2+2,\"2+2=5. Wait, let me check: 2+2=4</think><answer>4</answer>\",1,1,a,m1\n"
             "3,2+2,2+2=4</think><answer>4</answer>,1,1,a,m1\n"
             "3,2+2,5</think><answer>5</answer>,0,0,b,m1\n"
             "4,3+3,6</think><answer>6</answer>,not-a-number,1,c,m1\n"
             "4,3+3,6</think><answer>6</answer>,1,1,c,m1\n");
  GenericMapping m;
  m.prompt = "question";
  m.completion = "response";
  m.score = "total";
  m.rewards = {"acc"};
  m.step = "iteration";
  m.group = "gid";
  std::vector<std::string> reports;
  auto steps = read_generic_rollouts(csv, m, [&](const std::string& r) { reports.push_back(r); });
  QCOMPARE(steps.size(), size_t(2));
  QCOMPARE(steps[3].size(), size_t(3));
  QCOMPARE(reports.size(), size_t(1));
  QVERIFY2(QString::fromStdString(reports[0]).contains("log.csv:5:"), reports[0].c_str());
  RolloutStepBuilder builder(default_reflection_lexicon(), nullptr);
  const auto rec = builder.build(3, steps[3], 0);
  QCOMPARE(rec.samples[0].group_index, 0);  // same prompt, but the group field splits them
  QCOMPARE(rec.samples[1].group_index, 0);
  QCOMPARE(rec.samples[2].group_index, 1);
  QVERIFY(rec.samples[0].aha_score > 0);
  QVERIFY(rec.samples[0].correct && !rec.samples[2].correct);
  QCOMPARE(QString::fromStdString(rec.samples[0].extra), QString("{\"model\":\"m1\"}"));
}
