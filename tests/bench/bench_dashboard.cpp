// The dashboard with a lot on it: 5 runs x 10,000 steps of every charted series. Times
// the first load, a full redraw of all charts, and a change of the smoothing slider.
//   QT_QPA_PLATFORM=offscreen build/tests/bench/bench_dashboard [runs=5] [steps=10000]
// Experiment: BENCH_HINTS=bits redraws again with 1 = no antialiasing, 2 = fast
// polylines, 4 = no band fills, 8 = no raw lines, 16 = no smoothed lines, to see where
// the drawing time goes. BENCH_SHOT=file.png saves what was drawn.
#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "db/run_reader.h"
#include "db/run_store.h"
#include "ui/charts/dashboard.h"

namespace {
double ms(const QElapsedTimer& t) { return t.nsecsElapsed() / 1e6; }
double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}
}  // namespace

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  const int runs = argc > 1 ? std::atoi(argv[1]) : 5, steps = argc > 2 ? std::atoi(argv[2]) : 10000;
  const QString path = "/tmp/aha-bench-dashboard.db";
  for (const char* suffix : {"", "-wal", "-shm"}) QFile::remove(path + suffix);
  QStringList names;
  for (const auto& spec : aha::ui::Dashboard::defaultCharts()) {
    names << spec.metrics;
    for (const auto& extra : {spec.bandLow, spec.bandHigh, spec.bandStd})
      if (!extra.isEmpty()) names << extra;
  }
  {
    aha::db::RunStore store(path.toStdString());
    std::mt19937 rng(1);
    std::normal_distribution<double> noise(0, 0.05);
    for (int r = 0; r < runs; ++r) {
      aha::RunInfo info;
      info.name = "run-" + std::to_string(r);
      info.total_steps = steps;
      store.begin_run(info, false);
      for (int s = 0; s < steps; ++s) {
        aha::StepRecord rec;
        rec.step = s;
        rec.wall_time = 1.7e9 + 4.0 * s;
        for (const auto& n : names) rec.metrics.emplace_back(n.toStdString(), 0.5 + 0.3 * std::tanh(s / 2000.0) + noise(rng));
        store.write_step(rec);
      }
    }
  }
  std::printf("%d runs x %d steps x %lld series\n", runs, steps, static_cast<long long>(names.size()));
  aha::ui::Dashboard d;
  d.resize(1600, 1000);
  d.show();
  QElapsedTimer t;
  t.start();
  d.setReader(std::make_shared<aha::db::RunReader>(path.toStdString()));
  for (int r = 1; r <= runs; ++r) d.setRunVisible(r, true, r - 1);
  for (auto* c : d.charts()) c->replot(QCustomPlot::rpImmediateRefresh);
  std::printf("first load (read from SQLite, build graphs, draw): %.0f ms\n", ms(t));

  std::vector<double> redraw, smoothing;
  for (int i = 0; i < 10; ++i) {
    t.restart();
    for (auto* c : d.charts()) c->replot(QCustomPlot::rpImmediateRefresh);
    redraw.push_back(ms(t));
  }
  for (int i = 0; i < 10; ++i) {
    t.restart();
    d.setSmoothing(i % 2 ? 0.6 : 0.9);
    for (auto* c : d.charts()) c->replot(QCustomPlot::rpImmediateRefresh);
    smoothing.push_back(ms(t));
  }
  if (qEnvironmentVariableIsSet("BENCH_HINTS")) {
    for (auto* c : d.charts()) {
      const int h = qEnvironmentVariableIntValue("BENCH_HINTS");
      if (h & 1) c->setNotAntialiasedElements(QCP::aeAll);
      if (h & 2) c->setPlottingHint(QCP::phFastPolylines, true);
      if (h & 4)
        for (int p = 0; p < c->plottableCount(); ++p) c->plottable(p)->setBrush(Qt::NoBrush);
      for (int g = 0; g < c->graphCount(); ++g) {
        if ((h & 8) && c->graph(g)->property("role") == "raw") c->graph(g)->setVisible(false);
        if ((h & 16) && c->graph(g)->property("role") == "smooth") c->graph(g)->setVisible(false);
      }
    }
    redraw.clear();
    for (int i = 0; i < 5; ++i) {
      t.restart();
      for (auto* c : d.charts()) c->replot(QCustomPlot::rpImmediateRefresh);
      redraw.push_back(ms(t));
    }
  }
  if (qEnvironmentVariableIsSet("BENCH_SHOT")) d.grab().save(qEnvironmentVariable("BENCH_SHOT"));  // to look at
  std::printf("full redraw of %lld charts: median %.1f ms, max %.1f ms\n", static_cast<long long>(d.charts().size()),
              median(redraw), *std::max_element(redraw.begin(), redraw.end()));
  std::printf("smoothing change + redraw: median %.1f ms, max %.1f ms\n", median(smoothing),
              *std::max_element(smoothing.begin(), smoothing.end()));
  return 0;
}
