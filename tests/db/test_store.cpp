#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "db/metric_csv.h"
#include "db/probe_store.h"
#include "db/run_reader.h"
#include "db/run_store.h"
#include "db/search_index.h"
#include "db/tag_store.h"
#include "tests/db/db_tests.h"
#include "tests/db/store_fixture.h"

using namespace aha::db;
using aha::test::make_run;
using aha::test::make_step;

namespace {
struct Fixture {
  QTemporaryDir dir;
  std::string path = dir.filePath("runs.db").toStdString();
  RunStore store{path};
  int64_t run = store.begin_run(make_run("run-a"), false);
  Fixture(int steps = 5) {
    for (int s = 0; s < steps; ++s) store.write_step(make_step(s));
  }
};
}  // namespace

void StoreTest::writesAndReadsSteps() {
  Fixture fx;
  RunReader reader(fx.path);
  auto runs = reader.runs();
  QCOMPARE(runs.size(), size_t(1));
  QCOMPARE(QString::fromStdString(runs[0].name), QString("run-a"));
  QCOMPARE(runs[0].last_step, int64_t(4));
  QCOMPARE(runs[0].seed, int64_t(7));
  SampleFilter f;
  f.run_id = fx.run;
  QCOMPARE(reader.count_samples(f), int64_t(5 * 8));
  auto page = reader.samples(f, SampleOrder::StepThenId, false, 3);
  QCOMPARE(page.rows.size(), size_t(3));
  const auto& r = page.rows[1];
  QCOMPARE(r.step, int64_t(0));
  QCOMPARE(r.index_in_group, 1);
  QCOMPARE(QString::fromStdString(r.prompt), QString("prompt 0="));
  QCOMPARE(r.reward, 1.0);
  QCOMPARE(r.advantage, 0.0);
  QCOMPARE(r.token_count, 11);
  QVERIFY(QString::fromStdString(r.rewards_json).contains("\"format\":1.0"));
  // Prompts are stored once per run, however many steps repeat them.
  QCOMPARE(reader.connection().scalar_int("SELECT count(*) FROM prompts"), int64_t(2));

  // Reward names are JSON-escaped; values round-trip; a NaN is stored as null.
  aha::StepRecord odd = make_step(5, 1, 1);
  odd.samples[0].rewards = {{"say \"hi\"\\\n", 0.1}, {"big", 1e300}, {"whole", -3.0}, {"nan", std::nan("")}};
  fx.store.write_step(odd);
  f = {};
  f.step_min = 5;
  const auto row = reader.samples(f, SampleOrder::StepThenId, false, 1).rows.at(0);
  QJsonParseError error;
  const auto doc = QJsonDocument::fromJson(QByteArray::fromStdString(row.rewards_json), &error);
  QVERIFY2(error.error == QJsonParseError::NoError, row.rewards_json.c_str());
  const auto o = doc.object();
  QCOMPARE(o.value("say \"hi\"\\\n").toDouble(), 0.1);
  QCOMPARE(o.value("big").toDouble(), 1e300);
  QCOMPARE(o.value("whole").toDouble(), -3.0);
  QVERIFY(o.value("nan").isNull());
  QVERIFY2(QString::fromStdString(row.rewards_json).contains("\"whole\":-3.0"), row.rewards_json.c_str());
}

void StoreTest::keysetPagingVisitsEveryRowOnce() {
  Fixture fx(12);
  RunReader reader(fx.path);
  SampleFilter f;
  f.run_id = fx.run;
  for (auto order : {SampleOrder::StepThenId, SampleOrder::Reward, SampleOrder::AhaScore, SampleOrder::Length})
    for (bool desc : {false, true}) {
      std::set<int64_t> seen;
      PageCursor cursor;
      double last_key = desc ? 1e18 : -1e18;
      int pages = 0;
      do {
        auto page = reader.samples(f, order, desc, 7, cursor);
        for (const auto& row : page.rows) {
          QVERIFY(seen.insert(row.id).second);
          const double key = order == SampleOrder::StepThenId ? row.step
                             : order == SampleOrder::Reward   ? row.reward
                             : order == SampleOrder::AhaScore ? row.aha_score
                                                              : row.token_count;
          QVERIFY(desc ? key <= last_key : key >= last_key);
          last_key = key;
        }
        cursor = page.next;
        ++pages;
      } while (cursor.valid);
      QCOMPARE(seen.size(), size_t(12 * 8));
      QCOMPARE(pages, (12 * 8 + 6) / 7);
    }
}

void StoreTest::filtersSamples() {
  Fixture fx(10);
  RunReader reader(fx.path);
  SampleFilter f;
  f.run_id = fx.run;
  f.step_min = 3;
  f.step_max = 5;
  QCOMPARE(reader.count_samples(f), int64_t(3 * 8));
  f.correct = true;  // i % 3 == 2: i = 2 in each group of 4
  QCOMPARE(reader.count_samples(f), int64_t(3 * 2));
  f.correct.reset();
  f.reward_min = 1.0;
  f.reward_max = 1.0;
  QCOMPARE(reader.count_samples(f), int64_t(3 * 2));
  f.reward_min.reset();
  f.reward_max.reset();
  f.flagged_only = true;
  auto page = reader.samples(f, SampleOrder::StepThenId, false, 100);
  QCOMPARE(page.rows.size(), size_t(3 * 2));
  for (const auto& r : page.rows) QCOMPARE(r.index_in_group, 1);
  f.flagged_only = false;
  f.length_min = 12;
  QCOMPARE(reader.count_samples(f), int64_t(3 * 2 * 2));
}

void StoreTest::fullTextSearch() {
  Fixture fx(4);
  fx.store.finish_search_index();
  RunReader reader(fx.path);
  QCOMPARE(reader.search_pending(), int64_t(0));
  SampleFilter f;
  f.run_id = fx.run;
  f.text_query = "wait";
  QCOMPARE(reader.count_samples(f), int64_t(4 * 2));
  f.text_query = "\"let me check\"";
  QCOMPARE(reader.count_samples(f), int64_t(4 * 2));
  f.text_query = "sample3";
  QCOMPARE(reader.count_samples(f), int64_t(4 * 2));
  f.text_query = "nothing_like_this";
  QCOMPARE(reader.count_samples(f), int64_t(0));
  // Search trails the writer on its own thread, and catches up.
  fx.store.write_step(make_step(4));
  fx.store.finish_search_index();
  f.text_query = "wait";
  QCOMPARE(reader.count_samples(f), int64_t(5 * 2));
  auto page = reader.samples(f, SampleOrder::StepThenId, true, 3);
  QCOMPARE(page.rows.size(), size_t(3));
  QCOMPARE(page.rows[0].step, int64_t(4));
}

void StoreTest::searchIndexIsRebuiltWhenDamagedOrForeign() {
  QTemporaryDir dir;
  const std::string a = dir.filePath("a.db").toStdString(), b = dir.filePath("b.db").toStdString();
  for (const auto& path : {a, b}) {
    RunStore store(path);
    store.begin_run(make_run("run"), false);
    for (int s = 0; s < (path == a ? 3 : 5); ++s) store.write_step(make_step(s));
    store.finish_search_index();
  }
  SampleFilter f;
  f.text_query = "wait";
  auto count_after_catching_up = [&](const std::string& path) {
    SearchIndexer(path).finish();
    return RunReader(path).count_samples(f);
  };
  // Another database's index (b has 5 steps, a has 3) is not taken for a's.
  QVERIFY(QFile::remove(QString::fromStdString(search_index_path(a))));
  QVERIFY(QFile::copy(QString::fromStdString(search_index_path(b)), QString::fromStdString(search_index_path(a))));
  QCOMPARE(count_after_catching_up(a), int64_t(3 * 2));
  // A damaged file is replaced.
  for (const char* suffix : {"", "-wal", "-shm"}) QFile::remove(QString::fromStdString(search_index_path(a) + suffix));
  QFile junk(QString::fromStdString(search_index_path(a)));
  QVERIFY(junk.open(QIODevice::WriteOnly));
  junk.write(QByteArray(8192, 'x'));
  junk.close();
  QCOMPARE(count_after_catching_up(a), int64_t(3 * 2));
  // A missing one is built again.
  for (const char* suffix : {"", "-wal", "-shm"}) QFile::remove(QString::fromStdString(search_index_path(a) + suffix));
  QCOMPARE(count_after_catching_up(a), int64_t(3 * 2));
}

namespace {

// Steps [from, to) carrying only metrics: kl = f(step), and a NaN reward at step 700.
void write_metric_steps(RunStore& store, int64_t from, int64_t to, double (*kl)(int64_t)) {
  for (int64_t step = from; step < to; ++step) {
    aha::StepRecord r;
    r.step = step;
    r.wall_time = 1000.0 + step;
    r.metrics = {{"kl", kl(step)}, {"reward", step == 700 ? NAN : 1.0}};
    store.write_step(r);
  }
}

// Every step 0..last exactly once, in order, with kl as expected: from the reader, and
// after step `after`.
void check_series(RunReader& reader, int64_t run, int64_t last, double (*kl_of)(int64_t)) {
  for (int64_t after : {int64_t(-1), int64_t(700), last - 3}) {
    const auto kl = reader.metric_series(run, "kl", after);
    QCOMPARE(int64_t(kl.size()), last - after);
    for (size_t i = 0; i < kl.size(); ++i) {
      QCOMPARE(kl[i].step, after + 1 + int64_t(i));
      QCOMPARE(kl[i].value, kl_of(kl[i].step));
      QCOMPARE(kl[i].wall_time, 1000.0 + double(kl[i].step));
    }
  }
}

}  // namespace

void StoreTest::metricSeriesFromChunksFollowsRewrites() {
  QTemporaryDir dir;
  const std::string path = dir.filePath("m.db").toStdString();
  auto half = [](int64_t s) { return 0.5 * double(s); };
  auto negative = [](int64_t s) { return s < 100 ? 0.5 * double(s) : -double(s); };
  int64_t run = 0;
  {
    RunStore store(path);
    run = store.begin_run(aha::test::make_run("long"), false);
    write_metric_steps(store, 0, 1300, half);
  }
  RunReader reader(path);
  auto chunks = [&] {
    return reader.connection().scalar_int("SELECT count(*) FROM metric_chunks WHERE name = 'kl'");
  };
  QCOMPARE(chunks(), int64_t(2));  // 2 x 512 steps packed, 276 in rows
  check_series(reader, run, 1299, half);
  const auto reward = reader.metric_series(run, "reward");
  QVERIFY(std::isnan(reward[700].value));
  QCOMPARE(reward[699].value, 1.0);

  // A resumed run writes steps 100.. again with other values: no chunk may keep the old ones.
  {
    RunStore store(path);
    store.begin_run(aha::test::make_run("long"), true);
    write_metric_steps(store, 100, 150, negative);
    QCOMPARE(chunks(), int64_t(0));
    const auto kl = reader.metric_series(run, "kl");
    QCOMPARE(kl.size(), size_t(1300));
    for (int64_t s = 0; s < 1300; ++s) QCOMPARE(kl[s].value, s >= 100 && s < 150 ? negative(s) : half(s));
    write_metric_steps(store, 150, 2000, negative);
  }
  check_series(reader, run, 1999, negative);
  QCOMPARE(chunks(), int64_t(3));
  QCOMPARE(reader.connection().scalar_int("SELECT count(*) FROM metric_chunks a JOIN metric_chunks b ON a.name = b.name"
                                          " AND a.first_step < b.first_step AND a.last_step >= b.first_step"),
           int64_t(0));  // no overlap

  TagStore(path).delete_run(run);
  QCOMPARE(reader.connection().scalar_int("SELECT count(*) FROM metric_chunks"), int64_t(0));
}

void StoreTest::checkpointerCopiesTheLogWithoutTheWriter() {
  QTemporaryDir dir;
  const std::string path = dir.filePath("c.db").toStdString();
  RunStore store(path);
  store.begin_run(aha::test::make_run("cp"), false);
  const auto empty = std::filesystem::file_size(path);
  // Far fewer pages than the writer's own checkpoint waits for: only the checkpointer
  // thread can have copied them into the database file.
  for (int64_t step = 0; step < 20; ++step) store.write_step(aha::test::make_step(step, 4, 8));
  QTRY_VERIFY_WITH_TIMEOUT(std::filesystem::file_size(path) > empty + 20 * 4096, 5000);
  RunReader reader(path);
  QCOMPARE(reader.count_samples({}), int64_t(20 * 32));
}

void StoreTest::metricSeriesSinceStep() {
  Fixture fx(6);
  RunReader reader(fx.path);
  auto all = reader.metric_series(fx.run, "kl");
  QCOMPARE(all.size(), size_t(6));
  QCOMPARE(all[4].value, 2.0);
  QCOMPARE(all[4].wall_time, 1004.0);
  auto fresh = reader.metric_series(fx.run, "kl", 3);
  QCOMPARE(fresh.size(), size_t(2));
  QCOMPARE(fresh[0].step, int64_t(4));
  auto names = reader.metric_names(fx.run);
  QCOMPARE(names, (std::vector<std::string>{"kl", "reward"}));
}

void StoreTest::groupAndHistory() {
  Fixture fx(3);
  RunReader reader(fx.path);
  SampleFilter f;
  f.run_id = fx.run;
  f.step_min = 1;
  auto page = reader.samples(f, SampleOrder::StepThenId, false, 6);
  const auto& pick = page.rows[5];  // step 1, group 1, index 1
  auto group = reader.group_of(pick.id);
  QCOMPARE(group.size(), size_t(4));
  for (size_t i = 0; i < group.size(); ++i) {
    QCOMPARE(group[i].step, pick.step);
    QCOMPARE(group[i].group_index, pick.group_index);
    QCOMPARE(group[i].index_in_group, int(i));
  }
  auto history = reader.prompt_history(pick.prompt_id);
  QCOMPARE(history.size(), size_t(3 * 4));
  QCOMPARE(history.front().step, int64_t(0));
  QCOMPARE(history.back().step, int64_t(2));
}

void StoreTest::stepAggregates() {
  Fixture fx(3);
  RunReader reader(fx.path);
  auto agg = reader.step_aggregates(fx.run);
  QCOMPARE(agg.size(), size_t(3));
  // Rewards per group: 0, 1, 2, 0 -> mean 0.75; correct 1 of 4; aha 1 of 4.
  QCOMPARE(agg[1].samples, 8);
  QVERIFY(std::abs(agg[1].reward_mean - 0.75) < 1e-12);
  QVERIFY(std::abs(agg[1].reward_std - std::sqrt(5.0 / 4 - 0.75 * 0.75)) < 1e-12);
  QCOMPARE(agg[1].accuracy, 0.25);
  QCOMPARE(agg[1].aha_rate, 0.25);
  QCOMPARE(agg[1].mean_length, 11.5);
}

void StoreTest::resumeContinuesRun() {
  QTemporaryDir dir;
  const std::string path = dir.filePath("r.db").toStdString();
  int64_t id;
  {
    RunStore store(path);
    id = store.begin_run(make_run("r"), false);
    store.write_step(make_step(0));
    store.write_step(make_step(1));
    QVERIFY_EXCEPTION_THROWN(store.begin_run(make_run("r"), false), DbError);
  }
  RunStore again(path);
  QCOMPARE(again.begin_run(make_run("r"), true), id);
  QCOMPARE(again.last_step(), int64_t(1));
  again.write_step(make_step(2));
  QVERIFY_EXCEPTION_THROWN(again.begin_run(make_run("missing"), true), DbError);
}

void StoreTest::tagsAndNotes() {
  Fixture fx(2);
  TagStore tags(fx.path);
  QCOMPARE(tags.tags().size(), size_t(5));  // the built-in ones
  const int64_t mine = tags.create_tag("carry-error", "#E69F00");
  QVERIFY_EXCEPTION_THROWN(tags.create_tag("carry-error", "#000000"), DbError);
  tags.rename_tag(mine, "carry-slip");
  tags.recolor_tag(mine, "#56B4E9");
  auto t = tags.tag_by_name("carry-slip");
  QVERIFY(t);
  QCOMPARE(QString::fromStdString(t->color), QString("#56B4E9"));

  RunReader reader(fx.path);
  SampleFilter f;
  f.run_id = fx.run;
  auto page = reader.samples(f, SampleOrder::StepThenId, false, 5);
  std::vector<int64_t> ids;
  for (const auto& r : page.rows) ids.push_back(r.id);
  tags.attach(mine, ids);
  tags.attach(mine, ids);  // twice is harmless
  f.tag_id = mine;
  QCOMPARE(reader.count_samples(f), int64_t(5));
  tags.detach(mine, {ids[0], ids[1]});
  QCOMPARE(reader.count_samples(f), int64_t(3));
  QCOMPARE(tags.tags_of(ids[2]).size(), size_t(1));

  tags.set_note(ids[2], "carry dropped in the tens column, fixed after 'wait'");
  QCOMPARE(QString::fromStdString(tags.note(ids[2])), QString("carry dropped in the tens column, fixed after 'wait'"));
  tags.set_note(ids[2], "");
  QCOMPARE(QString::fromStdString(tags.note(ids[2])), QString());

  tags.delete_tag(mine);
  QCOMPARE(tags.tags_of(ids[2]).size(), size_t(0));
}

void StoreTest::tokenTracesRoundTripAndGoWithTheirRun() {
  Fixture fx(0);
  aha::StepRecord step = make_step(0, 1, 2);
  const std::string blob("\x01\x02\x00\x00\xff\x7f", 6);  // bytes as stored, zeros included
  step.samples[0].token_trace = blob;
  fx.store.write_step(step);
  RunReader reader(fx.path);
  const int64_t first = reader.connection().scalar_int("SELECT min(id) FROM samples");
  QCOMPARE(reader.token_trace(first), std::optional<std::string>(blob));
  QVERIFY(!reader.token_trace(first + 1));  // kept none: no row, not an empty blob
  QCOMPARE(reader.connection().scalar_int("SELECT count(*) FROM sample_tokens"), int64_t(1));
  TagStore(fx.path).delete_run(fx.run);
  QCOMPARE(reader.connection().scalar_int("SELECT count(*) FROM sample_tokens"), int64_t(0));
}

void StoreTest::probesRoundTripAndGoWithTheirRunAndSample() {
  Fixture fx(0);
  fx.store.write_step(make_step(0, 1, 2));
  RunReader reader(fx.path);
  const int64_t sample = reader.connection().scalar_int("SELECT min(id) FROM samples");
  ProbeStore probes(fx.path);
  ProbeRow passk;
  passk.run_id = fx.run;
  passk.kind = "passk";
  passk.weights_step = -1;
  passk.settings_json = R"({"seed":7})";
  passk.seconds = 1.5;
  const int64_t a = probes.add(passk, {{0, "1+1=", "2", 2, 1, true}, {1, "2+2=", "4", 2, 0, false}},
                               {{0, 0, "so 2", "2", true, false}, {0, 1, "so 3", "3", false, false},
                                {1, 0, "so 5", "5", false, true}, {1, 1, "", "", false, true}});
  ProbeRow resample = passk;
  resample.kind = "resample";
  resample.sample_id = sample;
  resample.weights_step = 9;
  const int64_t b = probes.add(resample, {{0, "1+1=", "2", 1, 1, false}}, {{0, 0, "</think>2", "2", true, false}});

  const auto all = probes.probes(fx.run);
  QCOMPARE(all.size(), size_t(2));
  QCOMPARE(all[0].id, a);
  QCOMPARE(all[0].problems, 2);
  QCOMPARE(all[0].samples, 4);  // totals over its problems
  QCOMPARE(all[0].correct, 1);
  QVERIFY(!all[0].sample_id);
  QCOMPARE(all[0].settings_json, passk.settings_json);
  QCOMPARE(all[0].seconds, 1.5);
  QVERIFY(all[0].created_at > 1.7e9);
  QCOMPARE(probes.probes(fx.run, "passk").size(), size_t(1));
  QCOMPARE(probes.resamples_of(sample).size(), size_t(1));
  QCOMPARE(probes.resamples_of(sample)[0].weights_step, int64_t(9));
  const auto problems = probes.problems(a);
  QCOMPARE(problems[0].prompt, std::string("1+1="));
  QCOMPARE(problems[0].majority_correct, true);
  QCOMPARE(problems[1].correct, 0);
  QCOMPARE(probes.completions(a).size(), size_t(4));
  const auto second = probes.completions(a, 1);
  QCOMPARE(second.size(), size_t(2));
  QCOMPARE(second[1].completion, std::string());
  QCOMPARE(second[0].truncated, true);
  QVERIFY(!probes.probe(b + 1));

  probes.remove(b);
  QVERIFY(probes.resamples_of(sample).empty());
  TagStore(fx.path).delete_run(fx.run);
  QVERIFY(probes.probes(fx.run).empty());
  QCOMPARE(reader.connection().scalar_int("SELECT count(*) FROM probe_problems"), int64_t(0));
  QCOMPARE(reader.connection().scalar_int("SELECT count(*) FROM probe_completions"), int64_t(0));
}

void StoreTest::deleteRunRemovesEverything() {
  Fixture fx(3);
  const int64_t other = fx.store.begin_run(make_run("run-b"), false);
  fx.store.write_step(make_step(0));
  fx.store.finish_search_index();
  TagStore tags(fx.path);
  RunReader reader(fx.path);
  SampleFilter f;
  f.run_id = fx.run;
  auto page = reader.samples(f, SampleOrder::StepThenId, false, 2);
  tags.attach(tags.tag_by_name("aha")->id, {page.rows[0].id});
  tags.set_note(page.rows[0].id, "note");
  tags.delete_run(fx.run);
  auto& db = reader.connection();
  QCOMPARE(db.scalar_int("SELECT count(*) FROM samples WHERE run_id = " + std::to_string(fx.run)), int64_t(0));
  QCOMPARE(db.scalar_int("SELECT count(*) FROM metrics WHERE run_id = " + std::to_string(fx.run)), int64_t(0));
  QCOMPARE(db.scalar_int("SELECT count(*) FROM sample_tags"), int64_t(0));
  QCOMPARE(db.scalar_int("SELECT count(*) FROM notes"), int64_t(0));
  // The other run and its index entries stay.
  SampleFilter all;
  all.text_query = "wait";
  QCOMPARE(reader.count_samples(all), int64_t(2));
  QCOMPARE(reader.runs().size(), size_t(1));
  QCOMPARE(reader.runs()[0].id, other);
  QCOMPARE(QString::fromStdString(db.scalar_text("PRAGMA integrity_check")), QString("ok"));
  Connection index(search_index_path(fx.path));
  index.exec("INSERT INTO samples_fts(samples_fts) VALUES('integrity-check')");
  QCOMPARE(index.scalar_int("SELECT count(*) FROM samples_fts('wait')"), int64_t(2));

  // Deleting the newest run frees no ids: a new run's samples are new to the index too.
  const int64_t newest = db.scalar_int("SELECT max(id) FROM samples");
  tags.delete_run(other);
  fx.store.begin_run(make_run("run-c"), false);
  fx.store.write_step(make_step(0));
  fx.store.finish_search_index();
  QVERIFY(db.scalar_int("SELECT min(id) FROM samples") > newest);
  QCOMPARE(reader.count_samples(all), int64_t(2));
  index.exec("INSERT INTO samples_fts(samples_fts) VALUES('integrity-check')");
}

void StoreTest::metricsCsvRoundTrips() {
  Fixture fx(4);
  // Values that print with many digits, and a second run that lacks step 0.
  aha::StepRecord odd = make_step(0);
  odd.metrics = {{"reward", 1.0 / 3.0}, {"kl", 2.0 / 7.0}};
  RunStore other(fx.path);
  other.begin_run(make_run("run,b"), false);
  odd.step = 1;
  other.write_step(odd);
  RunReader reader(fx.path);
  std::ostringstream out;
  const auto summary = write_metrics_csv(out, reader, {"run-a", "run,b"}, {"reward", "kl"});
  QCOMPARE(summary.rows, size_t(4));
  QCOMPARE(summary.columns, size_t(4));
  std::istringstream in(out.str());
  std::string line;
  std::getline(in, line);
  QCOMPARE(QString::fromStdString(line), QString("step,run-a/reward,run-a/kl,\"run,b/reward\",\"run,b/kl\""));
  std::map<std::string, std::vector<MetricPoint>> stored = {
      {"run-a/reward", reader.metric_series(fx.run, "reward")}, {"run-a/kl", reader.metric_series(fx.run, "kl")}};
  int rows = 0;
  while (std::getline(in, line)) {
    QStringList cells = QString::fromStdString(line).split(',');
    QCOMPARE(cells.size(), 5);
    const int64_t step = cells[0].toLongLong();
    QCOMPARE(cells[1].toDouble(), stored["run-a/reward"][step].value);  // bit-exact
    QCOMPARE(cells[2].toDouble(), stored["run-a/kl"][step].value);
    if (step == 1) {
      QCOMPARE(cells[3].toDouble(), 1.0 / 3.0);
      QCOMPARE(cells[4].toDouble(), 2.0 / 7.0);
    } else {
      QVERIFY(cells[3].isEmpty());  // no point: an empty cell, not a zero
    }
    ++rows;
  }
  QCOMPARE(rows, 4);
  QVERIFY_THROWS_EXCEPTION(std::invalid_argument, write_metrics_csv(out, reader, {"nope"}, {"reward"}));
}
