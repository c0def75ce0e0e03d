#pragma once
// File > Export Chart...: choose runs, metrics and a paper preset, see the figure at its
// exact output size, and save it as PDF, SVG or PNG (through ui/figure.h, as the
// command line does).
#include <QDialog>

#include "ui/charts/figure.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFontComboBox;
class QLabel;
class QListWidget;
class QSpinBox;
class QTimer;

namespace aha::ui {

class ExportDialog : public QDialog {
  Q_OBJECT
 public:
  // The file to write for a name typed in the save dialog with `chosen` as the format.
  static QString withFormat(const QString& path, const QString& chosen);
  // `runs` and `metrics` are preselected; the lists offer everything in the database.
  ExportDialog(const QString& dbPath, const QStringList& runs, const QStringList& metrics, double smoothing,
               QWidget* parent = nullptr);
  FigureRequest request() const;
  // Writes the figure; returns an error message, empty on success.
  // The figure is of this sweep while every checked run is one of its members (the
  // sidecar records it): Compare Sweep sets it.
  void setSweep(const QString& sweep, const QStringList& members) { sweep_ = sweep, sweepMembers_ = members; }
  QString save(const QString& path);
  QLabel* preview() const { return preview_; }
  QComboBox* presetBox() const { return preset_; }
  // "Group by": a config or sweep key whose values make the lines (figure.h's groupBy).
  QComboBox* groupByBox() const { return groupBy_; }
  // Renders the preview now (normally debounced after each edit).
  void updatePreview();

 private:
  QString dbPath_;
  QString sweep_;
  QStringList sweepMembers_;
  QListWidget *runs_, *metrics_;
  QComboBox *preset_, *legend_, *format_, *groupBy_;
  QDoubleSpinBox *width_, *height_, *smoothing_;
  QFontComboBox* font_;
  QSpinBox *fontSize_, *columns_, *dpi_;
  QCheckBox *raw_, *bands_, *wallTime_, *seeds_;
  QLabel* preview_;
  QLabel* message_;
  QTimer* debounce_;
};

}  // namespace aha::ui
