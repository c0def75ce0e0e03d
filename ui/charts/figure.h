#pragma once
// Paper figures: one chart or a grid of charts of stored metrics, drawn with the
// dashboard's chart specs, smoothing and palette, at an exact physical size, and saved
// as PDF (vector, fonts embedded), SVG (vector) or PNG (chosen DPI) with a sidecar JSON
// that records what produced it. The export dialog and `aha-studio export chart` both
// render through renderFigure, so the same settings give the same figure.
#include <QSizeF>
#include <QString>
#include <QStringList>
#include <QVector>

#include <memory>

class QCustomPlot;

namespace aha::db {
class RunReader;
}

namespace aha::ui {

struct FigurePreset {
  QString name;
  double widthIn, heightIn;  // height of one row of charts
  int fontPt;
};
// single-column (3.5 in), double-column (7.0 in), slide (16:9).
const QVector<FigurePreset>& figurePresets();

struct FigureOptions {
  QString preset = "single-column";
  double widthIn = 0, heightIn = 0;  // 0: the preset's
  QString fontFamily = "DejaVu Sans";
  int fontPt = 0;                    // 0: the preset's
  QString legend = "above";          // above (a row over the panels) | top-left | top-right | bottom-left | bottom-right | none
  double smoothing = 0.6;            // TensorBoard's debiased EMA weight, as on screen
  bool showRaw = true;               // the raw series drawn faint behind the smoothed line
  bool bands = true;                 // reward +-std, length p10-p90, seed bands
  bool wallTime = false;             // x axis in minutes instead of steps
  bool aggregateSeeds = false;       // runs that differ only in seed: mean line with a +-std band
  // A config or sweep key ("loss_type"): the runs with one value of it as one mean line with
  // a +-std band across them (seeds and any other grid key); "" draws a line per run.
  QString groupBy;
  int columns = 0;                   // charts per row in a grid; 0: up to 3
  int dpi = 300;                     // PNG only
};

struct FigureRequest {
  QString dbPath;
  QStringList runs;     // names; empty: every run (of `sweep` when set)
  QString sweep;        // the members of this sweep (core/run/sweep.h)
  QStringList metrics;  // one chart per metric
  FigureOptions options;
};

// Physical size of the whole figure in inches (grid rows included).
QSizeF figureSizeInches(const FigureRequest& request);
// Panels per row: as many as keep each readable, with no empty cell where that can be.
int figureColumns(const FigureRequest& request);

// Draws the figure into a fresh `plot`, sized in points (1/72 in). Throws with a
// message naming an unknown run, metric or preset.
void buildFigure(QCustomPlot* plot, db::RunReader& reader, const FigureRequest& request);

// Renders to `path`; the format comes from the extension (.pdf, .svg, .png). Writes
// `path`.json beside it. Throws naming the file on failure.
void renderFigure(const FigureRequest& request, const QString& path);

}  // namespace aha::ui
