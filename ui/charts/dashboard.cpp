#include "ui/charts/dashboard.h"

#include <QGridLayout>
#include <QLabel>
#include <QScrollArea>
#include <QResizeEvent>
#include <QVBoxLayout>
#include <QToolTip>
#include <qcustomplot.h>

#include <cmath>
#include <limits>
#include <map>

#include "core/analysis/aha_onset.h"
#include "core/analysis/entropy_fit.h"
#include "core/run/metric_display.h"
#include "core/run/step_metrics.h"
#include "db/run_reader.h"
#include "ui/charts/band_plottable.h"
#include "ui/charts/series_math.h"
#include "ui/charts/step_ticker.h"

namespace aha::ui {

ChartSpec ahaQualityChart() {
  ChartSpec s{"aha quality (per completion)", "fraction", {}, "", "", ""};
  for (const auto& o : aha_quality_series()) s.metrics << o.metric, s.layerNames << o.outcome;
  s.layerColors = {"#009E73", "#56B4E9", "#999999", "#D55E00", "#E69F00"};  // fix, confirm, miss, break, ritual
  s.byOutcome = true;
  s.key = kAhaQuality;
  return s;
}

namespace {
// Why a chart has nothing to show, in its middle, in short lines that fit a small chart.
QString emptyNote(const ChartSpec& spec) {
  if (spec.metrics.contains("kl")) return QObject::tr("not measured:\nKL needs a reference model\n(beta > 0)");
  if (spec.metrics.contains("clip_ratio/region_mean"))
    return QObject::tr("not measured:\nratios are 1 with one update\nper batch (num_iterations = 1)");
  if (spec.metrics.contains("lens/entropy_mean"))
    return QObject::tr("no token lens:\nimported runs keep text only\n(token_lens = false keeps none)");
  if (spec.byOutcome) return QObject::tr("no reflection outcome yet\n(older runs: aha reanalyse)");
  return QObject::tr("not measured in these runs");
}
}  // namespace

QVector<ChartSpec> Dashboard::defaultCharts() {
  return {
      {"reward", "", {"reward"}, "", "", "reward_std"},
      {"accuracy / format", "fraction", {"accuracy", "format_rate"}, "", "", ""},
      {"response length", "tokens", {"completions/mean_length"}, "completions/p10_length", "completions/p90_length", ""},
      // With causal_fix_events, the share of fixes that mattered (docs/ANCHORS.md).
      {"aha rate (dashed: real aha = fix; dash-dot: causal share of fixes)", "fraction",
       {"aha_rate", "real_aha_rate", "reflection/causal_fix_share"}, "", "", ""},
      ahaQualityChart(),
      {"KL", "nats/token", {"kl"}, "", "", ""},
      {"entropy", "nats/token", {"entropy"}, "", "", ""},
      {"token entropy (dashed: forking tokens)", "nats/token", {"lens/entropy_mean", "lens/fork_entropy"}, "", "", ""},
      // clip_ratio: the name of older runs' region share.
      {"clip ratio", "fraction", {"clip_ratio/region_mean", "clip_ratio"}, "", "", ""},
      {"grad norm", "", {"grad_norm"}, "", "", ""},
      {"learning rate", "", {"learning_rate"}, "", "", ""},
  };
}

Dashboard::Dashboard(QWidget* parent) : QWidget(parent), specs_(defaultCharts()) {
  auto* column = new QVBoxLayout(this);
  column->setContentsMargins(4, 4, 4, 4);
  column->setSpacing(2);
  legend_ = new QLabel(this);
  legend_->setWordWrap(true);
  legend_->setTextFormat(Qt::RichText);
  column->addWidget(legend_);
  // The charts scroll when the window is shorter than their rows: the window fits a
  // 1280x800 screen whatever the number of charts.
  auto* scroll = new QScrollArea(this);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  auto* charts = new QWidget(scroll);
  grid_ = new QGridLayout(charts);
  grid_->setContentsMargins(0, 0, 0, 0);
  grid_->setSpacing(4);
  scroll->setWidget(charts);
  column->addWidget(scroll, 1);
  for (int i = 0; i < specs_.size(); ++i) {
    auto* plot = new QCustomPlot(charts);
    plot->setObjectName("chart:" + specs_[i].title);
    plot->plotLayout()->insertRow(0);
    plot->plotLayout()->addElement(0, 0, new QCPTextElement(plot, specs_[i].title, QFont(font().family(), 9, QFont::Bold)));
    plot->xAxis->setLabel(tr("step"));
    setStepTicks(plot->xAxis, true);
    plot->yAxis->setLabel(specs_[i].unit);
    plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom | QCP::iSelectPlottables);
    plot->setNoAntialiasingOnDrag(true);
    // Thousands of points per run: fills and faint raw lines need no antialiasing.
    plot->setNotAntialiasedElements(QCP::aeFills);
    plot->setPlottingHint(QCP::phFastPolylines, true);
    plot->setMinimumSize(220, 160);
    // A click selects what the hover shows: the stored point in the column under the
    // cursor. A drag (the range moves) is no click.
    connect(plot, &QCustomPlot::mousePress, this, [this](QMouseEvent* e) { pressedAt_ = e->pos(); });
    connect(plot, &QCustomPlot::mouseRelease, this, [this, plot](QMouseEvent* e) {
      if (e->button() != Qt::LeftButton || (e->pos() - pressedAt_).manhattanLength() > 4) return;
      if (const auto hit = pointAt(plot, e->pos())) emit pointClicked(hit->run, hit->step);
    });
    connect(plot, &QCustomPlot::mouseMove, this, [this, plot](QMouseEvent* e) { showHover(plot, e->pos()); });
    plot->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(plot, &QWidget::customContextMenuRequested, this, [this, plot, metrics = specs_[i].metrics](QPoint at) {
      QMenu menu;
      menu.addAction(tr("Export this chart..."), this, [this, metrics] { emit exportRequested(metrics); });
      menu.exec(plot->mapToGlobal(at));
    });
    charts_.push_back(plot);
  }
  placeCharts(3);  // until the first resize says the shape
  for (const QString& marked : {"aha_rate", "lens/entropy_mean"})  // onsets, collapse warnings
    if (auto* plot = chartOf(marked))
      connect(plot, &QCustomPlot::beforeReplot, this, [plot] { stackOnsetLabels(plot); });
}

Dashboard::~Dashboard() = default;

void Dashboard::setReader(std::shared_ptr<db::RunReader> reader) {
  reader_ = std::move(reader);
  runs_.clear();
  rebuildGraphs();
}

void Dashboard::setRunVisible(qint64 runId, bool visible, int colorIndex) {
  if (!visible) {
    runs_.remove(runId);
    rebuildGraphs();
    updateLegend();
    return;
  }
  if (runs_.contains(runId)) return;
  runs_[runId].color = colorIndex;
  if (reader_)
    if (auto r = reader_->run(runId)) runs_[runId].name = QString::fromStdString(r->name);
  rebuildGraphs();
  updateLegend();
  refresh();
}

void Dashboard::updateLegend() {
  // One legend for every chart: the runs' colours, then what the line styles mean.
  QString html;
  for (auto it = runs_.constBegin(); it != runs_.constEnd(); ++it)
    html += QString("<span style='color:%1'>&#9632;</span>&nbsp;%2&nbsp;&nbsp; ")
                .arg(QColor(palette_color(it->color)).name(), it->name.toHtmlEscaped());
  html += tr("<span style='color:#666'>solid: smoothed &nbsp; faint: raw values &nbsp; band: spread across the "
             "step's samples (std, or p10-p90 for length) &nbsp; dashed: real aha (a fix) &nbsp; dotted: aha onset; "
             "entropy collapse (forking tokens' entropy halved while reward still rose)</span>");
  legend_->setText(runs_.isEmpty() ? QString() : html);
}

QVector<double> Dashboard::values(qint64 runId, const QString& metric) const {
  auto it = runs_.find(runId);
  return it == runs_.end() ? QVector<double>() : it->series.value(metric).values;
}

QVector<double> Dashboard::xOf(const Series& s) const {
  if (!wallTime_) return s.steps;
  QVector<double> x(s.wall.size());
  const double t0 = s.wall.isEmpty() ? 0 : s.wall.front();
  for (int i = 0; i < s.wall.size(); ++i) x[i] = (s.wall[i] - t0) / 60.0;  // minutes since the first step
  return x;
}

void Dashboard::refresh() {
  if (!reader_) return;
  // Every series from one snapshot: a step committed while they are read would otherwise
  // reach some series and not others, and lastStep would skip it in the others for good.
  const db::Transaction snapshot(reader_->connection(), /*immediate=*/false);
  for (auto it = runs_.begin(); it != runs_.end(); ++it) {
    RunData& run = it.value();
    QStringList names;
    for (const auto& spec : specs_) {
      names << spec.metrics;
      for (const auto& extra : {spec.bandLow, spec.bandHigh, spec.bandStd})
        if (!extra.isEmpty()) names << extra;
    }
    qint64 newest = run.lastStep;
    bool grew = false;
    for (const auto& name : names) {
      auto points = reader_->metric_series(it.key(), name.toStdString(), run.lastStep);
      if (points.empty()) continue;
      auto& s = run.series[name];
      for (const auto& p : points) {
        s.steps.push_back(double(p.step));
        s.values.push_back(p.value);
        s.wall.push_back(p.wall_time);
        newest = std::max<qint64>(newest, p.step);
      }
      grew = true;
    }
    run.lastStep = newest;
    if (grew) redrawRun(it.key());
  }
  rescaleAll();
}

void Dashboard::rescaleAll() {
  for (int ci = 0; ci < charts_.size(); ++ci) {
    auto* c = charts_[ci];
    c->rescaleAxes(true);
    // A constant series (a constant learning rate) gets a range around its value instead of
    // one magnified to floating-point noise, or one that spans zero for a value of 1e-4.
    QCPRange y = c->yAxis->range();
    const double span = y.size(), mid = y.center();
    if (span < 1e-6 * std::max(1.0, std::abs(mid)) || span < std::abs(mid) * 1e-3) {
      const double half = mid != 0 ? std::abs(mid) * 0.1 : 1.0;
      c->yAxis->setRange(mid - half, mid + half);
    }
    // Rates per completion read from zero: a band that starts at 0.09 hides how small it is.
    if (specs_[ci].byOutcome) c->yAxis->setRange(0, std::max(c->yAxis->range().upper, 0.05));
    // A chart with no points says why instead of drawing empty axes.
    bool any = false;
    for (int g = 0; g < c->graphCount() && !any; ++g) any = !c->graph(g)->data()->isEmpty();
    for (int i = c->itemCount() - 1; i >= 0; --i)
      if (c->item(i)->property("role") == "empty-note") c->removeItem(i);
    if (!any && !runs_.isEmpty()) {
      auto* note = new QCPItemText(c);
      note->setProperty("role", "empty-note");
      note->position->setType(QCPItemPosition::ptAxisRectRatio);
      note->position->setCoords(0.5, 0.5);
      note->setText(emptyNote(specs_[ci]));
      note->setColor(QColor(120, 120, 120));
      note->setFont(QFont(font().family(), 8));
    }
    c->replot(QCustomPlot::rpQueuedReplot);
  }
}

void Dashboard::setSmoothing(double weight) {
  smoothing_ = std::clamp(weight, 0.0, 0.99);
  for (auto it = runs_.begin(); it != runs_.end(); ++it) redrawRun(it.key(), /*smoothedOnly=*/true);
  for (auto* c : charts_) c->replot(QCustomPlot::rpQueuedReplot);
}

void Dashboard::setXAxisWallTime(bool wallTime) {
  wallTime_ = wallTime;
  for (auto* c : charts_) {
    c->xAxis->setLabel(wallTime ? tr("wall time (min)") : tr("step"));
    setStepTicks(c->xAxis, !wallTime);
  }
  for (auto it = runs_.begin(); it != runs_.end(); ++it) redrawRun(it.key());
  rescaleAll();
}

void Dashboard::rebuildGraphs() {
  for (auto* c : charts_) {
    c->clearGraphs();
    c->clearItems();
  }
  int runIndex = 0;
  for (auto it = runs_.begin(); it != runs_.end(); ++it, ++runIndex) {
    const QColor base(palette_color(it->color));
    for (int ci = 0; ci < specs_.size(); ++ci) {
      auto* plot = charts_[ci];
      const auto& spec = specs_[ci];
      if (spec.byOutcome) {
        addOutcomeLines(plot, spec, it.key(), runIndex);
        continue;
      }
      for (int mi = 0; mi < spec.metrics.size(); ++mi) {
        QColor color = mi == 0 ? base : base.darker(160);
        // Band first (behind): two graphs, the upper filled down to the lower.
        if (mi == 0 && (!spec.bandStd.isEmpty() || !spec.bandLow.isEmpty())) {
          auto* band = new BandPlottable(plot->xAxis, plot->yAxis);
          QColor fill = color;
          fill.setAlpha(40);
          band->setBrush(fill);
          band->setProperty("run", it.key());
          band->setSelectable(QCP::stNone);
        }
        auto* raw = plot->addGraph();
        QColor faint = color;
        faint.setAlpha(60);
        raw->setPen(QPen(faint, 1));
        raw->setAntialiased(false);
        raw->setProperty("role", "raw");
        auto* smooth = plot->addGraph();
        smooth->setPen(QPen(color, 1, mi == 0 ? Qt::SolidLine : mi == 1 ? Qt::DashLine : Qt::DashDotLine));
        smooth->setProperty("role", "smooth");
        smooth->setName(spec.metrics[mi]);
        for (auto* g : {raw, smooth}) {
          g->setProperty("run", it.key());
          g->setProperty("metric", spec.metrics[mi]);
          g->setSelectable(QCP::stSingleData);
        }
      }
    }
  }
  for (auto it = runs_.begin(); it != runs_.end(); ++it) redrawRun(it.key());
  for (auto* c : charts_) c->replot(QCustomPlot::rpQueuedReplot);
}

void Dashboard::redrawRun(qint64 runId, bool smoothedOnly) {
  const RunData& run = runs_[runId];
  std::map<QString, std::vector<double>> smoothed;  // each series smoothed once per redraw
  auto smoothedOf = [&](const QString& metric) -> const std::vector<double>& {
    auto it = smoothed.find(metric);
    if (it != smoothed.end()) return it->second;
    const QVector<double> v = run.series.value(metric).values;  // (shared, not copied)
    return smoothed.emplace(metric, debiased_ema(std::vector<double>(v.begin(), v.end()), smoothing_)).first->second;
  };
  for (int ci = 0; ci < specs_.size(); ++ci) {
    const auto& spec = specs_[ci];
    auto* plot = charts_[ci];
    for (int pi = 0; pi < plot->plottableCount(); ++pi) {
      QCPAbstractPlottable* p = plot->plottable(pi);
      if (p->property("run").toLongLong() != runId) continue;
      if (auto* band = qobject_cast<BandPlottable*>(p)) {
        setBand(band, run, spec);
        continue;
      }
      auto* g = qobject_cast<QCPGraph*>(p);
      if (!g || (smoothedOnly && g->property("role") == "raw")) continue;
      const QString metric = g->property("metric").toString();
      const Series s = run.series.value(metric);
      if (g->property("role") == "smooth")
        setStrided(g, xOf(s), smoothedOf(metric));
      else
        setDecimated(g, xOf(s), std::vector<double>(s.values.begin(), s.values.end()));
    }
  }
  if (!smoothedOnly) {
    const auto onset = ahaOnset(runId), collapse = entropyCollapse(runId);
    markRunStep("aha_rate", runId, onset, onset ? tr(" onset %1").arg(*onset) : QString());
    markRunStep("lens/entropy_mean", runId, collapse, collapse ? tr(" collapse %1").arg(*collapse) : QString());
  }
}

// Drawing time grows with the vertices drawn (measured with bench_dashboard), so each
// kind of line gets only the points it needs to look the same:
// - raw series: the lowest and highest point per 4-pixel bucket, so every spike shows;
// - smoothed lines: a point every 2 pixels (TensorBoard too draws a sample of a long
//   series; the raw line beneath keeps the extremes);
// - band edges: a point every 5 pixels (a faint fill).
void Dashboard::setDecimated(QCPGraph* g, const QVector<double>& x, const std::vector<double>& y) {
  const size_t n = std::min<size_t>(x.size(), y.size());
  const size_t columns = std::max(200, g->keyAxis()->axisRect()->width());
  const auto keep = minmax_decimation(std::vector<double>(y.begin(), y.begin() + n), columns / 4);
  QVector<double> kx, ky;
  kx.reserve(keep.size());
  ky.reserve(keep.size());
  for (size_t i : keep) kx << x[i], ky << y[i];
  g->setData(kx, ky, true);
}

void Dashboard::setBand(BandPlottable* band, const RunData& run, const ChartSpec& spec) {
  // Edges smoothed like the line they surround.
  const Series s = run.series.value(spec.metrics[0]);
  std::vector<double> low, high;
  if (!spec.bandStd.isEmpty()) {
    const Series sd = run.series.value(spec.bandStd);
    const int n = std::min(s.values.size(), sd.values.size());
    for (int i = 0; i < n; ++i) low.push_back(s.values[i] - sd.values[i]), high.push_back(s.values[i] + sd.values[i]);
  } else {
    const auto lo = run.series.value(spec.bandLow).values, hi = run.series.value(spec.bandHigh).values;
    low.assign(lo.begin(), lo.end());
    high.assign(hi.begin(), hi.end());
  }
  low = debiased_ema(low, smoothing_);
  high = debiased_ema(high, smoothing_);
  const QVector<double> x = xOf(s);
  const size_t n = std::min({size_t(x.size()), low.size(), high.size()});
  const auto keep = stride_decimation(n, std::max(50, band->keyAxis()->axisRect()->width() / 5));
  QVector<double> kx, klow, khigh;
  for (size_t i : keep) kx << x[i], klow << low[i], khigh << high[i];
  band->setData(kx, klow, khigh);
}

void Dashboard::addOutcomeLines(QCustomPlot* plot, const ChartSpec& spec, qint64 runId, int runIndex) {
  static const Qt::PenStyle styles[] = {Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine, Qt::DashDotDotLine};
  const Qt::PenStyle style = styles[runIndex % 5];
  for (int mi = 0; mi < spec.metrics.size(); ++mi) {
    const QColor color(spec.layerColors.value(mi, "#999999"));
    auto* raw = plot->addGraph();
    QColor faint = color;
    faint.setAlpha(50);
    raw->setPen(QPen(faint, 1, style));
    raw->setAntialiased(false);
    raw->setProperty("role", "raw");
    raw->removeFromLegend();
    auto* smooth = plot->addGraph();
    smooth->setPen(QPen(color, 1.5, style));
    smooth->setProperty("role", "smooth");
    smooth->setName(spec.layerNames.value(mi, spec.metrics[mi]));
    if (runIndex > 0) smooth->removeFromLegend();
    for (auto* g : {raw, smooth}) {
      g->setProperty("run", runId);
      g->setProperty("metric", spec.metrics[mi]);
      g->setSelectable(QCP::stSingleData);
    }
  }
  // The legend on one line under the title, where it covers no data.
  if (plot->legend->layout() != plot->plotLayout()) {
    plot->axisRect()->insetLayout()->take(plot->legend);
    plot->plotLayout()->insertRow(1);
    plot->plotLayout()->addElement(1, 0, plot->legend);
    plot->plotLayout()->setRowStretchFactor(1, 0.001);
    plot->legend->setFillOrder(QCPLegend::foColumnsFirst);
  }
  plot->legend->setVisible(true);
  plot->legend->setFont(QFont(font().family(), 7));
  plot->legend->setBorderPen(Qt::NoPen);
  plot->legend->setIconSize(10, 6);
  plot->legend->setColumnSpacing(4);
  plot->legend->setMargins(QMargins(0, 0, 0, 0));
}

void Dashboard::setStrided(QCPGraph* g, const QVector<double>& x, const std::vector<double>& y) {
  const size_t n = std::min<size_t>(x.size(), y.size());
  const auto keep = stride_decimation(n, std::max(100, g->keyAxis()->axisRect()->width() / 2));
  QVector<double> kx, ky;
  kx.reserve(keep.size());
  ky.reserve(keep.size());
  for (size_t i : keep) kx << x[i], ky << y[i];
  g->setData(kx, ky, true);
}

int Dashboard::indexAt(const Series& s, double key) const {
  const QVector<double> x = xOf(s);
  return static_cast<int>(std::lower_bound(x.begin(), x.end(), key) - x.begin());
}

void Dashboard::markRunStep(const QString& metric, qint64 runId, std::optional<qint64> step, const QString& text) {
  auto* plot = chartOf(metric);
  if (!plot) return;
  for (int i = plot->itemCount() - 1; i >= 0; --i)
    if (plot->item(i)->property("run").toLongLong() == runId) plot->removeItem(i);
  if (!step) return;
  const Series s = runs_[runId].series.value(metric);
  const int at = static_cast<int>(std::find(s.steps.begin(), s.steps.end(), double(*step)) - s.steps.begin());
  const double x = xOf(s).value(at);
  const QColor color(palette_color(runs_[runId].color));
  auto* line = new QCPItemStraightLine(plot);
  line->setProperty("run", runId);
  line->point1->setCoords(x, 0);
  line->point2->setCoords(x, 1);
  line->setPen(QPen(color, 1, Qt::DotLine));
  auto* label = new QCPItemText(plot);
  label->setProperty("run", runId);
  label->position->setTypeY(QCPItemPosition::ptAbsolute);  // pixels: see stackOnsetLabels
  label->position->setCoords(x, 0);
  label->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
  label->setText(text);
  label->setColor(color);
}

void Dashboard::stackOnsetLabels(QCustomPlot* plot) {
  // Runs' onsets at nearby steps: each run's label on a line of its own from the top of the
  // axis rect, a text line apart whatever the chart's height (in runs' order).
  std::vector<QCPItemText*> labels;
  for (int i = 0; i < plot->itemCount(); ++i)
    if (auto* text = qobject_cast<QCPItemText*>(plot->item(i))) labels.push_back(text);
  std::sort(labels.begin(), labels.end(),
            [](auto* a, auto* b) { return a->property("run").toLongLong() < b->property("run").toLongLong(); });
  double y = plot->axisRect()->top() + 2;
  for (auto* label : labels) {
    label->position->setCoords(label->position->coords().x(), y);
    y += QFontMetricsF(label->font()).height() + 2;
  }
}

std::optional<Dashboard::PointHit> Dashboard::pointAt(QCustomPlot* plot, const QPoint& pos) const {
  // The stored (raw) point in the column under the cursor (within a few pixels of its x),
  // the nearest one when runs or metrics share the column.
  constexpr int kColumn = 12;  // pixels
  // (points on the plot's edge are drawn half outside it: a margin keeps them in reach)
  if (!plot->axisRect()->rect().adjusted(-kColumn, -kColumn, kColumn, kColumn).contains(pos)) return std::nullopt;
  double best = std::numeric_limits<double>::infinity();
  std::optional<PointHit> hit;
  const double x = plot->xAxis->pixelToCoord(pos.x());
  for (int gi = 0; gi < plot->graphCount(); ++gi) {
    QCPGraph* g = plot->graph(gi);
    if (g->property("role").toString() != "raw" || g->data()->isEmpty()) continue;
    auto it = g->data()->findBegin(x, false);  // first point at or after x
    for (auto c : {it, it == g->data()->constBegin() ? it : it - 1}) {
      if (c == g->data()->constEnd()) continue;
      const double dx = std::abs(plot->xAxis->coordToPixel(c->key) - pos.x());
      const double dy = std::abs(plot->yAxis->coordToPixel(c->value) - pos.y());
      if (dx > kColumn || dx * 1000 + dy >= best) continue;
      best = dx * 1000 + dy;
      const qint64 run = g->property("run").toLongLong();
      const QString metric = g->property("metric").toString();
      const auto& s = runs_[run].series.value(metric);
      const int i = std::min<int>(indexAt(s, c->key), static_cast<int>(s.values.size()) - 1);
      hit = PointHit{run, qint64(s.steps.value(i)), metric, s.values.value(i), i};
    }
  }
  return hit;
}

QString Dashboard::hoverText(QCustomPlot* plot, const QPoint& pos) const {
  const auto hit = pointAt(plot, pos);
  if (!hit) return {};
  // Every line of the chart at that step, as W&B shows them: run, metric, value, smoothed;
  // the one under the cursor first.
  auto line = [&](qint64 run, const QString& metric, bool nearest) -> QString {
    const auto& s = runs_[run].series.value(metric);
    const int i = static_cast<int>(std::lower_bound(s.steps.begin(), s.steps.end(), double(hit->step)) - s.steps.begin());
    if (i >= s.steps.size() || s.steps[i] != double(hit->step)) return {};
    const auto smooth = debiased_ema(std::vector<double>(s.values.begin(), s.values.begin() + i + 1), smoothing_);
    const QString text = tr("%1 \u00B7 %2: %3 (smoothed %4)")
                             .arg(runs_[run].name.toHtmlEscaped(),
                                  QString::fromStdString(metric_display(metric.toStdString()).label).toHtmlEscaped())
                             .arg(s.values[i], 0, 'g', 6)
                             .arg(smooth.back(), 0, 'g', 6);
    return nearest ? "<b>" + text + "</b>" : text;
  };
  QStringList lines = {tr("step %1").arg(hit->step), line(hit->run, hit->metric, true)};
  for (int gi = 0; gi < plot->graphCount(); ++gi) {
    const QCPGraph* g = plot->graph(gi);
    if (g->property("role").toString() != "raw") continue;
    const qint64 run = g->property("run").toLongLong();
    const QString metric = g->property("metric").toString();
    if (run == hit->run && metric == hit->metric) continue;
    if (const QString other = line(run, metric, false); !other.isEmpty()) lines << other;
  }
  lines << tr("<i>click: the traces of %1 at step %2</i>").arg(runs_[hit->run].name.toHtmlEscaped()).arg(hit->step);
  return lines.join("<br>");
}

void Dashboard::showHover(QCustomPlot* plot, const QPoint& pos) {
  const QString text = hoverText(plot, pos);
  if (text.isEmpty()) QToolTip::hideText();
  else QToolTip::showText(plot->mapToGlobal(pos), text, plot);
}

QCustomPlot* Dashboard::chartOf(const QString& metric) const {
  for (int i = 0; i < specs_.size(); ++i)
    if (specs_[i].metrics.contains(metric)) return charts_[i];
  return nullptr;
}

std::optional<qint64> Dashboard::ahaOnset(qint64 runId) const {
  auto it = runs_.find(runId);
  if (it == runs_.end()) return std::nullopt;
  const Series s = it->series.value("aha_rate");
  std::vector<std::pair<int64_t, double>> rate;
  for (int i = 0; i < s.steps.size(); ++i) rate.emplace_back(int64_t(s.steps[i]), s.values[i]);
  const auto onset = aha_onset_step(rate);
  return onset ? std::optional<qint64>(*onset) : std::nullopt;
}

std::optional<qint64> Dashboard::entropyCollapse(qint64 runId) const {
  auto it = runs_.find(runId);
  if (it == runs_.end()) return std::nullopt;
  const Series fork = it->series.value("lens/fork_entropy"), reward = it->series.value("reward");
  std::vector<double> f, r;
  std::vector<qint64> steps;
  for (int i = 0, j = 0; i < fork.steps.size(); ++i) {  // the steps that have both
    while (j < reward.steps.size() && reward.steps[j] < fork.steps[i]) ++j;
    if (j < reward.steps.size() && reward.steps[j] == fork.steps[i])
      f.push_back(fork.values[i]), r.push_back(reward.values[j]), steps.push_back(qint64(fork.steps[i]));
  }
  const auto at = collapse_warning(f, r);
  return at ? std::optional<qint64>(steps[*at]) : std::nullopt;
}

int Dashboard::columnsFor(QSize area, int charts) {
  // The column count whose charts are largest, counting a chart wider than 1.6 times its
  // height as no bigger than that: 4 columns at 1280x800 and 1920x1080, 3 on a tall one.
  int best = 3;
  double best_size = 0;
  for (int cols = 2; cols <= 5; ++cols) {
    const int rows = (charts + cols - 1) / cols;
    const double size = std::min(double(area.width()) / cols, 1.6 * area.height() / rows);
    if (size > best_size) best_size = size, best = cols;
  }
  return best;
}

void Dashboard::placeCharts(int cols) {
  if (cols == columns_) return;
  columns_ = cols;
  for (auto* plot : charts_) grid_->removeWidget(plot);
  for (int i = 0; i < charts_.size(); ++i) grid_->addWidget(charts_[i], i / cols, i % cols);
}

void Dashboard::resizeEvent(QResizeEvent* e) {
  QWidget::resizeEvent(e);
  placeCharts(columnsFor(e->size(), charts_.size()));
}

}  // namespace aha::ui
