// What the command line writes for people and scripts to read: CSV a script reads back
// exactly and a reader understands, a runs table whose columns hold, errors that name the
// misspelt run (issue 40).
#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "tests/cli/cli_harness.h"

using namespace cli_test;

class OutputsTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    db_ = make_run(dir_.path(), "demo-arithmetic");
  }

  // One metric's CSV names it in the header; every value is the shortest text that reads
  // back as the stored double (0.646875, not 0.64687500000000075).
  void csvNamesTheMetricAndWritesShortestValues() {
    const QString csv = dir_.filePath("r.csv");
    QCOMPARE(aha({"export", "csv", "--db", db_, "--metric", "accuracy", "--out", csv}).code, 0);
    QFile f(csv);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.front(), QString("step,demo-arithmetic/accuracy"));
    QCOMPARE(lines.size(), 4);
    for (const auto& line : lines.mid(1)) {
      const QString text = line.section(',', 1, 1);
      bool ok = false;
      const double v = text.toDouble(&ok);
      QVERIFY2(ok, qPrintable(line));
      QCOMPARE(text, QString::number(v, 'g', QLocale::FloatingPointShortest));
    }
  }

  // A 29-character name moves no column: each row's status starts where the header's does.
  void runsTableColumnsHold() {
    const QString db = make_run(dir_.path(), "a-run-name-of-29-characters-x");
    write(dir_.filePath("s.toml"), quick_config("s"));
    QCOMPARE(aha({"train", "--config", dir_.filePath("s.toml"), "--db", db, "--steps", "1"}).code, 0);
    const Result r = aha({"runs", "--db", db});
    QCOMPARE(r.code, 0);
    const QStringList lines = r.out.split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 3);
    const qsizetype status = lines[0].indexOf("status"), steps = lines[0].indexOf("steps");
    for (const auto& line : lines.mid(1)) {
      QVERIFY2(QRegularExpression("^(finished|stopped)").match(line.mid(status)).hasMatch(), qPrintable(r.out));
      QVERIFY2(QRegularExpression("^\\d+/\\d+ ").match(line.mid(steps)).hasMatch(), qPrintable(r.out));
    }
  }

  // The aha quality is one name everywhere: the CSV gives its five series; a figure of two
  // runs draws each run in a line style of its own and names it in the legend.
  void ahaQualityIsOneNameEverywhere() {
    const QString csv = dir_.filePath("q.csv");
    const Result r = aha({"export", "csv", "--db", db_, "--metric", "aha_quality", "--out", csv});
    QVERIFY2(r.code == 0, qPrintable(r.all()));
    QFile f(csv);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(f.readLine()).trimmed(),
             QString("step,demo-arithmetic/real_aha_rate,demo-arithmetic/reflection/confirm_rate,"
                     "demo-arithmetic/reflection/miss_rate,demo-arithmetic/reflection/break_rate,"
                     "demo-arithmetic/reflection/ritual_rate"));
    // For a table a person reads: the display names and units of the figures' axes.
    const Result display = aha({"export", "csv", "--db", db_, "--metric", "aha_quality", "--metric",
                                "completions/mean_length_incorrect", "--header", "display", "--out", csv});
    QVERIFY2(display.code == 0, qPrintable(display.all()));
    f.close();
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QString header = QString::fromUtf8(f.readLine()).trimmed();
    QVERIFY2(header.startsWith("step,demo-arithmetic: real aha rate (fix) (fraction of completions),") &&
                 header.endsWith(",demo-arithmetic: length of wrong answers (tokens)"),
             qPrintable(header));
    EXPECT_FAILS_SAYING(aha({"export", "csv", "--db", db_, "--header", "pretty", "--out", csv}), "'stored'");
#ifdef AHA_STUDIO_BIN
    write(dir_.filePath("b.toml"), quick_config("second"));
    QCOMPARE(aha({"train", "--config", dir_.filePath("b.toml"), "--db", db_, "--steps", "2"}).code, 0);
    const QString svg = dir_.filePath("q.svg");
    const Result chart = run(AHA_STUDIO_BIN, {"export", "chart", "--db", db_, "--run", "demo-arithmetic", "--run",
                                              "second", "--metric", "aha_quality", "--out", svg});
    QVERIFY2(chart.code == 0, qPrintable(chart.all()));
    QFile figure(svg);
    QVERIFY(figure.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(figure.readAll());
    for (const char* name : {"fix", "ritual", "demo-arithmetic (solid)", "second (dashed)"})
      QVERIFY2(text.contains(QString(">%1<").arg(name)), name);
#endif
  }

  // A misspelt run is named as the problem (it used to be "no metric 'reward'").
  void chartNamesAMisspeltRun() {
#ifndef AHA_STUDIO_BIN
    QSKIP("built without the studio");
#else
    const Result r = run(AHA_STUDIO_BIN, {"export", "chart", "--db", db_, "--run", "demo-arithmetc", "--metric",
                                          "reward", "--out", dir_.filePath("x.pdf")});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("--run") && r.err.contains("demo-arithmetc") && r.err.contains("demo-arithmetic") &&
                 !r.err.contains("no metric"),
             qPrintable(r.err));
#endif
  }

 private:
  QTemporaryDir dir_;
  QString db_;
};

int run_outputs(int argc, char** argv) {
  OutputsTest t;
  return QTest::qExec(&t, argc, argv);
}

#include "test_outputs.moc"
