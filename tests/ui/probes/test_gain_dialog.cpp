// The studio's "Is the Gain Real?" dialog on the stand-in store of tests/support/gain_fixture.h:
// the stored probes give the table, the unique part and the bars without sampling; the
// figure saves with its numbers; a folder that cannot be written says why.
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QSpinBox>
#include <QTableWidget>
#include <QTemporaryDir>
#include <qcustomplot.h>

#include "tests/support/gain_fixture.h"
#include "tests/ui/ui_tests.h"
#include "ui/probes/gain_dialog.h"

void GainDialogTest::readsStoredProbesAndSavesTheFigure() {
  QTemporaryDir dir;
  const QString db = dir.filePath("gain.db");
  aha::test::write_gain_fixture(db.toStdString(), dir.path().toStdString());
  int sampled = 0;  // every probe is stored: the engine is never asked
  aha::ui::GainDialog d(db, "spur-truth-s1", [&](const aha::RunConfig&, const std::string&, const aha::ProbeSet&, int,
                                                 const std::function<bool(int, int)>&) {
    ++sampled;
    return aha::PassAtKProbe{};
  });
  d.problemsBox()->setValue(2);
  d.samplesBox()->setValue(4);
  d.show();
  d.start();
  QTRY_VERIFY_WITH_TIMEOUT(!d.running(), 20000);
  QCOMPARE(sampled, 0);
  auto* t = d.table();
  QCOMPARE(t->rowCount(), 2);
  QCOMPARE(t->item(0, 0)->text(), QString("truth"));  // the run asked about first
  QCOMPARE(t->item(1, 0)->text(), QString("random"));
  QCOMPARE(t->item(0, 1)->text(), QString("2"));
  // truth: gains 0.625 and 0.5; t(1) 12.706 x 0.0625 = 0.794; format share 0.25 / 1.125.
  QCOMPARE(t->item(0, 2)->text().left(5), QString("+0.56"));
  QCOMPARE(t->item(0, 3)->text(), QString("[-0.232, +1.357]"));
  QCOMPARE(t->item(0, 4)->text(), QString("+0.750"));
  QCOMPARE(t->item(0, 5)->text(), QString("22%"));
  QCOMPARE(t->item(1, 5)->text(), QString("50%"));
  QVERIFY2(d.unique()->text().contains("against random") && d.unique()->text().contains("+0.375 [-0.005, +0.755]"),
           qPrintable(d.unique()->text()));
  // The bars: one per arm at its mean, the interval as error bars.
  auto* bars = qobject_cast<QCPBars*>(d.plot()->plottable(0));
  QVERIFY(bars && bars->data()->size() == 2);
  QCOMPARE(bars->data()->at(1)->value, 0.1875);
  QVERIFY(qobject_cast<QCPErrorBars*>(d.plot()->plottable(1)));

  const QString pdf = dir.filePath("gain.pdf");
  d.saveFigure(pdf);
  QVERIFY(QFile(pdf).size() > 1000);
  QFile sidecar(pdf + ".json");
  QVERIFY(sidecar.open(QIODevice::ReadOnly));
  const auto j = QJsonDocument::fromJson(sidecar.readAll()).object();
  QCOMPARE(j["run"].toString(), QString("spur-truth-s1"));
  QCOMPARE(j["arms"].toArray()[0].toObject()["pass1_gain"].toObject()["mean"].toDouble(), 0.5625);
  QCOMPARE(j["unique"].toObject()["best_control"].toString(), QString("random"));
  try {
    d.saveFigure("/proc/no/gain.png");
    QFAIL("saved into /proc");
  } catch (const std::runtime_error& e) {
    QVERIFY2(QString(e.what()).contains("its folder does not exist"), e.what());
  }
  // A run without a sweep has no controls: the dialog says how to train them.
  aha::ui::GainDialog alone(db, "no-such-run", {});
  alone.start();
  QTRY_VERIFY_WITH_TIMEOUT(!alone.running(), 20000);
  QVERIFY2(alone.status()->text().contains("no-such-run"), qPrintable(alone.status()->text()));
}
