#include <atomic>
#include <chrono>
#include <thread>
#include <QFile>
#include <QTemporaryDir>

#include <sys/stat.h>

#include "db/run_reader.h"
#include "db/run_store.h"
#include "db/schema.h"
#include "db/search_index.h"
#include "tests/db/db_tests.h"
#include "tests/db/store_fixture.h"

using namespace aha::db;

void SchemaTest::freshDatabaseHasCurrentVersion() {
  QTemporaryDir dir;
  auto db = open_run_database(dir.filePath("a.db").toStdString());
  QCOMPARE(db->scalar_int("PRAGMA user_version"), int64_t(current_schema_version()));
  QCOMPARE(QString::fromStdString(db->scalar_text("PRAGMA journal_mode")), QString("wal"));
  QCOMPARE(db->scalar_int("PRAGMA foreign_keys"), int64_t(1));
}

void SchemaTest::migratesFromEveryOlderVersion() {
  for (int v = 0; v < current_schema_version(); ++v) {
    QTemporaryDir dir;
    const std::string path = dir.filePath("old.db").toStdString();
    {
      Connection db(path);
      migrate_to(db, v);
      QCOMPARE(db.scalar_int("PRAGMA user_version"), int64_t(v));
      if (v >= 1) {  // a run with samples written by that version
        db.exec("INSERT INTO runs(id, name) VALUES(1, 'old')");
        db.exec("INSERT INTO prompts(id, run_id, text) VALUES(1, 1, '1+1=')");
        db.exec("INSERT INTO samples(run_id, step, prompt_id, group_index, index_in_group, completion, token_count,"
                " reward) VALUES(1, 0, 1, 0, 0, 'wait the answer is 2', 5, 1.0)");
        db.exec("INSERT INTO metrics(run_id, name, step, value, wall_time) VALUES(1, 'reward', 0, 1.0, 0)");
        // In versions 2 to 4 the writer indexed each step's text in the file (no triggers).
        if (v >= 2 && v < 5) db.exec("INSERT INTO samples_fts(rowid, completion) SELECT id, completion FROM samples");
      }
    }
    RunReader reader(path);  // migrates
    QCOMPARE(reader.connection().scalar_int("PRAGMA user_version"), int64_t(current_schema_version()));
    if (v >= 1) {
      QCOMPARE(reader.runs().size(), size_t(1));
      QCOMPARE(reader.metric_series(1, "reward").size(), size_t(1));
      // The search index is rebuilt beside the database from the rows older than itself.
      QCOMPARE(SearchIndex(path).index_batch(), int64_t(1));
      aha::db::SampleFilter f;
      f.text_query = "wait";
      QCOMPARE(reader.count_samples(f), int64_t(1));
    }
  }
}

void SchemaTest::refusesNewerVersion() {
  QTemporaryDir dir;
  const std::string path = dir.filePath("new.db").toStdString();
  {
    Connection db(path);
    db.exec("PRAGMA user_version = " + std::to_string(current_schema_version() + 1));
  }
  try {
    open_run_database(path);
    QFAIL("a newer schema must be refused");
  } catch (const DbError& e) {
    const std::string msg = e.what();
    QVERIFY(msg.find(path) != std::string::npos);
    QVERIFY(msg.find("newer") != std::string::npos);
  }
}

void SchemaTest::refusesNonDatabaseFile() {
  QTemporaryDir dir;
  const QString path = dir.filePath("notes.txt");
  QFile f(path);
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.write(QByteArray(4096, 'x'));
  f.close();
  try {
    open_run_database(path.toStdString());
    QFAIL("a text file must be refused");
  } catch (const DbError& e) {
    const std::string msg = e.what();
    QVERIFY2(msg.find(path.toStdString()) != std::string::npos, msg.c_str());
    QVERIFY2(msg.find("not an SQLite database") != std::string::npos, msg.c_str());
  }
}

void SchemaTest::reportsReadOnlyLocation() {
  if (geteuid() == 0) {
    // root ignores permission bits; a path under a file is unwritable for anyone.
    QTemporaryDir dir;
    QFile f(dir.filePath("file"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.close();
    const std::string path = dir.filePath("file/sub.db").toStdString();
    try {
      open_run_database(path);
      QFAIL("expected an error");
    } catch (const DbError& e) {
      QVERIFY2(std::string(e.what()).find(path) != std::string::npos, e.what());
    }
    return;
  }
  QTemporaryDir dir;
  chmod(dir.path().toLocal8Bit().constData(), 0555);
  const std::string path = dir.filePath("ro.db").toStdString();
  try {
    open_run_database(path);
    QFAIL("expected an error");
  } catch (const DbError& e) {
    QVERIFY2(std::string(e.what()).find(path) != std::string::npos, e.what());
  }
  chmod(dir.path().toLocal8Bit().constData(), 0755);
}

void SchemaTest::fullDiskKeepsCommittedSteps() {
  QTemporaryDir dir;
  const std::string path = dir.filePath("full.db").toStdString();
  RunStore store(path);
  store.begin_run(aha::test::make_run("r"), false);
  store.write_step(aha::test::make_step(0));
  const int64_t pages = store.connection().scalar_int("PRAGMA page_count");
  store.connection().exec("PRAGMA max_page_count = " + std::to_string(pages + 2));
  bool failed = false;
  int64_t written = 1;
  for (int64_t s = 1; s < 200 && !failed; ++s) {
    try {
      store.write_step(aha::test::make_step(s, 8, 8));
      ++written;
    } catch (const DbError& e) {
      failed = true;
      QVERIFY(e.is_full());
      QVERIFY2(std::string(e.what()).find(path) != std::string::npos, e.what());
    }
  }
  QVERIFY(failed);
  RunReader reader(path);
  aha::db::SampleFilter f;
  // Step 0 has 2x4 samples, later ones 8x8: every committed step is whole.
  QCOMPARE(reader.count_samples(f), int64_t(8 + (written - 1) * 64));
  QCOMPARE(QString::fromStdString(reader.connection().scalar_text("PRAGMA integrity_check")), QString("ok"));
}

void SchemaTest::lockedDatabaseIsAClearError() {
  QTemporaryDir dir;
  const std::string path = dir.filePath("locked.db").toStdString();
  RunStore store(path);
  store.begin_run(aha::test::make_run("r"), false);
  Connection other(path);
  other.exec("BEGIN EXCLUSIVE");
  store.connection().set_busy_timeout(50);
  store.set_busy_patience(0.3);
  try {
    store.write_step(aha::test::make_step(0));
    QFAIL("expected a busy error");
  } catch (const DbError& e) {
    QVERIFY(e.is_busy());
    QVERIFY2(std::string(e.what()).find("gave up on step 0 after waiting") != std::string::npos, e.what());
  }
  // With patience, the step waits in memory while the other program holds the lock (here
  // for a second, longer than one busy timeout) and is stored once it lets go.
  store.set_busy_patience(60);
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    other.exec("ROLLBACK");
  });
  const auto start = std::chrono::steady_clock::now();
  store.write_step(aha::test::make_step(0));
  release.join();
  QVERIFY(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(900));
  QCOMPARE(store.last_step(), int64_t(0));
}

void SchemaTest::concurrentOpensCreateItOnce() {
  // Two runs of a sweep (or two windows) creating the same new database at once: one makes
  // the schema, the other finds it made (it once ran the first migration a second time).
  for (int round = 0; round < 10; ++round) {
    QTemporaryDir dir;
    const std::string path = dir.filePath("new.db").toStdString();
    std::atomic<int> ready{0}, failures{0};
    std::vector<std::thread> openers;
    for (int t = 0; t < 4; ++t)
      openers.emplace_back([&] {
        ++ready;
        while (ready < 4) std::this_thread::yield();
        try {
          open_run_database(path);
        } catch (const std::exception& e) {
          ++failures;
          qWarning("%s", e.what());
        }
      });
    for (auto& t : openers) t.join();
    QCOMPARE(failures.load(), 0);
    QCOMPARE(open_run_database(path)->scalar_int("PRAGMA user_version"), int64_t(current_schema_version()));
  }
}

void SchemaTest::stepsCountFromOneAfterUpgrade() {
  // Version 10 stored a run trained here from step 0 and an imported one from veRL's 1;
  // version 11 counts every run from 1 (the N-th update) and the base model's weights as 0.
  QTemporaryDir dir;
  const std::string path = dir.filePath("v10.db").toStdString();
  {
    Connection db(path);
    migrate_to(db, 10);
    db.exec("INSERT INTO runs(id, name, source, last_step, total_steps) VALUES(1, 'here', 'local', 2, 3),"
            " (2, 'verl', 'verl', 2, 0)");
    db.exec("INSERT INTO prompts(id, run_id, text) VALUES(1, 1, '1+1='), (2, 2, '2+2=')");
    for (const auto& [run, step] : std::vector<std::pair<int, int>>{{1, 0}, {1, 1}, {1, 2}, {2, 1}, {2, 2}}) {
      db.exec("INSERT INTO samples(run_id, step, prompt_id, group_index, index_in_group, completion, token_count, reward)"
              " VALUES(" + std::to_string(run) + ", " + std::to_string(step) + ", " + std::to_string(run) +
              ", 0, 0, 'x', 1, " + std::to_string(step) + ")");
      db.exec("INSERT INTO metrics(run_id, name, step, value, wall_time) VALUES(" + std::to_string(run) +
              ", 'reward', " + std::to_string(step) + ", " + std::to_string(10 * run + step) + ", 0)");
    }
    db.exec("INSERT INTO metric_chunks(run_id, name, first_step, last_step, points) VALUES(1, 'reward', 0, 2, x'00')");
    db.exec("INSERT INTO checkpoints(run_id, step, path) VALUES(1, 2, 'runs.db.checkpoints/here/step-2')");
    db.exec("INSERT INTO probes(run_id, kind, weights_step) VALUES(1, 'passk', -1), (1, 'passk', 2), (2, 'passk', -1)");
  }
  RunReader reader(path);  // upgrades
  auto& db = reader.connection();
  auto column = [&](const std::string& sql) {
    std::vector<int64_t> out;
    Statement st(db, sql);
    while (st.step()) out.push_back(st.column_int(0));
    return out;
  };
  QCOMPARE(column("SELECT step FROM samples WHERE run_id = 1 ORDER BY step"), (std::vector<int64_t>{1, 2, 3}));
  QCOMPARE(column("SELECT step FROM samples WHERE run_id = 2 ORDER BY step"), (std::vector<int64_t>{1, 2}));
  // Each metric value moved with its step.
  const auto here = reader.metric_series(1, "reward");
  QCOMPARE(here.size(), size_t(3));
  for (const auto& p : here) QCOMPARE(p.value, double(10 + p.step - 1));
  const auto verl = reader.metric_series(2, "reward");
  QCOMPARE(verl.front().step, int64_t(1));
  QCOMPARE(verl.front().value, 21.0);
  QCOMPARE(db.scalar_int("SELECT count(*) FROM metric_chunks"), int64_t(0));  // packed from the old numbers
  QCOMPARE(reader.run_by_name("here")->last_step, int64_t(3));
  QCOMPARE(reader.run_by_name("verl")->last_step, int64_t(2));
  QCOMPARE(column("SELECT step FROM checkpoints"), (std::vector<int64_t>{3}));
  QCOMPARE(column("SELECT weights_step FROM probes ORDER BY id"), (std::vector<int64_t>{0, 3, 0}));
}
