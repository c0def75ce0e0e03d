#include "ui/charts/figure.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QFontMetricsF>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPdfWriter>
#include <QRegularExpression>
#include <QSvgGenerator>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <stdexcept>

#include "core/run/metric_display.h"
#include "core/run/run_config.h"
#include "core/run/sweep.h"
#include "core/support/toml_edit.h"
#include "core/support/version.h"
#include "db/run_reader.h"
#include "ui/charts/dashboard.h"
#include "ui/charts/series_math.h"
#include "ui/charts/step_ticker.h"

namespace aha::ui {
namespace {

struct Line {
  QString label;
  int color = 0;
  QVector<double> x, y, low, high;  // low/high: band edges, empty when none
};

const FigurePreset& presetOf(const QString& name) {
  for (const auto& p : figurePresets())
    if (p.name == name) return p;
  QStringList known;
  for (const auto& p : figurePresets()) known << p.name;
  throw std::invalid_argument("unknown figure preset '" + name.toStdString() + "' (known: " +
                              known.join(", ").toStdString() + ")");
}

// The dashboard's spec for a metric: its title, unit and band series.
// A panel of one metric (or of a chart's key, aha_quality), named and with the unit the
// metric table gives (core/run/metric_display.h), not as the dashboard's title says it.
ChartSpec specOf(const QString& metric) {
  const auto shown = metric_display(metric.toStdString());
  ChartSpec out{QString::fromStdString(shown.label), QString::fromStdString(shown.unit), {metric}, {}, {}, {}};
  for (const auto& s : Dashboard::defaultCharts())
    if (!s.key.isEmpty() && s.key == metric) {
      ChartSpec chart = s;
      chart.title = out.title, chart.unit = out.unit;
      return chart;
    }
  return out;
}

// What a figure's band means: the spread across seeds or across a group's runs; a single
// run's per-sample spread is the dashboard's, not a figure's.
QString bandMeaning(const FigureOptions& o) {
  if (!o.bands) return "none";
  if (!o.groupBy.isEmpty()) return "+-1 std across the runs of each " + o.groupBy;
  if (o.aggregateSeeds) return "+-1 std across seeds";
  return "none (single runs)";
}

QVector<double> smoothed(const QVector<double>& v, double w) {
  const auto s = debiased_ema(std::vector<double>(v.begin(), v.end()), w);
  return {s.begin(), s.end()};
}

// Runs grouped by their config without name and seed: the seeds of one experiment. A
// sweep's members by their grid values without the seed.
QString experimentKey(const db::RunSummary& r) {
  if (!r.sweep.empty()) {
    auto values = QJsonDocument::fromJson(QByteArray::fromStdString(r.sweep_values)).object();
    values.remove("seed");
    return QString::fromStdString(r.sweep) + QJsonDocument(values).toJson(QJsonDocument::Compact);
  }
  QString toml = QString::fromStdString(r.config_toml);
  toml.remove(QRegularExpression("^(name|seed) = [^\\n]*\\n?", QRegularExpression::MultilineOption));
  return toml;
}

// The run's value of a key: its sweep values first, then its config.
QString valueOf(const db::RunSummary& r, const QString& key) {
  const auto v = sweep_value(r.sweep_values, key.toStdString());
  return QString::fromStdString(v.empty() ? toml_value_text(r.config_toml, key.toStdString()) : v);
}

std::vector<db::RunSummary> selectedRuns(db::RunReader& reader, const FigureRequest& r) {
  std::vector<db::RunSummary> out;
  for (const auto& name : r.runs) out.push_back(reader.require_run(name.toStdString()));
  if (r.runs.isEmpty())
    for (auto& run : reader.runs())
      if (r.sweep.isEmpty() || run.sweep == r.sweep.toStdString()) out.push_back(std::move(run));
  if (out.empty() && !r.sweep.isEmpty())
    throw std::invalid_argument("no run of sweep '" + r.sweep.toStdString() + "' in the database");
  return out;
}

// The range a metric's values can take, where it is known: shares are 0..1, a total
// reward lies between the sums of the negative and of the positive reward weights.
std::optional<std::pair<double, double>> possibleRange(const ChartSpec& spec, const db::RunSummary& run) {
  if (spec.unit.startsWith("fraction")) return std::make_pair(0.0, 1.0);
  if (spec.metrics.value(0) != "reward" || run.config_toml.empty()) return std::nullopt;
  try {
    const auto c = RunConfig::from_toml(run.config_toml, "run '" + run.name + "'");
    double lo = 0;
    for (const double w : c.reward_weights) lo += std::min(w, 0.0);  // each reward is 0..1
    return std::make_pair(lo, c.max_total_reward());
  } catch (const std::exception&) {
    return std::nullopt;  // an imported run's config may hold what this build does not know
  }
}

// One chart's lines: a run each, or a seed group's mean with a +-std band.
std::vector<Line> linesFor(db::RunReader& reader, const std::vector<db::RunSummary>& runs, const ChartSpec& spec,
                           const FigureOptions& o) {
  std::vector<std::vector<db::RunSummary>> groups;
  std::vector<QString> keys;
  for (const auto& r : runs) {
    const QString key = !o.groupBy.isEmpty() ? o.groupBy + " = " + valueOf(r, o.groupBy)
                        : o.aggregateSeeds   ? experimentKey(r)
                                             : QString::number(r.id);
    auto it = std::find(keys.begin(), keys.end(), key);
    if (it == keys.end()) {
      keys.push_back(key);
      groups.push_back({r});
    } else {
      groups[it - keys.begin()].push_back(r);
    }
  }
  std::vector<Line> lines;
  for (size_t gi = 0; gi < groups.size(); ++gi) {
    const auto& group = groups[gi];
    Line line;
    line.color = static_cast<int>(gi);
    line.label = o.groupBy.isEmpty() ? QString::fromStdString(group[0].name) : keys[gi];
    const std::string metric = spec.metrics[0].toStdString();
    if (group.size() > 1) {
      // Steps every seed reached: mean and standard deviation across seeds.
      std::map<int64_t, std::vector<double>> at;
      std::map<int64_t, double> wall;
      for (const auto& r : group)
        for (const auto& p : reader.metric_series(r.id, metric)) {
          at[p.step].push_back(p.value);
          if (!wall.count(p.step)) wall[p.step] = p.wall_time;
        }
      line.label += o.groupBy.isEmpty() ? QString(" (%1 seeds)").arg(group.size()) : QString(" (%1 runs)").arg(group.size());
      const double t0 = wall.empty() ? 0 : wall.begin()->second;
      for (const auto& [step, values] : at) {
        if (values.size() != group.size()) continue;
        double mean = 0, var = 0;
        for (double v : values) mean += v;
        mean /= values.size();
        for (double v : values) var += (v - mean) * (v - mean);
        const double sd = std::sqrt(var / values.size());
        line.x << (o.wallTime ? (wall[step] - t0) / 60.0 : double(step));
        line.y << mean;
        line.low << mean - sd;
        line.high << mean + sd;
      }
    } else {
      const auto points = reader.metric_series(group[0].id, metric);
      const double t0 = points.empty() ? 0 : points.front().wall_time;
      for (const auto& p : points) {
        line.x << (o.wallTime ? (p.wall_time - t0) / 60.0 : double(p.step));
        line.y << p.value;
      }
    }
    if (line.low.size() != line.y.size() || line.high.size() != line.y.size()) line.low.clear(), line.high.clear();
    // A band stays inside what the metric can be: a std band of rewards that top out at
    // 1.1 does not rise to 1.25.
    if (const auto range = possibleRange(spec, group[0]))
      for (int i = 0; i < line.low.size(); ++i) {
        line.low[i] = std::clamp(line.low[i], range->first, range->second);
        line.high[i] = std::clamp(line.high[i], range->first, range->second);
      }
    lines.push_back(std::move(line));
  }
  return lines;
}

// A by-outcome chart (the aha quality): each outcome a line in its colour, each run in a
// line style of its own (solid, dashed, dotted, ...) named in the legend; y from 0.
void drawOutcomeLines(QCustomPlot* plot, QCPAxis* x, QCPAxis* y, db::RunReader& reader,
                      const std::vector<db::RunSummary>& runs, const ChartSpec& spec, const FigureOptions& o) {
  static const Qt::PenStyle styles[] = {Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine, Qt::DashDotDotLine};
  static const char* styleNames[] = {"solid", "dashed", "dotted", "dash-dot", "dash-dot-dot"};
  for (size_t ri = 0; ri < runs.size(); ++ri) {
    const Qt::PenStyle style = styles[ri % 5];
    for (int mi = 0; mi < spec.metrics.size(); ++mi) {
      QVector<double> v, xs;
      const auto points = reader.metric_series(runs[ri].id, spec.metrics[mi].toStdString());
      const double t0 = points.empty() ? 0 : points.front().wall_time;
      for (const auto& p : points) {
        v << p.value;
        xs << (o.wallTime ? (p.wall_time - t0) / 60.0 : double(p.step));
      }
      v = smoothed(v, o.smoothing);
      auto* line = plot->addGraph(x, y);
      line->setPen(QPen(QColor(spec.layerColors.value(mi, "#999999")), 1.0, style));
      line->setData(xs, v, true);
      line->setName(spec.layerNames.value(mi, spec.metrics[mi]));
      if (ri > 0) line->removeFromLegend();
    }
    if (runs.size() > 1) {  // the run's style in the legend, drawn in grey
      auto* key = plot->addGraph(x, y);
      key->setPen(QPen(Qt::darkGray, 1.0, style));
      key->setName(QString("%1 (%2)").arg(QString::fromStdString(runs[ri].name), styleNames[ri % 5]));
    }
  }
  y->setProperty("fromZero", true);  // kept when the figure's axes are scaled to the data
}

Qt::Alignment legendAlignment(const QString& where) {
  if (where == "top-right") return Qt::AlignTop | Qt::AlignRight;
  if (where == "bottom-left") return Qt::AlignBottom | Qt::AlignLeft;
  if (where == "bottom-right") return Qt::AlignBottom | Qt::AlignRight;
  if (where == "top-left" || where == "none" || where == "above") return Qt::AlignTop | Qt::AlignLeft;
  throw std::invalid_argument("unknown legend position '" + where.toStdString() +
                              "' (use above, top-left, top-right, bottom-left, bottom-right or none)");
}

}  // namespace

const QVector<FigurePreset>& figurePresets() {
  // Heights are whole points (1/72 in) so a PNG's pixels are exactly inches x DPI.
  static const QVector<FigurePreset> presets = {
      {"single-column", 3.5, 2.5, 8},
      {"double-column", 7.0, 2.5, 9},
      {"slide", 10.0, 5.625, 16},
  };
  return presets;
}

int figureColumns(const FigureRequest& r) {
  // Side by side while each panel keeps 1.7 in: a single column (3.5 in) holds two, a
  // double column four; more metrics go to further rows, and a last row with fewer panels
  // shares the whole width among them (buildFigure), so no cell is empty. One row of all of
  // them instead where each still keeps 1.4 in (five in a double column, not 4 + 1).
  if (r.options.columns > 0) return r.options.columns;
  const double width = r.options.widthIn > 0 ? r.options.widthIn : presetOf(r.options.preset).widthIn;
  const int n = std::max<int>(1, static_cast<int>(r.metrics.size()));
  const int preferred = std::clamp(static_cast<int>(width / 1.7), 1, n);
  return width / n >= 1.4 ? n : preferred;
}

QSizeF figureSizeInches(const FigureRequest& r) {
  const auto& p = presetOf(r.options.preset);
  const int n = std::max<int>(1, static_cast<int>(r.metrics.size()));
  const int cols = figureColumns(r);
  const int rows = (n + cols - 1) / cols;
  return {r.options.widthIn > 0 ? r.options.widthIn : p.widthIn,
          (r.options.heightIn > 0 ? r.options.heightIn : p.heightIn) * rows};
}

void buildFigure(QCustomPlot* plot, db::RunReader& reader, const FigureRequest& r) {
  const auto& o = r.options;
  const auto& preset = presetOf(o.preset);
  const Qt::Alignment legendAt = legendAlignment(o.legend);
  if (r.metrics.isEmpty()) throw std::invalid_argument("no metric to draw (give at least one)");
  const auto runs = selectedRuns(reader, r);
  // Sizes in points: the plot's logical unit is one point, so fonts are set in pixels.
  QFont font(o.fontFamily);
  font.setPixelSize(o.fontPt > 0 ? o.fontPt : preset.fontPt);
  QFont small = font;
  small.setPixelSize(std::max(5, font.pixelSize() - 1));
  plot->setBackground(Qt::white);
  const int cols = figureColumns(r);
  // The panels in a grid of their own, so that a legend above them can span the figure;
  // each row a grid of its own, so that a last row with fewer panels fills the width.
  auto* panels = new QCPLayoutGrid;
  QCPAxisRect* first = plot->axisRect();
  plot->plotLayout()->take(first);
  plot->plotLayout()->simplify();
  plot->plotLayout()->addElement(0, 0, panels);
  const double rowPt = figureSizeInches(r).height() * 72.0 / ((r.metrics.size() + cols - 1) / cols);
  for (int i = 0; i < r.metrics.size(); ++i) {
    QCPAxisRect* rect = i == 0 ? first : new QCPAxisRect(plot);
    if (i % cols == 0) panels->addElement(i / cols, 0, new QCPLayoutGrid);
    static_cast<QCPLayoutGrid*>(panels->element(i / cols, 0))->addElement(0, i % cols, rect);
    const ChartSpec spec = specOf(r.metrics[i]);
    auto* x = rect->axis(QCPAxis::atBottom);
    auto* y = rect->axis(QCPAxis::atLeft);
    x->setLabel(o.wallTime ? QObject::tr("wall time (min)") : QObject::tr("step"));
    setStepTicks(x, !o.wallTime);
    // The metric's name with its unit while the label fits the panel's height (an axis
    // label is never cut).
    const QString name = spec.title;
    const QString full = spec.unit.isEmpty() ? name : name + " (" + spec.unit + ")";
    y->setLabel(full);  // (without its unit when the panel's height cannot hold it: below)
    y->setProperty("shortLabel", name);
    for (auto* axis : {x, y}) {
      axis->setLabelFont(font);
      axis->setTickLabelFont(small);
      axis->setBasePen(QPen(Qt::black, 0.6));
      axis->setTickPen(QPen(Qt::black, 0.6));
      axis->setSubTickPen(QPen(Qt::black, 0.4));
      axis->grid()->setPen(QPen(QColor(225, 225, 225), 0.4));
      axis->setLabelPadding(2);
    }
    if (spec.byOutcome) {
      drawOutcomeLines(plot, x, y, reader, runs, spec, o);
      rect->setupFullAxesBox(true);
      continue;
    }
    for (const auto& line : linesFor(reader, runs, spec, o)) {
      const QColor color(palette_color(line.color));
      if (o.bands && !line.low.isEmpty()) {
        auto* low = plot->addGraph(x, y);
        auto* high = plot->addGraph(x, y);
        low->setData(line.x, smoothed(line.low, o.smoothing), true);
        high->setData(line.x, smoothed(line.high, o.smoothing), true);
        QColor fill = color;
        fill.setAlpha(50);
        low->setPen(Qt::NoPen);
        high->setPen(Qt::NoPen);
        high->setBrush(fill);
        high->setChannelFillGraph(low);
        low->removeFromLegend();
        high->removeFromLegend();
      }
      if (o.showRaw && o.smoothing > 0) {
        auto* raw = plot->addGraph(x, y);
        QColor faint = color;
        faint.setAlpha(70);
        raw->setPen(QPen(faint, 0.6));
        raw->setData(line.x, line.y, true);
        raw->removeFromLegend();
      }
      auto* main = plot->addGraph(x, y);
      main->setPen(QPen(color, 1.2));
      main->setData(line.x, smoothed(line.y, o.smoothing), true);
      main->setName(line.label);
      if (i > 0) main->removeFromLegend();
    }
    rect->setupFullAxesBox(true);
    rect->axis(QCPAxis::atTop)->setBasePen(QPen(Qt::black, 0.6));
    rect->axis(QCPAxis::atRight)->setBasePen(QPen(Qt::black, 0.6));
  }
  plot->rescaleAxes();
  // As many steps on the x axis as their labels leave room for: a narrow panel of a long
  // run would print "2000 4000 6000" into each other. The panel's width follows from the
  // figure's size; the y axis's labels take about five characters of it.
  const double panelPt = figureSizeInches(r).width() * 72.0 / cols - 5.0 * small.pixelSize();
  const QFontMetricsF metrics(small);
  for (auto* rect : plot->axisRects()) {
    auto* y = rect->axis(QCPAxis::atLeft);
    const QCPRange range = y->range();
    const double pad = std::max(range.size() * 0.05, std::max(1e-3, std::abs(range.center()) * 0.05));
    y->setRange(y->property("fromZero").toBool() ? 0.0 : range.lower - pad, range.upper + pad);
    auto* x = rect->axis(QCPAxis::atBottom);
    const double label = std::max(metrics.horizontalAdvance(QString::number(x->range().lower, 'g', 6)),
                                  metrics.horizontalAdvance(QString::number(x->range().upper, 'g', 6))) +
                         2.0 * small.pixelSize();
    x->ticker()->setTickCount(std::clamp(static_cast<int>(panelPt / label), 2, 5));
  }
  plot->legend->setVisible(o.legend != "none");
  plot->legend->setFont(small);
  plot->legend->setRowSpacing(0);
  plot->legend->setIconSize(12, 6);
  plot->legend->setMargins(QMargins(4, 2, 4, 2));
  if (o.legend == "above") {
    // A row of its own above the panels: it covers no data.
    plot->axisRect()->insetLayout()->take(plot->legend);
    plot->plotLayout()->insertRow(0);
    plot->plotLayout()->addElement(0, 0, plot->legend);
    plot->plotLayout()->setRowStretchFactor(0, 0.001);
    plot->legend->setColumnSpacing(8);
    // As many entries to a row as the figure's width holds (the widest sets the pitch).
    double widest = 0;
    for (int i = 0; i < plot->legend->itemCount(); ++i)
      if (auto* item = qobject_cast<QCPPlottableLegendItem*>(plot->legend->item(i)))
        widest = std::max(widest, metrics.horizontalAdvance(item->plottable()->name()));
    const double pitch = widest + plot->legend->iconSize().width() + plot->legend->iconTextPadding() + 8 + 8;
    plot->legend->setWrap(std::max(1, int(figureSizeInches(r).width() * 72.0 / pitch)));
    plot->legend->setFillOrder(QCPLegend::foColumnsFirst, true);  // (true: the entries so far rearranged)
    plot->legend->setBorderPen(Qt::NoPen);
  } else {
    plot->legend->setBorderPen(QPen(QColor(180, 180, 180), 0.4));
    plot->legend->setBrush(QColor(255, 255, 255, 220));
    plot->axisRect()->insetLayout()->setInsetAlignment(0, legendAt);
  }
  // A y label with its unit where the panel's height holds it (the legend's rows above
  // taken out), else the name alone: an axis label is never cut.
  const double legendPt = o.legend == "above" ? plot->legend->minimumOuterSizeHint().height() : 0.0;
  const double room = rowPt - legendPt / ((r.metrics.size() + cols - 1) / cols) - 4.0 * font.pixelSize();
  for (auto* rect : plot->axisRects()) {
    auto* y = rect->axis(QCPAxis::atLeft);
    if (QFontMetricsF(font).horizontalAdvance(y->label()) > room) y->setLabel(y->property("shortLabel").toString());
  }
}

namespace {

// Whether a written figure is whole: a full disk leaves a PDF or SVG cut short (or empty)
// while the painter still reports success.
bool figure_complete(const QString& file, const QString& ext) {
  QFile f(file);
  if (!f.open(QIODevice::ReadOnly) || f.size() == 0) return false;
  if (ext == "png") return true;  // QImage's writer reports its own failures
  f.seek(std::max<qint64>(0, f.size() - 64));
  const QByteArray tail = f.readAll().trimmed();
  return ext == "pdf" ? tail.endsWith("%%EOF") : tail.endsWith("</svg>");
}

// Moves a finished temporary file onto `path` (replacing what was there).
void put_in_place(const QString& tmp, const QString& path) {
  QFile::remove(path);
  if (!QFile::rename(tmp, path)) {
    QFile::remove(tmp);
    throw std::runtime_error("cannot move the finished figure onto '" + path.toStdString() + "'");
  }
}

}  // namespace

void renderFigure(const FigureRequest& r, const QString& final_path) {
  db::RunReader reader(r.dbPath.toStdString(), db::Access::ReadOnly);
  // Written under a temporary name, checked, then renamed: a failed export never leaves
  // an empty or cut figure under the name asked for, nor replaces a good one.
  const QString path = final_path + ".part";
  {
    // The reason first, from the system ("No such file or directory", "Permission denied"):
    // the painters below only say that they failed.
    QFile probe(path);
    if (!probe.open(QIODevice::WriteOnly))
      throw std::runtime_error("cannot write figure '" + final_path.toStdString() + "': " +
                               probe.errorString().toStdString() + " (folder '" +
                               QFileInfo(final_path).absolutePath().toStdString() +
                               "'); choose a folder you can write to");
    probe.close();
    QFile::remove(path);
  }
  QCustomPlot plot;
  buildFigure(&plot, reader, r);
  const QSizeF in = figureSizeInches(r);
  const int w = static_cast<int>(std::lround(in.width() * 72)), h = static_cast<int>(std::lround(in.height() * 72));
  plot.resize(w, h);
  const QString ext = QFileInfo(final_path).suffix().toLower();
  const QString creator = QString("Aha Studio %1 (%2)").arg(aha::version(), aha::git_revision());
  const QString title = r.metrics.join(", ") + " — " + (r.runs.isEmpty() ? QString("all runs") : r.runs.join(", "));
  // Vector output through a painter of our own: QCustomPlot's savePdf goes through
  // QPrinter, whose print support asks the system's print service (CUPS) for printers.
  auto paintVector = [&](QPaintDevice* device) {
    QCPPainter painter;
    if (!painter.begin(device)) return false;
    painter.setMode(QCPPainter::pmVectorized);
    painter.setMode(QCPPainter::pmNoCaching);
    painter.setMode(QCPPainter::pmNonCosmetic);
    plot.toPainter(&painter, w, h);
    return painter.end();
  };
  bool ok = false;
  if (ext == "pdf") {
    QPdfWriter pdf(path);
    pdf.setResolution(72);  // one device unit per point, as the plot is laid out
    pdf.setPageSize(QPageSize(QSizeF(w, h), QPageSize::Point, QString(), QPageSize::ExactMatch));
    pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
    pdf.setCreator(creator);
    pdf.setTitle(title);
    ok = paintVector(&pdf);
  } else if (ext == "png") {
    ok = plot.savePng(path, w, h, r.options.dpi / 72.0, -1, r.options.dpi);
  } else if (ext == "svg") {
    QSvgGenerator svg;
    svg.setFileName(path);
    svg.setSize(QSize(w, h));
    svg.setViewBox(QRect(0, 0, w, h));
    svg.setResolution(72);
    svg.setTitle(title);
    svg.setDescription(creator);
    ok = paintVector(&svg);
  } else {
    throw std::invalid_argument("unknown figure format '." + ext.toStdString() + "' of '" + final_path.toStdString() +
                                "' (use .pdf, .svg or .png)");
  }
  if (!ok || !figure_complete(path, ext)) {
    QFile::remove(path);
    throw std::runtime_error("cannot write figure '" + final_path.toStdString() +
                             "' (is the disk full or the folder read-only?); nothing was written");
  }

  // The sidecar: what produced the figure, so it can be made again.
  QJsonArray runs;
  for (const auto& run : selectedRuns(reader, r)) {
    // The steps the figure covers: a figure of a run still training says where it stopped.
    qint64 first = -1;
    for (const auto& m : r.metrics)
      if (const auto series = reader.metric_series(run.id, m.toStdString()); !series.empty())
        first = first < 0 ? series.front().step : std::min<qint64>(first, series.front().step);
    runs.append(QJsonObject{{"name", QString::fromStdString(run.name)},
                            {"seed", qint64(run.seed)},
                            {"code_version", QString::fromStdString(run.code_version)},
                            {"status", QString::fromStdString(run.status)},
                            {"steps", QJsonArray{first, qint64(run.last_step)}}});
  }
  const auto& o = r.options;
  QJsonArray axisLabels;  // each panel's y axis, as a reviewer reads it
  for (const auto& m : r.metrics) {
    const ChartSpec spec = specOf(m);
    axisLabels.append(spec.unit.isEmpty() ? spec.title : spec.title + " (" + spec.unit + ")");
  }
  const QJsonObject meta{{"database", QFileInfo(r.dbPath).absoluteFilePath()},
                         {"runs", runs},
                         {"metrics", QJsonArray::fromStringList(r.metrics)},
                         {"preset", o.preset},
                         {"size_inches", QJsonArray{in.width(), in.height()}},
                         {"font", QString("%1 %2 pt").arg(o.fontFamily).arg(o.fontPt > 0 ? o.fontPt : presetOf(o.preset).fontPt)},
                         {"legend", o.legend},
                         {"smoothing", o.smoothing},
                         {"raw_series", o.showRaw},
                         {"bands", o.bands},
                         {"band", bandMeaning(o)},
                         {"axis_labels", axisLabels},
                         {"x_axis", o.wallTime ? "wall time (min)" : "step"},
                         {"aggregate_seeds", o.aggregateSeeds},
                         {"group_by", o.groupBy},
                         {"sweep", r.sweep},
                         {"dpi", ext == "png" ? QJsonValue(o.dpi) : QJsonValue()},
                         {"created_by", creator}};
  // Unbuffered and read back by its size: a buffered write to a full disk can report
  // success and leave an empty file.
  const QByteArray json = QJsonDocument(meta).toJson();
  const QString side_part = final_path + ".json.part";
  {
    QFile side(side_part);
    const bool written = side.open(QIODevice::WriteOnly | QIODevice::Unbuffered) && side.write(json) == json.size() &&
                         side.flush();
    side.close();
    if (!written || QFileInfo(side_part).size() != json.size()) {
      QFile::remove(side_part);
      QFile::remove(path);
      throw std::runtime_error("cannot write '" + (final_path + ".json").toStdString() +
                               "' (is the disk full?); the figure was not written either");
    }
  }
  put_in_place(path, final_path);
  put_in_place(side_part, final_path + ".json");
}

}  // namespace aha::ui
