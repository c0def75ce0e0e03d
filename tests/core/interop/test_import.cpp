// Runs trained elsewhere: veRL rollout dumps and TRL trainer state into the run store,
// once and while the job writes; launch scripts for both engines.
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <csignal>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include "core/interop/generic_import.h"
#include "core/interop/flat_json.h"
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
  // reward_std is TRL's (the batch's standard deviation); the mean of the groups' is ours.
  double group_std = 0, all_mean = 0, all_var = 0;
  for (int i = 0; i < 12; ++i) all_mean += step1.samples[i].reward / 12;
  for (int i = 0; i < 12; ++i) all_var += std::pow(step1.samples[i].reward - all_mean, 2) / 11;
  for (int g = 0; g < 3; ++g) {
    double mean = 0, var = 0;
    for (int i = 0; i < 4; ++i) mean += step1.samples[g * 4 + i].reward / 4;
    for (int i = 0; i < 4; ++i) var += std::pow(step1.samples[g * 4 + i].reward - mean, 2) / 3;
    group_std += std::sqrt(var) / 3;
  }
  QVERIFY(std::abs(sink.metric(0, "reward_std/group_mean") - group_std) < 1e-12);
  QVERIFY(std::abs(sink.metric(0, "reward_std") - std::sqrt(all_var)) < 1e-12);
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
  QCOMPARE(steps[0].metrics.size(), size_t(4));  // TRL's names are ours (clip_ratio/region_mean)
  QVERIFY(std::any_of(steps[0].metrics.begin(), steps[0].metrics.end(),
                      [](const auto& m) { return m.first == "clip_ratio/region_mean"; }));
  // Text values are skipped; TRL's rewards/accuracy/mean is also our accuracy.
  QCOMPARE(steps[1].metrics.size(), size_t(3));
  QVERIFY(std::any_of(steps[1].metrics.begin(), steps[1].metrics.end(),
                      [](const auto& m) { return m.first == "accuracy" && m.second == 0.3; }));
  QCOMPARE(steps[2].metrics.size(), size_t(2));  // the summary entry is left out
  write_file(d / "trainer_state.json", "{\"log_history\": [");
  QVERIFY_THROWS_EXCEPTION(std::runtime_error, read_trl_log_history(trl_state_file(d)));
  QVERIFY_THROWS_EXCEPTION(std::runtime_error, trl_state_file(d / "checkpoint-2" / "nowhere"));
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

void ImportTest::trlNotANumberIsReadNotRejected() {
  // transformers writes trainer_state.json with Python's json: NaN and Infinity bare.
  QTemporaryDir dir;
  const fs::path d = dir.path().toStdString();
  write_file(d / "trainer_state.json",
             "{\"log_history\": [{\"step\": 1, \"loss\": 0.5, \"grad_norm\": NaN, \"note\": \"NaN stays text\"},\n"
             " {\"step\": 2, \"loss\": 0.4, \"grad_norm\": Infinity, \"kl\": -Infinity},\n"
             " {\"step\": 3, \"loss\": 0.3, \"grad_norm\": 1.5}]}");
  std::vector<std::string> notes;
  const auto steps = read_trl_log_history(d / "trainer_state.json", &notes);
  QCOMPARE(steps.size(), size_t(3));
  QCOMPARE(steps[0].metrics.size(), size_t(1));  // loss; the NaN is left out, not stored as 0
  QCOMPARE(steps[2].metrics.size(), size_t(2));
  QCOMPARE(notes.size(), size_t(2));  // grad_norm (2 steps), kl (1 step)
  QVERIFY2(notes[0].find("grad_norm is not a finite number at 2 step(s) (first: step 1)") != std::string::npos,
           notes[0].c_str());
}

void ImportTest::verlRepeatedPromptIsTwoGroups() {
  // veRL draws prompts with replacement and dumps no group id: a prompt twice in a step is
  // two groups of rollout.n, one after the other in the dump.
  std::vector<RolloutSample> samples;
  auto add = [&](const std::string& prompt, double score) {
    RolloutSample s;
    s.prompt = prompt;
    s.completion = "x</think><answer>1</answer>";
    s.score = score;
    samples.push_back(s);
  };
  for (double r : {1.0, 0.0, 0.0, 0.0}) add("p", r);
  for (double r : {1.0, 1.0, 1.0, 1.0}) add("q", r);
  for (double r : {1.0, 1.0, 1.0, 0.0}) add("p", r);
  for (const int known : {4, 0}) {  // G from the run's config, or the most common count
    RolloutStepBuilder builder(default_reflection_lexicon(), nullptr, false, known);
    const auto step = builder.build(1, samples, 0);
    QCOMPARE(step.samples[0].group_index, 0);
    QCOMPARE(step.samples[4].group_index, 1);
    QCOMPARE(step.samples[8].group_index, 2);
    QCOMPARE(step.samples[11].index_in_group, 3);
    QCOMPARE(step.samples[0].advantage, 0.75);  // within its own group: mean 0.25
    QCOMPARE(step.samples[8].advantage, 0.25);  // mean 0.75
  }
}

void ImportTest::verlMetricsFileJoinsItsStep() {
  QTemporaryDir dir;
  const fs::path d = dir.path().toStdString();
  write_file(d / "1.jsonl", verl_step(1, 2, 4));
  write_file(d / "2.jsonl", verl_step(2, 2, 4));
  // veRL's file logger: step 1 logged; step 2's line not yet.
  write_file(d / "metrics.jsonl",
             "{\"step\": 1, \"data\": {\"actor/entropy\": 0.7, \"actor/grad_norm\": 2.5, \"critic/score/mean\": 0.6, "
             "\"timing_s/gen\": 3.0, \"reward\": 99.0}}\n");
  MemorySink sink;
  sink.begin_run({}, false);
  RolloutStepBuilder builder(default_reflection_lexicon(), nullptr);
  std::vector<std::string> reports;
  VerlIngest ingest(d, sink, builder, [&](const std::string& m) { reports.push_back(m); });
  QCOMPARE(ingest.poll(0), 1);  // step 2 waits for its metrics line
  QCOMPARE(sink.metric(0, "entropy"), 0.7);
  QCOMPARE(sink.metric(0, "actor/grad_norm"), 2.5);
  QCOMPARE(sink.metric(0, "grad_norm"), 2.5);
  QCOMPARE(sink.metric(0, "critic/score/mean"), 0.6);
  QVERIFY(sink.metric(0, "reward") < 2);  // the samples' own reward wins over a logged one
  QVERIFY(!ingest.pending().empty());
  std::ofstream(d / "metrics.jsonl", std::ios::app) << "{\"step\": 2, \"data\": {\"actor/entropy\": 0.5}}\nnot json\n";
  QCOMPARE(ingest.poll(0), 1);
  QCOMPARE(sink.metric(1, "entropy"), 0.5);
  QCOMPARE(reports.size(), size_t(1));
  QVERIFY2(reports[0].find("metrics.jsonl:3:") != std::string::npos, reports[0].c_str());
  // A validation dump's "reward" is not a reward function; a null reference stays empty.
  int64_t step = 0;
  const auto s = parse_verl_line(R"({"input":"a","output":"b","score":1,"reward":1,"gts":null,"step":7})", &step);
  QVERIFY(s.rewards.empty());
  QVERIFY(s.reference.empty());
  QCOMPARE(step, int64_t(7));
}

void ImportTest::verlLinesReadFastAsADocumentWould() {
  // The fast reader of dump lines takes a line only where a JSON parser reads the same
  // fields and values; invalid JSON, damaged lines included, is always left to the parser.
  std::vector<std::string> lines;
  std::istringstream dump(verl_step(1, 4, 4));
  for (std::string l; std::getline(dump, l);) lines.push_back(l);
  for (const char* tricky : {
           R"({"input": "a\"b\\c\/d\b\f\n\r\t", "output": "\u00e9\u4e2d\ud83d\ude00 é中😀", "score": -0.5e-3})",
           R"( { "output":"x" , "input":"y","score":1E+2,"gts":null,"acc":true,"n":[1,{"a":"]"}],"o":{}} )",
           R"({"input":"", "output":"", "score":0, "step":12, "big":123456789012345678, "neg":-0, "f":false})",
           R"({})", R"([1,2])", R"("text")", R"({"input":"a","input":"b","output":"c","score":1})",
           R"({"input":"a","output":"b","score":01})", R"({"input":"a","output":"b","score":1.})",
           R"({"input":"a","output":"b","score":NaN})", R"({"input":"a\x","output":"b","score":1})",
           R"({"input":"\ud800","output":"b","score":1})", R"({"input":"a","output":"b","score":1,})",
           R"({"input":"a","output":"b","score":1} x)", R"({"input":"a","output":"b","score":1234567890123456789012})",
           "{\"input\":\"tab\there\",\"output\":\"b\",\"score\":1}", "{\"input\":\"\xC3\",\"output\":\"b\",\"score\":1}",
           "{\"input\":\"\xED\xA0\x80\",\"output\":\"b\",\"score\":1}", "{\"input\":\"\xF4\x90\x80\x80\",\"output\":\"b\",\"score\":1}"})
    lines.push_back(tricky);
  std::mt19937 rng(11);
  const std::string specials = "\"\\{}[],:0-.eE \x01\x80\xC3\xFF";
  for (size_t k = 0, n = lines.size(); k < 3000; ++k) {  // damaged copies
    std::string l = lines[rng() % n];
    for (int edits = 1 + rng() % 3; edits > 0 && !l.empty(); --edits) {
      const size_t at = rng() % l.size();
      if (rng() % 2) l[at] = specials[rng() % specials.size()];
      else l.erase(at, 1 + rng() % 3);
    }
    lines.push_back(l);
  }
  int fast = 0;
  for (const auto& line : lines) {
    const auto fields = read_flat_json_object(line);
    const auto doc = nlohmann::json::parse(line, nullptr, false);
    if (!fields) continue;
    ++fast;
    QVERIFY2(!doc.is_discarded() && doc.is_object(), line.c_str());
    QCOMPARE(doc.size(), fields->size());
    for (const auto& f : *fields) {
      QVERIFY2(doc.contains(f.key), line.c_str());
      const auto& v = doc[f.key];
      switch (f.kind) {
        case FlatJsonField::Kind::String: QVERIFY2(v.is_string() && v.get<std::string>() == f.text, line.c_str()); break;
        case FlatJsonField::Kind::Number:
          QVERIFY2(v.is_number() && v.get<double>() == f.number && v.is_number_integer() == f.integer, line.c_str());
          break;
        case FlatJsonField::Kind::Bool: QVERIFY2(v.is_boolean() && v.get<bool>() == (f.number != 0), line.c_str()); break;
        case FlatJsonField::Kind::Null: QVERIFY2(v.is_null(), line.c_str()); break;
        case FlatJsonField::Kind::Nested: QVERIFY2(v == nlohmann::json::parse(f.text), line.c_str()); break;
      }
    }
  }
  QVERIFY(fast >= 16 + 3);  // every dump line and the valid tricky ones
  // And through the whole sample: the fast path agrees with the document on a full line.
  int64_t step = -1;
  const auto s = parse_verl_line(lines[16 + 1], &step);
  QCOMPARE(s.prompt, std::string("y"));
  QCOMPARE(s.score, 100.0);
  QVERIFY(s.correct && *s.correct);
  QCOMPARE(s.extra, std::string(R"({"n":[1,{"a":"]"}],"o":{}})"));
}

namespace {

// One Countdown step as veRL writes it: v0.8 (the legacy trainer) dumps the reward
// function's extras beside "score"; v0.9's v1 trainer dumps input, output, gts, score, step
// and uid ("{prompt uuid}_{session}_{index}") only. The same samples either way.
std::string countdown_step(int step, bool v1) {
  struct Problem { std::vector<int> nums; int target; std::vector<std::string> answers; };
  const Problem problems[] = {{{2, 3, 5}, 25, {"(2+3)*5", "2*3+5", "5*5", "(3+2)*5"}},
                              {{4, 6, 9}, 15, {"6+9", "4+6+9", "9+6", "15"}},
                              {{2, 3, 5}, 25, {"5*(2+3)", "2+3+5", "(2+3)*5", "25"}}};  // the first prompt again
  std::string out;
  int uid = 0;
  for (const auto& p : problems) {
    const nlohmann::json gts = {{"nums", p.nums}, {"target", p.target}};
    std::string question = "Use";
    for (int n : p.nums) question += " " + std::to_string(n);
    question += " to make " + std::to_string(p.target) + ".";
    ++uid;
    for (size_t i = 0; i < p.answers.size(); ++i) {
      const std::string output = "Let me try " + p.answers[i] + ".</think><answer>" + p.answers[i] + "</answer>";
      nlohmann::json j = {{"input", question + " <think>"}, {"output", output}, {"gts", gts.dump()}, {"step", step}};
      if (v1) {
        j["score"] = 0.0;  // the v1 dump's score: whatever the reward loop summed; not read for accuracy
        j["uid"] = "a1b2c3d4-000" + std::to_string(uid) + "_" + std::to_string(i % 2) + "_" + std::to_string(i);
      } else {
        const double right = (p.target == 25 && (p.answers[i] == "(2+3)*5" || p.answers[i] == "(3+2)*5" ||
                                                  p.answers[i] == "5*(2+3)")) ||
                                     (p.target == 15 && (p.answers[i] == "6+9" || p.answers[i] == "9+6"))
                                 ? 1.0 : 0.0;
        j["score"] = 1.0 * right + 0.2;
        j["accuracy"] = right;
        j["format"] = 1.0;
      }
      out += j.dump() + "\n";
    }
  }
  return out;
}

}  // namespace

void ImportTest::verlV1DumpScoresAsTheV08DumpDoes() {
  RolloutStepBuilder builder(default_reflection_lexicon(), nullptr, true, 4);
  std::vector<std::vector<bool>> correct;
  std::vector<double> accuracy;
  std::vector<int> groups;
  for (const bool v1 : {false, true}) {
    QTemporaryDir dir;
    const fs::path d = dir.path().toStdString();
    write_file(d / "1.jsonl", countdown_step(1, v1));
    MemorySink sink;
    sink.begin_run({}, false);
    VerlIngest ingest(d, sink, builder, [](const std::string&) {});
    QCOMPARE(ingest.poll(0), 1);
    correct.emplace_back();
    int most = 0;
    for (const auto& s : sink.steps[0].samples) correct.back().push_back(s.correct), most = std::max(most, s.group_index);
    accuracy.push_back(sink.metric(0, "accuracy"));
    groups.push_back(most + 1);
  }
  QCOMPARE(accuracy[0], 6.0 / 12.0);  // (2+3)*5, (3+2)*5, 6+9, 9+6, 5*(2+3), (2+3)*5
  QCOMPARE(accuracy[1], accuracy[0]);
  QVERIFY(correct[0] == correct[1]);
  QCOMPARE(groups[0], 3);  // the repeated prompt is a group of its own either way
  QCOMPARE(groups[1], 3);  // v1: by uid
  // The uid's group: what precedes "_{session}_{index}".
  const auto s = parse_verl_line(R"({"input":"a","output":"b","score":1,"uid":"p-1_0_3"})");
  QCOMPARE(QString::fromStdString(s.group), QString("p-1"));
}

void ImportTest::followedMetricsRewrittenLoseNoStep() {
  // veRL's file logger opens metrics.jsonl with "wb" when the job resumes: the follower reads
  // it again from its start, whether the new file is shorter or already longer.
  for (const bool longer : {false, true}) {
    QTemporaryDir dir;
    const fs::path d = dir.path().toStdString();
    auto line = [](int step, double entropy, size_t pad = 0) {
      return "{\"step\": " + std::to_string(step) + ", \"data\": {\"actor/entropy\": " + std::to_string(entropy) +
             ", \"pad\": \"" + std::string(pad, 'x') + "\"}}\n";
    };
    write_file(d / "1.jsonl", verl_step(1, 2, 4));
    write_file(d / "2.jsonl", verl_step(2, 2, 4));
    write_file(d / "metrics.jsonl", line(1, 0.9) + line(2, 0.8));
    MemorySink sink;
    sink.begin_run({}, false);
    RolloutStepBuilder builder(default_reflection_lexicon(), nullptr);
    std::vector<std::string> reports;
    VerlIngest ingest(d, sink, builder, [&](const std::string& m) { reports.push_back(m); });
    QCOMPARE(ingest.poll(0), 2);
    // The job is killed and resumed from step 2: a new file with steps 3 and 4.
    write_file(d / "metrics.jsonl", line(3, 0.7, longer ? 400 : 0) + line(4, 0.6, longer ? 400 : 0));
    write_file(d / "3.jsonl", verl_step(3, 2, 4));
    write_file(d / "4.jsonl", verl_step(4, 2, 4));
    QCOMPARE(ingest.poll(0), 2);
    QCOMPARE(sink.steps.size(), size_t(4));
    QCOMPARE(sink.metric(2, "entropy"), 0.7);
    QCOMPARE(sink.metric(3, "entropy"), 0.6);
    QVERIFY(std::any_of(reports.begin(), reports.end(), [](const std::string& r) { return r.find("rewritten") != std::string::npos; }));
    // It goes on growing: step 5 joins its line.
    std::ofstream(d / "metrics.jsonl", std::ios::app) << line(5, 0.5);
    write_file(d / "5.jsonl", verl_step(5, 2, 4));
    QCOMPARE(ingest.poll(0), 1);
    QCOMPARE(sink.metric(4, "entropy"), 0.5);
  }
}
