// What the Debian package ships besides the programs: manual pages written from --help,
// the studio's answer when there is no display, one step numbering on every surface.
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "tests/cli/cli_harness.h"

using namespace cli_test;

namespace {

QString man_page(const char* name) {  // the built page, uncompressed
  QProcess gz;
  gz.start("gzip", {"-dc", QString(AHA_MAN_DIR) + "/" + name + ".1.gz"});
  gz.waitForFinished();
  return QString::fromUtf8(gz.readAllStandardOutput());
}

}  // namespace

class PackageTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  // Every verb `aha --help` lists has its section in aha.1, with that verb's own --help text.
  void manPageHasEveryVerb() {
    const Result help = aha({"--help"});
    QCOMPARE(help.code, 0);
    const QString commands = help.out.section("commands:\n", 1).section("\n\n", 0, 0);
    QStringList verbs;
    for (const auto& line : commands.split('\n', Qt::SkipEmptyParts)) verbs << line.trimmed().section(' ', 0, 0);
    QVERIFY2(verbs.size() >= 13, qPrintable(verbs.join(' ')));
    for (const char* v : {"sweep", "reanalyse", "lens", "probe"}) QVERIFY(verbs.contains(v));
    const QString page = man_page("aha");
    QVERIFY2(page.startsWith(".TH AHA 1"), qPrintable(page.left(200)));
    for (const auto& verb : verbs) {
      QVERIFY2(page.contains(".SS aha " + verb + "\n"), qPrintable("no section for " + verb));
      const Result own = aha({verb, "--help"});
      QVERIFY2(own.code == 0, qPrintable(verb + ": " + own.all()));
      const QString first = own.out.section('\n', 0, 0);  // its usage line, as roff writes it
      QVERIFY2(page.contains(QString(first).replace('-', "\\-")), qPrintable(verb + ": " + first));
    }
  }

  void studioManPageHasItsArguments() {
    const QString page = man_page("aha-studio");
    QVERIFY2(page.startsWith(".TH AHA-STUDIO 1"), qPrintable(page.left(200)));
    for (const char* what : {"DATABASE", "\\-\\-help", "\\-\\-version", ".SS aha-studio export chart", "\\-\\-smoothing"})
      QVERIFY2(page.contains(what), what);
  }

  // Qt aborts (134) with advice to reinstall when it has no display; the studio says what
  // is wrong and what works without one.
  void studioWithoutDisplayExitsTwo() {
#ifndef AHA_STUDIO_BIN
    QSKIP("built without the studio");
#else
    auto env = QProcessEnvironment::systemEnvironment();
    for (const char* var : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}) env.remove(var);
    const Result r = run(AHA_STUDIO_BIN, {}, 30000, env);
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("no display") && r.err.contains("aha-studio export chart"), qPrintable(r.all()));
    // export chart still works without one.
    const Result help = run(AHA_STUDIO_BIN, {"export", "chart", "--help"}, 30000, env);
    QCOMPARE(help.code, 0);
#endif
  }

  // Step N is the N-th update everywhere, as veRL's and TRL's global_step: the console, the
  // CSV, the figure's data, the checkpoint folders and the runs list agree.
  void oneStepNumberingEverywhere() {
    QTemporaryDir dir;
    const QString db = dir.filePath("n.db"), config = dir.filePath("n.toml");
    write(config, quick_config("n"));  // save_steps = 2
    const Result train = aha({"train", "--config", config, "--db", db, "--steps", "3"});
    QCOMPARE(train.code, 0);
    QStringList console;
    for (const auto& line : train.out.split('\n'))
      if (line.startsWith("step ")) console << line.section(' ', 1, 1);
    QCOMPARE(console, (QStringList{"1/3", "2/3", "3/3"}));
    const QString csv = dir.filePath("n.csv");
    QCOMPARE(aha({"export", "csv", "--db", db, "--run", "n", "--out", csv}).code, 0);
    QFile f(csv);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QStringList csvSteps;
    for (const auto& line : QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts).mid(1))
      csvSteps << line.section(',', 0, 0);
    QCOMPARE(csvSteps, (QStringList{"1", "2", "3"}));
    QCOMPARE(QDir(db + ".checkpoints/n").entryList(QDir::Dirs | QDir::NoDotAndDotDot), (QStringList{"step-2", "step-3"}));
    QVERIFY(aha({"runs", "--db", db}).out.contains(" 3/3 "));
#ifdef AHA_STUDIO_BIN
    const Result chart = run(AHA_STUDIO_BIN, {"export", "chart", "--db", db, "--metric", "reward", "--out",
                                              dir.filePath("n.svg")});
    QVERIFY2(chart.code == 0, qPrintable(chart.all()));
    QFile sidecar(dir.filePath("n.svg.json"));
    QVERIFY(sidecar.open(QIODevice::ReadOnly));
    const auto runs = QJsonDocument::fromJson(sidecar.readAll())["runs"].toArray();
    QCOMPARE(runs.size(), 1);
    QCOMPARE(runs[0]["steps"].toArray(), (QJsonArray{1, 3}));
#endif
  }

  // Checkpoints saved before steps counted from 1 were named by the step's index
  // ("step-1" after two updates) and have no global_step: a resume reads them as such.
  void savesOfTheOldNumberingResumeWhereTheyWere() {
    QTemporaryDir dir;
    const QString db = dir.filePath("o.db"), config = dir.filePath("o.toml");
    write(config, quick_config("o"));  // save_steps = 2
    QCOMPARE(aha({"train", "--config", config, "--db", db, "--steps", "2"}).code, 0);
    QDir run(db + ".checkpoints/o");
    QVERIFY(run.rename("step-2", "step-1"));
    write(run.filePath("step-1/trainer_state.json"), R"({"step": 1, "num_tokens": 0})");
    const Result resumed = aha({"train", "--config", config, "--db", db, "--resume", "--steps", "3"});
    QVERIFY2(resumed.code == 0 && resumed.out.contains("step 3/3"), qPrintable(resumed.all()));
    QVERIFY2(!resumed.all().contains("are lost"), qPrintable(resumed.all()));
  }

  void helpExitsZeroEverywhere() {
    QCOMPARE(aha({"export", "--help"}).code, 0);
    QCOMPARE(aha({"export"}).code, 2);
    const Result v = aha({"version", "--help"});
    QCOMPARE(v.code, 0);
    QVERIFY(v.out.startsWith("usage: aha version"));
  }
};

int run_package(int argc, char** argv) {
  PackageTest t;
  return QTest::qExec(&t, argc, argv);
}

#include "test_package.moc"
