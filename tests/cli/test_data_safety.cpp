// Data safety, round two (issue 39): each item as a user meets it, through the `aha` and
// `aha-studio` binaries run as child processes.
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest/QtTest>

#include <csignal>

#include "tests/cli/cli_harness.h"

using namespace cli_test;

namespace {

const QByteArray kVerlLine =
    R"({"input":"2+2=<think>","output":"4</think><answer>4</answer>","score":1.0,"gts":"4"})";

void write_verl_step(const QString& dir, const QString& name) { write(dir + "/" + name, kVerlLine + "\n" + kVerlLine + "\n"); }

}  // namespace

class DataSafetyCliTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() { QVERIFY(dir_.isValid()); }

  // 1. A run's name is also a folder's: "..", ".", slashes and blanks are refused by
  // train, rename and import, and nothing beside the database is touched.
  void runNamesAreRefusedEverywhere() {
    const QString folder = dir_.filePath("names");
    QDir().mkpath(folder);
    const QString db = makeRun("keep", folder);
    write(folder + "/notes.txt", "unrelated\n");
    const QString config = folder + "/keep.toml";
    EXPECT_FAILS_SAYING(aha({"train", "--config", config, "--db", db, "--name", ".."}), "names a folder");
    EXPECT_FAILS_SAYING(aha({"train", "--config", config, "--db", db, "--name", "a/b"}), "slash");
    EXPECT_FAILS_SAYING(aha({"train", "--config", config, "--db", db, "--name", "   "}), "blank");
    write(folder + "/slash.toml", quick_config("x/y"));
    EXPECT_FAILS_SAYING(aha({"train", "--config", folder + "/slash.toml", "--db", db}), "name:");
    EXPECT_FAILS_SAYING(aha({"runs", "rename", "keep", "..", "--db", db}), "names a folder");
    write(folder + "/log.jsonl", R"({"prompt": "1+1=", "completion": "2", "reward": 1})" "\n");
    EXPECT_FAILS_SAYING(aha({"import", "file", "--file", folder + "/log.jsonl", "--db", db, "--run", "."}),
                        "names a folder");
    EXPECT_FAILS_SAYING(aha({"runs", "delete", "..", "--db", db, "--yes"}), "no run named");
    QVERIFY(QFileInfo::exists(db) && QFileInfo::exists(folder + "/notes.txt"));
    QVERIFY(QDir(db + ".checkpoints/keep").exists());
    const Result runs = aha({"runs", "--db", db});
    QVERIFY2(runs.code == 0 && runs.out.contains("keep") && !runs.out.contains(".."), qPrintable(runs.all()));
  }

  // 2. The same run name in two databases written from two folders: a delete through one
  // database reaches only its own checkpoints, from whatever folder it is run.
  void checkpointsBelongToTheirDatabase() {
    const QString top = dir_.filePath("two");
    for (const char* d : {"dA", "dB"}) {
      QDir().mkpath(top + "/" + d);
      write(top + "/" + d + "/demo.toml", quick_config("demo"));
      const Result r = aha_in(top + "/" + d, {"train", "--config", "demo.toml", "--db", "runs.db", "--steps", "2"});
      QVERIFY2(r.code == 0, qPrintable(r.all()));
    }
    // From a third folder the database still sees its checkpoints: the lens and probes
    // read the trained weights, not the base model.
    const Result listed = aha_in(dir_.path(), {"runs", "--db", "two/dA/runs.db"});
    QVERIFY2(listed.code == 0 && listed.out.contains("B") && listed.out.contains("1, "), qPrintable(listed.all()));
    const Result gone = aha_in(top + "/dA", {"runs", "delete", "demo", "--db", "../dB/runs.db", "--yes"});
    QVERIFY2(gone.code == 0, qPrintable(gone.all()));
    QVERIFY(QDir(top + "/dA/runs.db.checkpoints/demo/step-2").exists());
    QVERIFY(!QDir(top + "/dB/runs.db.checkpoints/demo").exists());
  }

  // 5, 11. veRL step files are imported by their number, whatever order they arrive in;
  // a second file of one step is reported, not merged.
  void stepFilesInAnyOrder() {
    const QString rollouts = dir_.filePath("order");
    QDir().mkpath(rollouts);
    const QString db = dir_.filePath("order.db");
    for (const char* n : {"1", "10", "11", "12"}) write_verl_step(rollouts, QString(n) + ".jsonl");
    const Result first = aha({"import", "verl", "--dir", rollouts, "--db", db, "--run", "v"});
    QVERIFY2(first.code == 0 && first.out.contains("imported 4 steps"), qPrintable(first.all()));
    for (int s = 2; s <= 9; ++s) write_verl_step(rollouts, QString::number(s) + ".jsonl");
    const Result later = aha({"import", "verl", "--dir", rollouts, "--db", db, "--run", "v"});
    QVERIFY2(later.code == 0 && later.out.contains("imported 8 steps"), qPrintable(later.all()));
    const Result csv = aha({"export", "csv", "--db", db, "--metric", "reward", "--out", dir_.filePath("order.csv")});
    QVERIFY2(csv.code == 0 && csv.out.contains("wrote 12 steps"), qPrintable(csv.all()));

    const QString doubled = dir_.filePath("doubled");
    QDir().mkpath(doubled);
    for (const char* n : {"1", "01", "2"}) write_verl_step(doubled, QString(n) + ".jsonl");
    const Result d = aha({"import", "verl", "--dir", doubled, "--db", db, "--run", "d"});
    QVERIFY2(d.code == 0 && d.out.contains("imported 2 steps"), qPrintable(d.all()));
    QVERIFY2(d.err.contains("01.jsonl: a second file of step 1"), qPrintable(d.all()));
    const Result samples = aha({"export", "csv", "--db", db, "--run", "d", "--metric", "reward", "--out", dir_.filePath("d.csv")});
    QVERIFY2(samples.out.contains("wrote 2 steps"), qPrintable(samples.all()));
  }

  // 14. An import killed while it stores shows as interrupted, not as created.
  void killedImportShowsInterrupted() {
    const QString rollouts = dir_.filePath("big-import");
    QDir().mkpath(rollouts);
    QByteArray step;
    for (int i = 0; i < 512; ++i) step += kVerlLine + "\n";
    for (int s = 1; s <= 400; ++s) write(rollouts + QString("/%1.jsonl").arg(s), step);
    const QString db = dir_.filePath("big-import.db");
    QProcess import;
    import.start(qEnvironmentVariable("AHA_TEST_CLI", AHA_CLI_BIN), {"import", "verl", "--dir", rollouts, "--db", db, "--run", "big"});
    QVERIFY(import.waitForStarted());
    for (int i = 0; i < 3000 && !QFileInfo::exists(db); ++i) QThread::msleep(10);
    QThread::msleep(400);  // the run is made; some steps are stored
    ::kill(static_cast<pid_t>(import.processId()), SIGKILL);
    import.waitForFinished();
    const Result runs = aha({"runs", "--db", db});
    if (runs.out.contains("finished")) QSKIP("the import ended before the kill");
    QVERIFY2(runs.out.contains("interrupted") && !runs.out.contains("created"), qPrintable(runs.all()));
  }

  // 9. A damaged database is refused by every reading command, not only by `aha runs`.
  void damagedDatabaseIsRefusedByReaders() {
    const QString db = makeRun("damaged", dir_.path());
    {
      QFile f(db);
      QVERIFY(f.open(QIODevice::ReadWrite));
      f.seek(f.size() / 2);
      f.write(QByteArray(3 * 4096, '\x5a'));
    }
    EXPECT_FAILS_SAYING(aha({"export", "csv", "--db", db, "--metric", "reward", "--out", dir_.filePath("damaged.csv")}), "damaged");
    EXPECT_FAILS_SAYING(aha({"lens", "--db", db, "--run", "damaged"}), "damaged");
    EXPECT_FAILS_SAYING(aha({"train", "--config", dir_.filePath("damaged.toml"), "--db", db, "--name", "zz"}), "damaged");
    QVERIFY(!QFileInfo::exists(dir_.filePath("damaged.csv")));
  }

  // 8. Commands that read never make a database out of a mistyped path.
  void readingCommandsCreateNothing() {
    const QString typo = dir_.filePath("typo.db");
    EXPECT_FAILS_SAYING(aha({"reanalyse", "--db", typo}), "no database at");
    EXPECT_FAILS_SAYING(aha({"runs", "rename", "a", "b", "--db", typo}), "no database at");
    EXPECT_FAILS_SAYING(aha({"runs", "delete", "a", "--db", typo, "--yes"}), "no database at");
    EXPECT_FAILS_SAYING(aha({"probe", "passk", "--db", typo, "--run", "a"}), "no database at");
    EXPECT_FAILS_SAYING(aha({"probe", "resample", "--db", typo, "--sample", "1"}), "no database at");
    EXPECT_FAILS_SAYING(aha({"lens", "--db", typo, "--run", "a"}), "no database at");
    QVERIFY(!QFileInfo::exists(typo));
  }

  // 8, 14. A resume that has nothing to train leaves a finished run finished; a resume
  // with more steps says its new total.
  void resumeOfAFinishedRun() {
    const QString db = makeRun("done", dir_.path());
    const QString config = dir_.filePath("done.toml");
    EXPECT_FAILS_SAYING(aha({"train", "--config", config, "--db", db, "--resume", "--steps", "3"}), "nothing to resume");
    const Result after = aha({"runs", "--db", db});
    QVERIFY2(after.out.contains("finished") && !after.out.contains("failed"), qPrintable(after.all()));
    const Result more = aha({"train", "--config", config, "--db", db, "--resume", "--steps", "4"});
    QVERIFY2(more.code == 0, qPrintable(more.all()));
    const Result total = aha({"runs", "--db", db});
    QVERIFY2(total.out.contains("4/4") && !total.out.contains("4/3"), qPrintable(total.all()));
  }

  // 7. Chart options out of range and outputs that are not files are refused up front.
  void chartExportRefusesBadOptions() {
#ifdef AHA_STUDIO_BIN
    const QString db = makeRun("chart", dir_.path());
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert("QT_QPA_PLATFORM", "offscreen");
    auto chart = [&](const QStringList& more) {
      return run(qEnvironmentVariable("AHA_TEST_STUDIO", AHA_STUDIO_BIN),
                 QStringList{"export", "chart", "--db", db, "--metric", "reward"} + more, 60000, env);
    };
    const QString out = dir_.filePath("fig.pdf");
    EXPECT_FAILS_SAYING(chart({"--out", out, "--smoothing", "nan"}), "--smoothing");
    EXPECT_FAILS_SAYING(chart({"--out", out, "--width", "0"}), "--width");
    EXPECT_FAILS_SAYING(chart({"--out", out, "--width", "nan"}), "--width");
    EXPECT_FAILS_SAYING(chart({"--out", out, "--columns", "-1"}), "--columns");
    EXPECT_FAILS_SAYING(chart({"--out", out, "--font-size", "0"}), "--font-size");
    QVERIFY(!QFileInfo::exists(out));
    EXPECT_FAILS_SAYING(chart({"--out", "/dev/full", "--format", "pdf"}), "not a file");
    QVERIFY(!QFileInfo::exists("/dev/full.pdf") && !QFileInfo::exists("/dev/full.pdf.json"));
    EXPECT_FAILS_SAYING(chart({"--out", dir_.filePath("no/such/folder/fig.svg")}), "cannot write");
    QVERIFY(!QFileInfo::exists(dir_.filePath("no/such/folder/fig.svg.part")));
    const Result ok = chart({"--out", out});
    QVERIFY2(ok.code == 0 && QFileInfo(out).size() > 1000 && QFileInfo::exists(out + ".json"), qPrintable(ok.all()));
    QVERIFY(!QFileInfo::exists(out + ".part"));
#else
    QSKIP("built without the studio");
#endif
  }

  // 7. A full disk: the export fails, saying so, and leaves no figure, sidecar or part
  // behind. (A small tmpfs: root in a sandbox that allows mounts, as CI's; skipped where not.)
  void chartExportOnAFullDisk() {
#ifdef AHA_STUDIO_BIN
    const QString db = makeRun("fulldisk", dir_.path());
    const QString disk = dir_.filePath("small-disk");
    QDir().mkpath(disk);
    if (run("mount", {"-t", "tmpfs", "-o", "size=96k", "tmpfs", disk}).code != 0) QSKIP("no tmpfs can be mounted here");
    write(disk + "/filler", QByteArray(92 * 1024, 'x'));  // 4 KiB left: less than any figure
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert("QT_QPA_PLATFORM", "offscreen");
    auto chart = [&](const QString& out) {
      return run(qEnvironmentVariable("AHA_TEST_STUDIO", AHA_STUDIO_BIN),
                 {"export", "chart", "--db", db, "--metric", "reward", "--metric", "accuracy", "--out", out}, 60000, env);
    };
    const Result full = chart(disk + "/fig.pdf");
    const QStringList left = QDir(disk).entryList(QDir::Files);
    run("umount", {disk});
    EXPECT_FAILS_SAYING(full, "disk full");
    QCOMPARE(left, QStringList({"filler"}));
#else
    QSKIP("built without the studio");
#endif
  }

  // 13, 14. Inputs that said too little or the wrong thing.
  void importsAndExportsSayWhatHappened() {
    const QString db = makeRun("io", dir_.path());
    EXPECT_FAILS_SAYING(aha({"export", "traces", "--db", db, "--ids", "999999", "--out", dir_.filePath("t.jsonl")}),
                        "no sample with the ids 999999");
    QVERIFY(!QFileInfo::exists(dir_.filePath("t.jsonl")));
    write(dir_.filePath("empty.jsonl"), "");
    const Result empty = aha({"import", "file", "--file", dir_.filePath("empty.jsonl"), "--db", db, "--run", "e"});
    QVERIFY2(empty.code != 0 && empty.all().contains("holds no record") && !empty.all().contains("lines above"),
             qPrintable(empty.all()));
    write(dir_.filePath("bom.csv"), "\xEF\xBB\xBFprompt,completion,reward\n1+1=,2,1\n2+2=,4,1\n");
    const Result bom = aha({"import", "file", "--file", dir_.filePath("bom.csv"), "--db", db, "--run", "bom"});
    QVERIFY2(bom.code == 0 && bom.out.contains("imported 1 steps"), qPrintable(bom.all()));
    write(dir_.filePath("nanw.toml"), quick_config("nanw", "reward_weights = [nan, 0.1]\nreward_funcs = [\"accuracy\", \"format\"]\n"));
    EXPECT_FAILS_SAYING(aha({"train", "--config", dir_.filePath("nanw.toml"), "--db", db}), "reward_weights");
    // A prompt the built-in model cannot read is said, not silently turned into <unk>.
    write(dir_.filePath("zh.jsonl"), "{\"question\": \"\xE4\xB8\x80\xE5\x8A\xA0\xE4\xB8\x80\", \"answer\": \"2\"}\n");
    write(dir_.filePath("zh.toml"), QByteArray(quick_config("zh")).replace("[task]\nname = \"arithmetic\"\n",
                                        "[task]\nname = \"dataset\"\ndata_file = \"" + dir_.filePath("zh.jsonl").toUtf8() + "\"\n"));
    const Result zh = aha({"train", "--config", dir_.filePath("zh.toml"), "--db", db, "--steps", "1"});
    QVERIFY2(zh.all().contains("does not know") && zh.all().contains("<unk>"), qPrintable(zh.all()));
    write(dir_.filePath("long.toml"), quick_config("long", "").replace("max_completion_length = 48", "max_completion_length = 65536"));
    EXPECT_FAILS_SAYING(aha({"train", "--config", dir_.filePath("long.toml"), "--db", db}), "max_position_embeddings");
  }

 private:
  QString makeRun(const char* name, const QString& folder) { return make_run(folder, name); }

  QTemporaryDir dir_;
};

int run_data_safety(int argc, char** argv) {
  DataSafetyCliTest t;
  return QTest::qExec(&t, argc, argv);
}

#include "test_data_safety.moc"
