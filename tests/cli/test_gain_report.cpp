// `aha report gain` on a stand-in store (tests/support/gain_fixture.h): the report's
// figures computed by hand.
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "tests/cli/cli_harness.h"
#include "tests/support/gain_fixture.h"

using namespace cli_test;


class GainReportTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void reportsGainsBesideControls() {
    QTemporaryDir dir;
    const QString db = dir.filePath("gain.db");
    aha::test::write_gain_fixture(db.toStdString(), dir.path().toStdString());
    const Result r = cli_test::aha({"report", "gain", "--db", db, "--run", "spur-truth-s1", "--problems", "2", "--samples", "4",
                          "--seed", "1234"});
    QVERIFY2(r.code == 0, qPrintable(r.all()));
    QVERIFY2(!r.err.contains("probing"), qPrintable(r.err));  // every probe was stored
    // truth: gains 0.625, 0.5 (mean 0.5625, t(1) = 12.706 x 0.0625); format share: right
    // when answered at base (1/4) x answered gained (1/2) per seed, over the gains: 0.25/1.125.
    // Each arm's line: seeds, pass@1 gain [low, high], maj@n gain [low, high], format share.
    const auto numbers = [&](const QString& arm) {
      QList<double> found;
      for (const auto& l : r.out.split('\n'))
        if (l.startsWith(arm + " "))
          for (const auto& m : QRegularExpression("[-+]?\\d+(\\.\\d+)?").globalMatch(l.mid(arm.size())))
            found << m.captured().toDouble();
      return found;
    };
    const auto close = [](const QList<double>& got, const QList<double>& want) {
      if (got.size() != want.size()) return false;
      for (int i = 0; i < got.size(); ++i)
        if (std::abs(got[i] - want[i]) > 0.0015) return false;
      return true;
    };
    // maj@n: truth 1.0 and 0.5 against a base of 0 (half 12.706 x 0.25).
    QVERIFY2(close(numbers("truth"), {2, 0.5625, 0.5625 - 0.794125, 0.5625 + 0.794125, 0.75, 0.75 - 3.1765,
                                      0.75 + 3.1765, 22}),
             qPrintable(r.out));
    // random: 0.125 and 0.25 (half 12.706 x 0.0625); maj@n 0; one answer in four lost on
    // seed 2: format part 0.25 x (1 - 0.5) + 0.25 x (0.75 - 0.5) = 0.1875 of 0.375 gained.
    QVERIFY2(close(numbers("random"), {2, 0.1875, 0.1875 - 0.794125, 0.1875 + 0.794125, 0, 0, 0, 50}), qPrintable(r.out));
    // What no control reaches: 0.5625 - 0.1875, Welch's df = 2 (t 4.303, se 0.0884).
    QVERIFY2(r.out.contains("against random, the best control") && r.out.contains("pass@1 +0.375 [-0.005, +0.755]"),
             qPrintable(r.out));

    // Bad input: a run without a checkpoint's probe names what is missing.
    EXPECT_FAILS_SAYING(cli_test::aha({"report", "gain", "--db", db, "--run", "spur-truth-s1", "--problems", "2", "--samples",
                             "8", "--seed", "1234"}),
                        "is gone");
    EXPECT_FAILS_SAYING(cli_test::aha({"report", "loss", "--db", db}), "not a report");
  }
};

int run_gain_report(int argc, char** argv) {
  GainReportTest t;
  return QTest::qExec(&t, argc, argv);
}

#include "test_gain_report.moc"
