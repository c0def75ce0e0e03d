// What bad input, kills and a second writer do to the command line (issue 25): each test
// runs `aha` as a user would and checks the exit status and what it says.
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "tests/cli/cli_harness.h"

#include <csignal>
#include <unistd.h>

using namespace cli_test;

class RobustnessTest : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { QVERIFY(dir_.isValid()); }

  // 1. A full disk or an unwritable special file is an error, not "wrote ...".
  void exportsFailOnAFullDisk() {
    const QString db = makeRun("full-disk");
    EXPECT_FAILS_SAYING(aha({"export", "csv", "--db", db, "--metric", "reward", "--out", "/dev/full"}),
                        "No space left on device");
    EXPECT_FAILS_SAYING(aha({"export", "traces", "--db", db, "--ids", "1,2", "--out", "/dev/full"}),
                        "No space left on device");
    EXPECT_FAILS_SAYING(aha({"export", "csv", "--db", db, "--out", "/dev/null/x.csv"}), "Not a directory");
  }

  // 2. A run has one writer; the lock dies with its holder (kill -9 included).
  void aSecondWriterIsRefused() {
    const QString db = dir_.filePath("writers.db"), config = dir_.filePath("writers.toml");
    write(config, quick_config("writers"));
    QProcess first;
    first.start(qEnvironmentVariable("AHA_TEST_CLI", AHA_CLI_BIN), {"train", "--config", config, "--db", db});
    QVERIFY(first.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(aha({"runs", "--db", db}).out.contains("running"), 60000);
    const Result second = aha({"train", "--config", config, "--db", db, "--resume"});
    EXPECT_FAILS_SAYING(second, QString("is being written by process %1").arg(first.processId()));
    ::kill(static_cast<pid_t>(first.processId()), SIGKILL);
    first.waitForFinished();
    const Result after_kill = aha({"runs", "--db", db});
    QVERIFY2(after_kill.out.contains("interrupted"), qPrintable("a killed writer's run shows as interrupted: " + after_kill.all()));
    const Result resumed = aha({"train", "--config", config, "--db", db, "--resume", "--steps", "3"});
    QVERIFY2(resumed.code == 0 || resumed.all().contains("nothing to resume"), qPrintable(resumed.all()));
  }

  // 3. A veRL step file that is complete but bad is reported and skipped; later steps import.
  void badVerlStepFileIsSkipped() {
    const QString rollouts = dir_.filePath("verl");
    QDir().mkpath(rollouts);
    const QByteArray line = R"({"input":"2+2=<think>","output":"4</think><answer>4</answer>","score":1.0,"gts":"4"})";
    write(rollouts + "/1.jsonl", line + "\n" + line + "\n");
    write(rollouts + "/2.jsonl", "[1, 2, \x01\x02 binary");  // garbage, no newline: not the newest
    write(rollouts + "/3.jsonl", line + "\n" + line + "\n");
    const QString db = dir_.filePath("verl.db");
    const Result r = aha({"import", "verl", "--dir", rollouts, "--db", db, "--run", "v"});
    QVERIFY2(r.code == 0, qPrintable(r.all()));
    QVERIFY2(r.err.contains("2.jsonl:1:") && r.err.contains("step 2 skipped"), qPrintable(r.all()));
    QVERIFY2(!r.all().contains('\x01') && !r.all().contains('\x02'), "a control byte reached the terminal");
    QVERIFY2(r.out.contains("last step 3"), qPrintable(r.all()));
    QVERIFY(!r.all().contains("still being written"));
    QVERIFY(aha({"runs", "--db", db}).out.contains("finished"));
  }

  // 4, 5, 10. Configs and options that trained wrongly or said too little.
  void badConfigsAndOptionsAreErrors() {
    const QString db = dir_.filePath("config.db");
    auto config = [&](const char* name, const QByteArray& extra) {
      const QString path = dir_.filePath(QString(name) + ".toml");
      write(path, quick_config(name, extra));
      return path;
    };
    EXPECT_FAILS_SAYING(aha({"train", "--config", config("t0", "temperature = 0.0\n"), "--db", db}), "temperature: 0");
    EXPECT_FAILS_SAYING(aha({"train", "--config", config("lr0", "learning_rate = 0.0\n"), "--db", db}),
                        "learning_rate: 0 trains nothing");
    const Result nan = aha({"train", "--config", config("lrnan", "learning_rate = nan\n"), "--db", db});
    EXPECT_FAILS_SAYING(nan, "lrnan.toml: learning_rate: value nan is not a finite number");
    EXPECT_FAILS_SAYING(aha({"train", "--config", dir_.path(), "--db", db}), "is a directory; give a TOML file");
    EXPECT_FAILS_SAYING(aha({"train", "--config", config("neg", ""), "--db", db, "--steps", "-3"}), "--steps: -3");
    // Resuming a run to a step it has passed is an error naming the option.
    const QString short_run = config("short", "");
    QCOMPARE(aha({"train", "--config", short_run, "--db", db, "--steps", "3"}).code, 0);
    EXPECT_FAILS_SAYING(aha({"train", "--config", short_run, "--db", db, "--resume", "--steps", "2"}),
                        "nothing to resume; give more than 3 steps");
  }

  // 6. config.json and the weights must agree; the network's shape is never a default.
  void modelConfigMustMatchTheWeights() {
    const QString model = dir_.filePath("model");
    QDir().mkpath(model);
    const QString builtin = QString(AHA_SOURCE_DIR) + "/resources/models/tiny-arithmetic/";
    for (const char* f : {"model.safetensors", "tokenizer.json", "tokenizer_config.json"})
      QVERIFY(QFile::copy(builtin + f, model + "/" + f));
    QFile in(builtin + "config.json");
    QVERIFY(in.open(QIODevice::ReadOnly));
    const QByteArray json = in.readAll();
    QVERIFY(json.contains("\"num_hidden_layers\": 4"));
    const QString db = dir_.filePath("model.db"), config = dir_.filePath("model.toml");
    write(config, quick_config("m").replace("builtin:tiny-arithmetic", model.toUtf8()));
    write(model + "/config.json", QByteArray(json).replace("\"num_hidden_layers\": 4", "\"num_hidden_layers\": 2"));
    EXPECT_FAILS_SAYING(aha({"train", "--config", config, "--db", db}), "has tensors the model config does not use");
    write(model + "/config.json", QByteArray(json).replace("\"num_hidden_layers\": 4,", ""));
    EXPECT_FAILS_SAYING(aha({"train", "--config", config, "--db", db}), "config.json: num_hidden_layers is missing");
  }

  // 7, 9. Where a database cannot be, in words; reading never creates one.
  void databasePathsSayWhatIsWrong() {
    EXPECT_FAILS_SAYING(aha({"runs", "--db", dir_.path()}), "is a folder, not a database file");
    const QString missing = dir_.filePath("nowhere/x.db");
    EXPECT_FAILS_SAYING(aha({"import", "file", "--file", "/dev/null", "--db", missing, "--run", "r"}),
                        "no usable record");
    const QString config = dir_.filePath("p.toml");
    write(config, quick_config("p"));
    EXPECT_FAILS_SAYING(aha({"train", "--config", config, "--db", missing}), "the folder '" + dir_.filePath("nowhere") +
                                                                                "' does not exist");
    const QString absent = dir_.filePath("absent.db");
    EXPECT_FAILS_SAYING(aha({"runs", "--db", absent}), "no database at");
    QVERIFY2(!QFile::exists(absent), "a read-only command created a database");
    const QString empty = dir_.filePath("empty.db");
    write(empty, {});
    EXPECT_FAILS_SAYING(aha({"export", "csv", "--db", empty, "--out", dir_.filePath("e.csv")}), "is empty");
    QCOMPARE(QFileInfo(empty).size(), qint64(0));
  }

  // 8. Read-only commands do not write the database they read.
  void readingLeavesTheDatabaseAlone() {
    const QString db = makeRun("readonly");
    QFile f(db);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray before = f.readAll();
    f.close();
    QCOMPARE(aha({"runs", "--db", db}).code, 0);
    QCOMPARE(aha({"export", "csv", "--db", db, "--metric", "reward", "--out", dir_.filePath("ro.csv")}).code, 0);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QVERIFY2(f.readAll() == before, "the database file changed");
  }

  // 8. On read-only media (a folder and file the user cannot write) listing and exporting
  // work. Root writes anywhere, so as root the commands run as the unprivileged 'nobody'.
  void readOnlyMediaCanBeRead() {
    QTemporaryDir media;
    const QString db = makeRun("media");
    QVERIFY(QFile::copy(db, media.filePath("media.db")));
    const QString out = dir_.filePath("media-out");
    QDir().mkpath(out);
    QFile::setPermissions(out, QFileDevice::Permissions(0x7777));
    QFile::setPermissions(media.filePath("media.db"), QFileDevice::ReadOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther);
    QFile::setPermissions(media.path(), QFileDevice::ReadOwner | QFileDevice::ExeOwner | QFileDevice::ReadGroup |
                                            QFileDevice::ExeGroup | QFileDevice::ReadOther | QFileDevice::ExeOther);
    QFile::setPermissions(dir_.path(), QFileDevice::Permissions(0x7755));
    const QString cli = qEnvironmentVariable("AHA_TEST_CLI", AHA_CLI_BIN);
    auto as_user = [&](const QStringList& args) {
      if (::geteuid() != 0) return run(cli, args);
      return run("setpriv", QStringList{"--reuid=65534", "--regid=65534", "--clear-groups", cli} + args);
    };
    const QString ro = media.filePath("media.db");
    const Result runs = as_user({"runs", "--db", ro});
    QVERIFY2(runs.code == 0 && runs.out.contains("media"), qPrintable(runs.all()));
    const Result csv = as_user({"export", "csv", "--db", ro, "--metric", "reward", "--out", out + "/r.csv"});
    QVERIFY2(csv.code == 0, qPrintable(csv.all()));
    QVERIFY(QFileInfo(out + "/r.csv").size() > 0);
    QVERIFY2(QDir(media.path()).entryList(QDir::Files).size() == 1, "something was created on the read-only media");
    QFile::setPermissions(media.path(), QFileDevice::Permissions(0x7700));
  }

  // 11. A database damaged in the middle is noticed, with how to recover.
  void aDamagedDatabaseIsNoticed() {
    const QString db = makeRun("damaged");
    QFile f(db);
    QVERIFY(f.open(QIODevice::ReadWrite));
    const qint64 size = f.size();
    QVERIFY(size > 8 * 4096);
    f.seek(size / 2 / 4096 * 4096);  // a page in the middle
    f.write(QByteArray(4096, '\xA5'));
    f.close();
    EXPECT_FAILS_SAYING(aha({"runs", "--db", db}), "is damaged");
    EXPECT_FAILS_SAYING(aha({"runs", "--db", db}), ".recover");
  }

  // 12. An empty or garbage file imports nothing and makes no run.
  void importingNothingMakesNoRun() {
    const QString db = makeRun("import-target");
    const QString garbage = dir_.filePath("garbage.jsonl");
    write(garbage, "\x1b[31mnot json\x07\n{\"x\": 1}\n");
    const Result r = aha({"import", "file", "--file", garbage, "--db", db, "--run", "junk"});
    EXPECT_FAILS_SAYING(r, "no usable record");
    QVERIFY2(!r.all().contains('\x1b') && !r.all().contains('\x07'), "a control byte reached the terminal");
    QVERIFY(!aha({"runs", "--db", db}).out.contains("junk"));
  }

  // 14. After a kill, resume says what it does: the updates since the checkpoint are lost.
  void resumeSaysWhichUpdatesAreLost() {
    const QString db = dir_.filePath("lost.db"), config = dir_.filePath("lost.toml");
    write(config, quick_config("lost"));  // save_steps = 2
    QCOMPARE(aha({"train", "--config", config, "--db", db, "--steps", "3"}).code, 0);
    // As if killed after step 3 was stored but before its checkpoint: the latest is step 2's.
    const QDir checkpoints(db + ".checkpoints/lost");
    QVERIFY2(QDir(checkpoints.filePath("step-3")).removeRecursively(), qPrintable(checkpoints.path()));
    QVERIFY(checkpoints.exists("step-2"));
    const Result r = aha({"train", "--config", config, "--db", db, "--resume", "--steps", "4"});
    QCOMPARE(r.code, 0);
    QVERIFY2(r.all().contains("the updates of steps 3-3 are lost"), qPrintable(r.all()));
  }

  // Issue 24, 3: a misspelt metric is an error listing the ones there are, nearest first.
  void unknownMetricIsAnError() {
    const QString db = makeRun("metrics");
    EXPECT_FAILS_SAYING(aha({"export", "csv", "--db", db, "--metric", "rewrd", "--out", dir_.filePath("m.csv")}),
                        "no metric 'rewrd'; known, nearest first: reward");
#ifdef AHA_STUDIO_BIN
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert("QT_QPA_PLATFORM", "offscreen");
    const Result r = run(qEnvironmentVariable("AHA_TEST_STUDIO", AHA_STUDIO_BIN),
                         {"export", "chart", "--db", db, "--metric", "rewrd", "--out", dir_.filePath("m.pdf")}, 60000, env);
    EXPECT_FAILS_SAYING(r, "no metric 'rewrd'; known, nearest first: reward");
    QVERIFY(!QFile::exists(dir_.filePath("m.pdf")));
#endif
  }

  // Issue 24, 10: runs renamed (checkpoints follow, resume finds them), duplicated, deleted.
  void runsAreManaged() {
    const QString db = makeRun("manage");  // 3 steps, a checkpoint every 2
    QCOMPARE(aha({"runs", "rename", "manage", "renamed", "--db", db}).code, 0);
    QVERIFY(QDir(db + ".checkpoints/renamed").exists() && !QDir(db + ".checkpoints/manage").exists());
    const Result dup = aha({"runs", "duplicate", "renamed", "--db", db, "--out", dir_.filePath("dup.toml")});
    QVERIFY2(dup.code == 0, qPrintable(dup.all()));
    QFile copy(dir_.filePath("dup.toml"));
    QVERIFY(copy.open(QIODevice::ReadOnly) && copy.readAll().contains("name = \"renamed-2\""));
    EXPECT_FAILS_SAYING(aha({"runs", "delete", "renamed", "--db", db}), "add --yes to confirm");
    const Result del = aha({"runs", "delete", "renamed", "--db", db, "--yes"});
    QVERIFY2(del.code == 0 && del.out.contains("deleted run 'renamed'"), qPrintable(del.all()));
    QVERIFY(!QDir(db + ".checkpoints/renamed").exists());
    QVERIFY(!aha({"runs", "--db", db}).out.contains("renamed"));
  }

  // 15. A PDF figure needs no printer: the print service is never asked.
  void pdfExportAsksNoPrintService() {
#ifdef AHA_STUDIO_BIN
    QTcpServer cups;
    QVERIFY(cups.listen(QHostAddress::LocalHost));
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert("CUPS_SERVER", QString("127.0.0.1:%1").arg(cups.serverPort()));
    env.insert("QT_QPA_PLATFORM", "offscreen");
    const QString db = makeRun("pdf");
    const QString pdf = dir_.filePath("fig.pdf");
    const Result r = run(qEnvironmentVariable("AHA_TEST_STUDIO", AHA_STUDIO_BIN), {"export", "chart", "--db", db, "--metric", "reward", "--out", pdf}, 60000, env);
    QVERIFY2(r.code == 0, qPrintable(r.all()));
    QVERIFY(QFileInfo(pdf).size() > 1000);
    QCoreApplication::processEvents();
    QVERIFY2(!cups.hasPendingConnections() && !cups.waitForNewConnection(100), "the export connected to the print service");
#else
    QSKIP("built without the studio");
#endif
  }

  // The model's verdicts on a stored run (issue 37): `aha reanalyse --answers` judges at
  // most --events events a step from the nearest weights, and says how many; a run trained
  // elsewhere has no weights here and is refused.
  void reanalyseWithTheModelsAnswers() {
    const QString db = makeRun("answered");
    const Result r = aha({"reanalyse", "--db", db, "--answers", "--events", "4"});
    QVERIFY2(r.code == 0, qPrintable(r.all()));
    static const QRegularExpression said(R"(the model judged (\d+) of (\d+) events)");
    const auto m = said.match(r.out);
    QVERIFY2(m.hasMatch(), qPrintable(r.out));
    const int judged = m.captured(1).toInt(), events = m.captured(2).toInt();
    QVERIFY(judged <= 4 * 3 && judged <= events && (events == 0 || judged > 0));
    const QString rollouts = dir_.filePath("answers-verl");
    QDir().mkpath(rollouts);
    write(rollouts + "/1.jsonl", R"({"input":"2+2=<think>","output":"4</think><answer>4</answer>","score":1.0,"gts":"4"})" "\n");
    QVERIFY(aha({"import", "verl", "--dir", rollouts, "--db", db, "--run", "v"}).code == 0);
    EXPECT_FAILS_SAYING(aha({"reanalyse", "--db", db, "--run", "v", "--answers"}), "--model DIR");
    const Result imported = aha({"reanalyse", "--db", db, "--run", "v", "--answers", "--model",
                                 QString(AHA_SOURCE_DIR) + "/resources/models/tiny-arithmetic"});
    QVERIFY2(imported.code == 0 && imported.out.contains("the model judged"), qPrintable(imported.all()));
  }

  // 9. Probes and the lens from the command line; a run whose checkpoints are gone says
  // what it can still probe.
  void probesAndLensSayWhatIsMissing() {
    const QString db = makeRun("probed");
    const Result lens = aha({"lens", "--db", db, "--run", "probed"});
    QVERIFY2(lens.code == 0 && lens.out.contains("lens/entropy_mean") && lens.out.contains("token lens over 3 steps"),
             qPrintable(lens.all()));
    const Result probe = aha({"probe", "passk", "--db", db, "--run", "probed", "--problems", "3", "--samples", "4"});
    QVERIFY2(probe.code == 0, qPrintable(probe.all()));
    QVERIFY2(probe.out.contains("@4") && probe.out.contains("base ") && probe.out.contains("step 3 "),
             qPrintable(probe.out));
    QVERIFY(QDir(db + ".checkpoints").removeRecursively());
    EXPECT_FAILS_SAYING(aha({"probe", "passk", "--db", db, "--run", "probed"}), "no checkpoint on disk");
    EXPECT_FAILS_SAYING(aha({"probe", "passk", "--db", db, "--run", "probed"}), "--weights base");
    EXPECT_FAILS_SAYING(aha({"probe", "passk", "--db", db, "--run", "probed", "--weights", "base,soon"}),
                        "'soon' is not base, final, all or a step number");
    const Result base = aha({"probe", "passk", "--db", db, "--run", "probed", "--weights", "base", "--problems",
                             "2", "--samples", "2"});
    QVERIFY2(base.code == 0 && base.out.contains("base "), qPrintable(base.all()));
    // Each probe is kept: listed, shown, compared; another problem set is not compared.
    const Result list = aha({"probe", "list", "--db", db, "--run", "probed"});
    QVERIFY2(list.code == 0 && list.out.count("passk") == 3 && list.out.contains("3 x 4, seed 1234") &&
                 list.out.contains("2 x 2, seed 1234"),
             qPrintable(list.all()));
    const Result show = aha({"probe", "show", "--db", db, "--probe", "1", "--problem", "2"});
    QVERIFY2(show.code == 0 && show.out.count("[  ") == 4, qPrintable(show.all()));
    const Result diff = aha({"probe", "diff", "--db", db, "--from", "1", "--to", "2"});
    QVERIFY2(diff.code == 0 && diff.out.contains("3 problems:") && diff.out.contains("gained"), qPrintable(diff.all()));
    EXPECT_FAILS_SAYING(aha({"probe", "diff", "--db", db, "--from", "1", "--to", "3"}), "different problems");
    EXPECT_FAILS_SAYING(aha({"probe", "show", "--db", db, "--probe", "99"}), "no probe 99");
    EXPECT_FAILS_SAYING(aha({"probe", "show", "--db", db, "--probe", "1", "--problem", "5"}), "problems 0..2");
  }

 private:
  QString makeRun(const char* name) { return make_run(dir_.path(), name); }

  QTemporaryDir dir_;
};

int run_robustness(int argc, char** argv) {
  RobustnessTest t;
  return QTest::qExec(&t, argc, argv);
}

#include "test_robustness.moc"
