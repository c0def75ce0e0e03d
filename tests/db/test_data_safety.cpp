// The store's rules that keep data where it belongs (issue 39): run names that are folder
// names, paths kept relative to the database, readers that never end a writer's WAL or
// make a database, steps stored whatever order they arrive in.
#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <filesystem>
#include <fstream>

#include "db/run_admin.h"
#include "db/run_reader.h"
#include "db/run_store.h"
#include "db/schema.h"
#include "db/tag_store.h"
#include "tests/db/db_tests.h"
#include "tests/db/store_fixture.h"

using namespace aha::db;
using aha::test::make_run;
using aha::test::make_step;
namespace fs = std::filesystem;

namespace {

// Working directory changed for a scope (the paths' tests run from several folders).
struct InFolder {
  QString before = QDir::currentPath();
  explicit InFolder(const QString& dir) { QDir::setCurrent(dir); }
  ~InFolder() { QDir::setCurrent(before); }
};

void make_checkpoint(const fs::path& folder) {
  fs::create_directories(folder);
  std::ofstream(folder / "trainer_state.json") << "{}";
}

}  // namespace

void DataSafetyTest::runNamesFollowOneRule() {
  for (const char* bad : {"", ".", "..", "a/b", "a\\b", "   ", " x", "x ", "-x", "two\nlines", "\xff\xfe"})
    QVERIFY2(!aha::run_name_problem(bad).empty(), bad);
  QVERIFY(!aha::run_name_problem(std::string("nul\0byte", 8)).empty());
  QVERIFY(!aha::run_name_problem(std::string(201, 'a')).empty());
  for (const char* good : {"demo", "demo-1", "grpo_s3", "名前", "run 2", "a.b"})
    QVERIFY2(aha::run_name_problem(good).empty(), good);
  QVERIFY(aha::run_name_problem("..").find("folder") != std::string::npos);

  // The store refuses such a name (train, import, follow and sweeps all begin there);
  // renaming to one is refused before anything moves.
  QTemporaryDir dir;
  const std::string db = dir.filePath("runs.db").toStdString();
  {
    RunStore store(db);
    QVERIFY_EXCEPTION_THROWN(store.begin_run(make_run(".."), false), DbError);
    store.begin_run(make_run("fine"), false);
    store.write_step(make_step(0));
  }
  QVERIFY_EXCEPTION_THROWN(rename_run(db, "fine", "..", "name = \"..\"\n", db + ".checkpoints"), std::invalid_argument);
  QVERIFY_EXCEPTION_THROWN(rename_run(db, "fine", "a/b", "name = \"a/b\"\n", db + ".checkpoints"), std::invalid_argument);
  QCOMPARE(RunReader(db).runs().size(), size_t(1));
  QCOMPARE(QString::fromStdString(RunReader(db).runs()[0].name), QString("fine"));
}

void DataSafetyTest::checkpointPathsAreRelativeToTheDatabase() {
  // The same run name in two databases of two folders, each written from its own folder.
  QTemporaryDir top;
  QDir(top.path()).mkpath("dA");
  QDir(top.path()).mkpath("dB");
  const fs::path root(top.path().toStdString());
  for (const char* d : {"dA", "dB"}) {
    const InFolder here(top.filePath(d));
    RunStore store("runs.db");
    store.begin_run(make_run("demo"), false);
    store.write_step(make_step(0));
    make_checkpoint("runs.db.checkpoints/demo/step-0");
    store.record_checkpoint(0, "runs.db.checkpoints/demo/step-0");
  }
  // Stored relative to the database, read back absolute from any folder.
  QCOMPARE(QString::fromStdString(RunReader((root / "dA/runs.db").string()).connection().scalar_text(
               "SELECT path FROM checkpoints")),
           QString("runs.db.checkpoints/demo/step-0"));
  {
    const InFolder elsewhere(top.path());
    const auto cps = RunReader("dB/runs.db").checkpoints(1);
    QCOMPARE(cps.size(), size_t(1));
    QCOMPARE(cps[0].second, (root / "dB/runs.db.checkpoints/demo/step-0").string());
  }
  // Deleting dB's run from dA's folder leaves dA's checkpoints alone.
  {
    const InFolder here(top.filePath("dA"));
    const auto gone = delete_run("../dB/runs.db", "demo", "../dB/runs.db.checkpoints");
    QCOMPARE(gone.checkpoints, 1);
  }
  QVERIFY(fs::exists(root / "dA/runs.db.checkpoints/demo/step-0"));
  QVERIFY(!fs::exists(root / "dB/runs.db.checkpoints/demo"));

  // A row of an older database, relative to its writer's folder (the top folder here),
  // is read against the database all the same.
  {
    Connection raw((root / "dA/runs.db").string());
    raw.exec("UPDATE checkpoints SET path = 'dA/runs.db.checkpoints/demo/step-0'");
  }
  const InFolder inside(top.filePath("dA"));
  const auto cps = RunReader("runs.db").checkpoints(1);
  QCOMPARE(cps.at(0).second, (root / "dA/runs.db.checkpoints/demo/step-0").string());
}

void DataSafetyTest::renameMovesEveryCheckpointRow() {
  // Non-ASCII names and folders: the rows follow the folder (SQL's substr counts
  // characters where the old code gave it bytes).
  QTemporaryDir top;
  QDir(top.path()).mkpath("データ");
  const fs::path folder = fs::path(top.path().toStdString()) / "データ";
  const std::string db = (folder / "runs.db").string(), ckpts = db + ".checkpoints";
  {
    RunStore store(db);
    store.begin_run(make_run("名前"), false);
    store.write_step(make_step(0));
    for (int s : {0, 1}) {
      make_checkpoint(fs::path(ckpts) / "名前" / ("step-" + std::to_string(s)));
      store.record_checkpoint(s, ckpts + "/名前/step-" + std::to_string(s));
    }
  }
  rename_run(db, "名前", "y", "name = \"y\"\n", ckpts);
  const auto cps = RunReader(db).checkpoints(1);
  QCOMPARE(cps.size(), size_t(2));
  for (const auto& [step, path] : cps) {
    QCOMPARE(path, (fs::path(ckpts) / "y" / ("step-" + std::to_string(step))).string());
    QVERIFY2(fs::exists(path), path.c_str());
  }
  QCOMPARE(delete_run(db, "y", ckpts).checkpoints, 2);
}

void DataSafetyTest::closingAReaderLeavesTheWal() {
  // Only the writer may end the WAL: a reader (`aha runs` beside a training studio) that
  // happens to close last must neither checkpoint it nor delete -wal and -shm.
  QTemporaryDir dir;
  const std::string db = dir.filePath("runs.db").toStdString();
  auto store = std::make_unique<RunStore>(db);
  store->begin_run(make_run("r"), false);
  store->write_step(make_step(0));
  store->finish_search_index();
  auto reader = std::make_unique<RunReader>(db, Access::ReadOnly);
  QCOMPARE(reader->runs().size(), size_t(1));
  auto tags = std::make_unique<TagStore>(db);
  store.reset();  // the writer closes while others read: the WAL stays, as always
  QVERIFY(fs::exists(db + "-wal"));
  tags.reset();
  reader.reset();  // the last to close is a reader
  QVERIFY2(fs::exists(db + "-wal") && fs::exists(db + "-shm"), "a reader's close removed the WAL");
  // Nothing was lost: the next writer and reader see the step.
  QCOMPARE(RunReader(db).runs().at(0).last_step, int64_t(0));
  { RunStore again(db); }  // the writer, closing last, ends the WAL
  QVERIFY(!fs::exists(db + "-wal"));
}

void DataSafetyTest::readersNeverCreateADatabase() {
  QTemporaryDir dir;
  const std::string missing = dir.filePath("typo.db").toStdString();
  QVERIFY_EXCEPTION_THROWN(RunReader{missing}, DbError);
  QVERIFY_EXCEPTION_THROWN(TagStore{missing}, DbError);
  QVERIFY_EXCEPTION_THROWN(rename_run(missing, "a", "b", "", missing + ".checkpoints"), DbError);
  QVERIFY(!fs::exists(missing));
  try {
    RunReader r(missing);
  } catch (const DbError& e) {
    QVERIFY2(std::string(e.what()).find("no database at") != std::string::npos, e.what());
  }
  RunReader created(missing, Access::Create);  // the studio's File > New
  QVERIFY(fs::exists(missing));
}

void DataSafetyTest::stepsArriveInAnyOrder() {
  QTemporaryDir dir;
  const std::string db = dir.filePath("runs.db").toStdString();
  RunStore store(db);
  store.begin_run(make_run("r"), false);
  for (int s : {1, 10, 11, 12}) store.write_step(make_step(s));
  QVERIFY(store.has_step(10) && !store.has_step(2) && !store.has_step(13));
  for (int s = 2; s <= 9; ++s) store.write_step(make_step(s));
  for (int s = 1; s <= 12; ++s) QVERIFY(store.has_step(s));
  QCOMPARE(store.last_step(), int64_t(12));
  RunReader reader(db);
  const auto series = reader.metric_series(reader.runs().at(0).id, "reward");
  QCOMPARE(series.size(), size_t(12));
  for (size_t i = 0; i < series.size(); ++i) QCOMPARE(series[i].step, int64_t(i + 1));
}

void DataSafetyTest::damagedDatabaseTakesNoNewRun() {
  QTemporaryDir dir;
  const std::string db = dir.filePath("runs.db").toStdString();
  {
    RunStore store(db);
    store.begin_run(make_run("r"), false);
    for (int s = 0; s < 40; ++s) store.write_step(make_step(s, 8, 8));
  }
  {
    QFile f(QString::fromStdString(db));
    QVERIFY(f.open(QIODevice::ReadWrite));
    QVERIFY(f.size() > 64 * 4096);
    f.seek(f.size() / 2);
    f.write(QByteArray(3 * 4096, '\x5a'));
  }
  try {
    RunStore store(db);
    store.begin_run(make_run("zz"), false);
    QFAIL("a new run was written into a damaged database");
  } catch (const DbError& e) {
    QVERIFY2(std::string(e.what()).find("damaged") != std::string::npos ||
                 std::string(e.what()).find("malformed") != std::string::npos,
             e.what());
  }
}
