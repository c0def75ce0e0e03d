// The dashboard's aha onset on the trace browser's fixture run (TraceBrowserTest's
// database, whose aha rate jumps at step 15), several runs' onset labels apart, and the
// entropy-collapse warning on the token entropy chart.
#include <qcustomplot.h>

#include "db/run_reader.h"
#include "db/run_store.h"
#include "tests/ui/ui_tests.h"
#include "ui/charts/dashboard.h"

using namespace aha;

namespace {
constexpr int kOnsetSteps = 30;
}  // namespace

void TraceBrowserTest::onsetLabelsOfRunsApart() {
  // Three runs whose aha rates jump at nearby steps: each onset label on a line of its own,
  // however short the chart (they were placed a fixed share of its height apart).
  const QString path = dir_.filePath("onsets.db");
  {
    db::RunStore store(path.toStdString());
    for (int run = 0; run < 3; ++run) {
      RunInfo info;
      info.name = "onset-" + std::to_string(run);
      info.total_steps = kOnsetSteps;
      store.begin_run(info, false);
      for (int step = 1; step <= kOnsetSteps; ++step) {
        StepRecord rec;
        rec.step = step;
        rec.metrics = {{"aha_rate", step < 15 + run ? 0.1 : 0.6}};
        store.write_step(rec);
      }
    }
  }
  ui::Dashboard d;
  d.setReader(std::make_shared<db::RunReader>(path.toStdString()));
  for (int run = 1; run <= 3; ++run) d.setRunVisible(run, true, run - 1);
  d.resize(1280, 500);  // short charts (the window at 1280x800 with the log open)
  d.show();
  QVERIFY(QTest::qWaitForWindowExposed(&d));
  auto* chart = d.chartOf("aha_rate");
  chart->replot();
  chart->replot();  // (the second lays out with the first's axis rect)
  QList<QRectF> labels;
  for (int i = 0; i < chart->itemCount(); ++i)
    if (auto* text = qobject_cast<QCPItemText*>(chart->item(i)))
      labels << QRectF(text->topLeft->pixelPosition(), text->bottomRight->pixelPosition());
  QCOMPARE(labels.size(), 3);
  for (int a = 0; a < labels.size(); ++a)
    for (int b = a + 1; b < labels.size(); ++b)
      QVERIFY2(!labels[a].intersects(labels[b]), qPrintable(QString("labels %1 and %2 overlap").arg(a).arg(b)));
  for (const QRectF& r : labels) QVERIFY(chart->axisRect()->rect().contains(r.toRect()));
}

void TraceBrowserTest::dashboardMarksAhaOnset() {
  ui::Dashboard d;
  d.setReader(std::make_shared<db::RunReader>(db_.toStdString()));
  d.setRunVisible(1, true, 0);
  const auto onset = d.ahaOnset(1);
  QVERIFY(onset.has_value());
  QVERIFY(*onset >= 15 && *onset <= 17);  // the rate jumps at step 15; the EMA clears the margin at once
  auto* chart = d.chartOf("real_aha_rate");
  QVERIFY(chart && chart == d.chartOf("aha_rate"));
  QCOMPARE(chart->itemCount(), 2);  // the onset line and its label
  // Hovering over a stored point names the run, the step and the exact value.
  d.resize(1200, 800);
  d.show();
  QVERIFY(QTest::qWaitForWindowExposed(&d));
  chart->replot();
  const QPoint at(int(chart->xAxis->coordToPixel(20)), int(chart->yAxis->coordToPixel(0.6)));
  const QString tip = d.hoverText(chart, at);
  // Every line of the chart at that step (W&B's readout): the aha rate under the cursor, in
  // bold, and the real aha rate beside it, by their display names.
  QVERIFY2(tip.contains("step 20") && tip.contains("<b>trace-run \u00B7 aha rate: 0.6 ") &&
               tip.contains("trace-run \u00B7 real aha rate (fix): 0.4 "),
           qPrintable(tip));
  QCOMPARE(d.hoverText(chart, QPoint(2, 2)), QString());

  // The aha quality: per completion, a line for each outcome in its colour (not shares of
  // events stacked: those fell while the rates grew), read from 0, the outcomes named.
  d.setSmoothing(0);
  auto* quality = d.chartOf("reflection/ritual_rate");
  QVERIFY(quality && quality == d.chartOf("reflection/confirm_rate"));
  QStringList named;
  std::map<QString, QCPGraph*> line;
  for (int g = 0; g < quality->graphCount(); ++g) {
    auto* graph = quality->graph(g);
    QCOMPARE(graph->brush().style(), Qt::NoBrush);
    if (graph->property("role") == "smooth") line[graph->name()] = graph;
  }
  for (int i = 0; i < quality->legend->itemCount(); ++i)
    if (auto* item = qobject_cast<QCPPlottableLegendItem*>(quality->legend->item(i))) named << item->plottable()->name();
  QCOMPARE(named, (QStringList{"fix", "confirm", "miss", "break", "ritual"}));
  auto valueAt = [&](const char* outcome, double step) { return line.at(outcome)->data()->findBegin(step, false)->value; };
  QCOMPARE(valueAt("fix", 20), 0.4);
  QCOMPARE(valueAt("ritual", 5), 0.5);
  QCOMPARE(valueAt("ritual", 20), 0.2);
  QCOMPARE(line.at("fix")->pen().color(), QColor("#009E73"));
  QCOMPARE(line.at("ritual")->pen().color(), QColor("#E69F00"));
  QCOMPARE(quality->yAxis->range().lower, 0.0);
}

void TraceBrowserTest::collapseWarningOnTheEntropyChart() {
  // Forking tokens' entropy falls 1 -> 0 over 50 steps while reward rises to step 40: the
  // warning is at step 33 (core's collapse_warning: the 10 steps to it below half the first
  // 10's mean, reward above the 10 before). A run whose reward stays flat gets none.
  const QString path = dir_.filePath("collapse.db");
  {
    db::RunStore store(path.toStdString());
    for (int run = 0; run < 2; ++run) {
      RunInfo info;
      info.name = "collapse-" + std::to_string(run);
      info.total_steps = 60;
      store.begin_run(info, false);
      for (int step = 1; step <= 60; ++step) {
        StepRecord rec;
        rec.step = step;
        rec.metrics = {{"lens/fork_entropy", std::max(0.0, 1.0 - (step - 1) / 50.0)},
                       {"lens/entropy_mean", 0.1},
                       {"reward", run == 0 ? std::min(step - 1, 40) / 40.0 : 0.5}};
        store.write_step(rec);
      }
    }
  }
  ui::Dashboard d;
  d.setReader(std::make_shared<db::RunReader>(path.toStdString()));
  d.setRunVisible(1, true, 0);
  d.setRunVisible(2, true, 1);
  d.resize(1280, 700);
  d.show();
  QVERIFY(QTest::qWaitForWindowExposed(&d));
  QCOMPARE(d.entropyCollapse(1).value_or(-1), qint64(33));
  QVERIFY(!d.entropyCollapse(2));
  auto* plot = d.chartOf("lens/entropy_mean");
  QStringList labels;
  for (int i = 0; i < plot->itemCount(); ++i)
    if (auto* text = qobject_cast<QCPItemText*>(plot->item(i))) labels << text->text();
  QCOMPARE(labels, QStringList{" collapse 33"});
}
