// What the Debian package ships besides the programs: manual pages written from --help,
// the studio's answer when there is no display.
#include <QProcess>
#include <QRegularExpression>
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
