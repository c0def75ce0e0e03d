#pragma once
// The live dashboard: a grid of QCustomPlot charts of a run's metrics, several runs
// overlaid in the Okabe-Ito palette, raw series faint behind the smoothed ones
// (TensorBoard's debiased EMA), bands for reward +-std and length p10-p90. New steps
// are appended (no reload); a click on a point asks for that run's traces at that step.
#include <QHash>
#include <QMap>
#include <QVector>
#include <QWidget>

#include <memory>
#include <vector>
#include <optional>

class QCustomPlot;
class QGridLayout;
class QLabel;
class QCPGraph;

namespace aha::db {
class RunReader;
}

namespace aha::ui {

struct ChartSpec {
  ChartSpec() = default;
  ChartSpec(QString title, QString unit, QStringList metrics, QString bandLow = {}, QString bandHigh = {},
            QString bandStd = {})
      : title(std::move(title)), unit(std::move(unit)), metrics(std::move(metrics)), bandLow(std::move(bandLow)),
        bandHigh(std::move(bandHigh)), bandStd(std::move(bandStd)) {}
  QString title, unit;
  QStringList metrics;   // drawn as lines
  QString bandLow, bandHigh;  // optional band around metrics[0] (absolute series)
  QString bandStd;            // optional +-std band around metrics[0]
  // By outcome: each metric a line in its own colour (layerColors) and legend name
  // (layerNames), e.g. the outcomes of reflection; runs told apart by the line's style.
  bool byOutcome = false;
  QStringList layerColors, layerNames;
  QString key;  // how figures name a chart that is more than one metric ("aha_quality")
};

// The aha quality (docs/REFLECTION.md): per completion, the share with a reflection that
// fixed, confirmed, missed, broke a value, or was a ritual; one line each, y from 0.
ChartSpec ahaQualityChart();

class Dashboard : public QWidget {
  Q_OBJECT
 public:
  explicit Dashboard(QWidget* parent = nullptr);
  ~Dashboard() override;

  static QVector<ChartSpec> defaultCharts();

  // Which database to read; clears everything shown.
  void setReader(std::shared_ptr<db::RunReader> reader);
  void setRunVisible(qint64 runId, bool visible, int colorIndex);
  // Reads the steps of visible runs that are not on screen yet and appends them.
  void refresh();
  void setSmoothing(double weight);  // 0 .. 0.99
  void setXAxisWallTime(bool wallTime);
  double smoothing() const { return smoothing_; }
  const QVector<QCustomPlot*>& charts() const { return charts_; }
  // Points on screen for a run's metric (for tests and export).
  QVector<double> values(qint64 runId, const QString& metric) const;
  // The run's aha onset step (core/aha_onset.h's rule), marked on the aha chart.
  std::optional<qint64> ahaOnset(qint64 runId) const;
  // The step of the run's entropy-collapse warning (core/analysis/entropy_fit.h: forking
  // tokens' entropy below half its start while reward still rises), marked on the token
  // entropy chart.
  std::optional<qint64> entropyCollapse(qint64 runId) const;
  QCustomPlot* chartOf(const QString& metric) const;
  // The stored point under the cursor: in the column of `pos` (a few pixels either side),
  // the nearest to it. What a click opens in the trace browser.
  struct PointHit {
    qint64 run = 0, step = 0;
    QString metric;
    double value = 0;
    int index = 0;  // into the run's series
  };
  std::optional<PointHit> pointAt(QCustomPlot* plot, const QPoint& pos) const;
  // The tooltip for that point: run, metric, step, raw and smoothed value ("" for none).
  QString hoverText(QCustomPlot* plot, const QPoint& pos) const;

 signals:
  void pointClicked(qint64 runId, qint64 step);
  // "Export this chart..." from a chart's context menu.
  void exportRequested(const QStringList& metrics);

 private:
  struct Series {
    QVector<double> steps, values, wall;
  };
  struct RunData {
    int color = 0;
    QString name;
    QHash<QString, Series> series;
    qint64 lastStep = -1;
  };
  void rebuildGraphs();
  void rescaleAll();
  // Rebuilds the run's graphs from its series; `smoothedOnly` leaves raw lines as they are.
  void redrawRun(qint64 runId, bool smoothedOnly = false);
  // A dotted line and a label at `step` of the run on the chart of `metric` (none: removed).
  void markRunStep(const QString& metric, qint64 runId, std::optional<qint64> step, const QString& text);
  static void stackOnsetLabels(QCustomPlot* plot);
  void showHover(QCustomPlot* plot, const QPoint& pos);
  void resizeEvent(QResizeEvent* e) override;  // the grid's columns follow the shape
  static int columnsFor(QSize area, int charts);
  void placeCharts(int columns);
  QGridLayout* grid_ = nullptr;
  QLabel* legend_ = nullptr;  // above the charts: the runs' colours and the line styles
  void updateLegend();
  int columns_ = 0;
  QPoint pressedAt_;
  static void setDecimated(QCPGraph* g, const QVector<double>& x, const std::vector<double>& y);
  static void setStrided(QCPGraph* g, const QVector<double>& x, const std::vector<double>& y);
  void setBand(class BandPlottable* band, const RunData& run, const ChartSpec& spec);
  // One run's lines of a by-outcome chart, in the style of the run's place (solid, dashed,
  // dotted, ...); the first run's lines name the outcomes in the legend.
  void addOutcomeLines(QCustomPlot* plot, const ChartSpec& spec, qint64 runId, int runIndex);
  int indexAt(const Series& s, double key) const;  // the stored point at x = key
  QVector<double> xOf(const Series& s) const;

  QVector<ChartSpec> specs_;
  QVector<QCustomPlot*> charts_;
  std::shared_ptr<db::RunReader> reader_;
  QMap<qint64, RunData> runs_;
  double smoothing_ = 0.6;
  bool wallTime_ = false;
};

}  // namespace aha::ui
