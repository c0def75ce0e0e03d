// The trace browser on a large database: time to open, to apply each filter, to fetch a
// page while scrolling, to answer data(), and to repaint the scrolled table. Usage:
//   build/tests/bench/bench_store 1000000 /tmp/aha-1m.db      # makes the database
//   QT_QPA_PLATFORM=offscreen build/tests/bench/bench_trace_browser /tmp/aha-1m.db
#include <QApplication>
#include <QElapsedTimer>
#include <QScrollBar>
#include <QTableView>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "ui/traces/trace_browser.h"
#include "ui/traces/trace_table_model.h"

namespace {
double ms(const QElapsedTimer& t) { return t.nsecsElapsed() / 1e6; }
double pct(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}
}  // namespace

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  const QString path = argc > 1 ? argv[1] : "/tmp/aha-1m.db";
  aha::ui::TraceBrowser browser;
  browser.resize(1400, 900);
  browser.show();
  QElapsedTimer t;
  t.start();
  browser.setDatabase(path);
  auto* model = browser.model();
  const double open = ms(t);
  // The count arrives later from a worker thread; the table is usable before.
  auto counted = [&] {
    QElapsedTimer c;
    c.start();
    while (model->totalMatching() < 0) QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    return ms(c);
  };
  const double countMs = counted();
  std::printf("open %s: %.1f ms to the first page (%d rows); count %lld after %.0f ms more\n", qPrintable(path), open,
              model->rowCount(), static_cast<long long>(model->totalMatching()), countMs);

  struct Case {
    const char* name;
    aha::db::SampleFilter filter;
  };
  std::vector<Case> cases;
  auto add = [&](const char* name, auto edit) {
    aha::db::SampleFilter f;
    f.run_id = 1;
    edit(f);
    cases.push_back({name, f});
  };
  add("run only", [](auto&) {});
  add("step range 5000-5100", [](auto& f) { f.step_min = 5000, f.step_max = 5100; });
  add("correct only", [](auto& f) { f.correct = true; });
  add("reflective only", [](auto& f) { f.flagged_only = true; });
  add("real aha only (none stored)", [](auto& f) { f.real_aha_only = true; });
  add("reward 0.5-1.0", [](auto& f) { f.reward_min = 0.5, f.reward_max = 1.0; });
  add("length 100-400", [](auto& f) { f.length_min = 100, f.length_max = 400; });
  add("full text \"let me verify\"", [](auto& f) { f.text_query = "\"let me verify\""; });
  add("full text + step range", [](auto& f) { f.text_query = "hmm", f.step_min = 100, f.step_max = 2000; });
  for (const auto& c : cases) {
    t.restart();
    model->setFilter(c.filter);
    const double page = ms(t);
    const double countMs = counted();
    std::printf("filter %-28s %7.1f ms to the first page (%d rows); count %lld after %.0f ms more\n", c.name, page,
                model->rowCount(), static_cast<long long>(model->totalMatching()), countMs);
  }
  model->setFilter(cases[0].filter);
  counted();
  for (int col : {aha::ui::TraceTableModel::ColReward, aha::ui::TraceTableModel::ColAha, aha::ui::TraceTableModel::ColLength}) {
    t.restart();
    browser.table()->sortByColumn(col, Qt::DescendingOrder);
    std::printf("sort by column %d, descending: %.1f ms to the first page\n", col, ms(t));
    counted();
  }
  browser.table()->sortByColumn(aha::ui::TraceTableModel::ColStep, Qt::AscendingOrder);
  counted();

  // Scrolling: each fetchMore is one keyset page; a repaint shows the scrolled rows.
  model->setFilter(cases[0].filter);
  std::vector<double> fetch, paint;
  for (int i = 0; i < 200; ++i) {
    t.restart();
    model->fetchMore({});
    fetch.push_back(ms(t));
    auto* bar = browser.table()->verticalScrollBar();
    t.restart();
    bar->setValue(bar->maximum());
    browser.table()->viewport()->repaint();
    paint.push_back(ms(t));
  }
  std::printf("fetchMore (%d rows a page) x200: median %.2f ms, p99 %.2f ms, max %.2f ms; rows held %d\n",
              aha::ui::TraceTableModel::kPageSize, pct(fetch, 0.5), pct(fetch, 0.99), pct(fetch, 1.0), model->rowCount());
  std::printf("scroll + repaint x200: median %.2f ms, p99 %.2f ms, max %.2f ms\n", pct(paint, 0.5), pct(paint, 0.99),
              pct(paint, 1.0));
  t.restart();
  int calls = 0;
  for (int r = 0; r < model->rowCount(); r += 7)
    for (int c = 0; c < aha::ui::TraceTableModel::ColumnCount; ++c, ++calls) model->data(model->index(r, c), Qt::DisplayRole);
  std::printf("data(): %.3f us per call over %d calls\n", ms(t) * 1000.0 / calls, calls);
  return 0;
}
