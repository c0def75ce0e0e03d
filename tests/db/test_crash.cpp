// A writer killed with SIGKILL at random moments loses no committed step and never
// leaves half a step behind.
#include <QProcess>
#include <QTemporaryDir>

#include <cstdio>
#include <random>

#include "db/run_reader.h"
#include "db/run_store.h"
#include "db/search_index.h"
#include "tests/db/db_tests.h"
#include "tests/db/store_fixture.h"

using namespace aha::db;

int run_crash_child(const char* db_path) {
  RunStore store(db_path);
  store.begin_run(aha::test::make_run("crash"), true);
  for (int64_t step = store.last_step() + 1;; ++step) {
    store.write_step(aha::test::make_step(step, 4, 8));
    std::printf("committed %lld\n", static_cast<long long>(step));
    std::fflush(stdout);
  }
}

void CrashTest::killedWriterLosesNoCommittedStep() {
  QTemporaryDir dir;
  const QString path = dir.filePath("crash.db");
  {
    RunStore store(path.toStdString());
    store.begin_run(aha::test::make_run("crash"), false);
  }
  std::mt19937 rng(42);
  int64_t highest_reported = -1;
  const int kills = 24;
  for (int k = 0; k < kills; ++k) {
    QProcess child;
    child.start(QCoreApplication::applicationFilePath(), {"--crash-child", path});
    QVERIFY(child.waitForStarted());
    // Let it write for a random 20-200 ms, then kill it wherever it is.
    QThread::msleep(20 + rng() % 180);
    child.kill();
    QVERIFY(child.waitForFinished());
    const QStringList lines = QString::fromUtf8(child.readAllStandardOutput()).split('\n', Qt::SkipEmptyParts);
    for (const QString& line : lines)
      if (line.startsWith("committed ")) highest_reported = std::max<int64_t>(highest_reported, line.mid(10).toLongLong());

    Connection db(path.toStdString());
    QCOMPARE(QString::fromStdString(db.scalar_text("PRAGMA integrity_check")), QString("ok"));
    RunReader reader(path.toStdString());
    const auto run = reader.run_by_name("crash");
    QVERIFY(run);
    QVERIFY2(run->last_step >= highest_reported, "a step reported as committed is missing");
    // Every stored step is whole: 32 samples and both metrics.
    Statement st(reader.connection(),
                 "SELECT step, count(*) FROM samples WHERE run_id = ? GROUP BY step HAVING count(*) != 32");
    st.bind(1, run->id);
    QVERIFY2(!st.step(), "a step was stored in part");
    QCOMPARE(reader.connection().scalar_int("SELECT count(DISTINCT step) FROM samples"), run->last_step + 1);
    QCOMPARE(reader.metric_series(run->id, "reward").size(), size_t(run->last_step + 1));
    // Each 512 steps of a metric are packed by the step that completes them, kill or not.
    QCOMPARE(reader.connection().scalar_int("SELECT count(*) FROM metric_chunks WHERE name = 'reward'"),
             (run->last_step + 1) / kMetricChunkSteps);
    // The search index, written by the child's second thread, survives the kill too.
    Connection index(search_index_path(path.toStdString()));
    QCOMPARE(QString::fromStdString(index.scalar_text("PRAGMA integrity_check")), QString("ok"));
    index.exec("INSERT INTO samples_fts(samples_fts) VALUES('integrity-check')");
  }
  QVERIFY2(highest_reported > kills, "the child should commit steps between kills");
  // Caught up, it finds every step's samples once: "sample7" ends one sample per group.
  SearchIndex index(path.toStdString());
  while (index.index_batch(1000) > 0) {
  }
  RunReader reader(path.toStdString());
  SampleFilter f;
  f.text_query = "sample7";
  QCOMPARE(reader.count_samples(f), 4 * (reader.run_by_name("crash")->last_step + 1));
}
