#pragma once
// "Is the gain real?": a run's accuracy gain on held-out problems beside the gains of its
// control rewards (docs/OBJECTIVES.md), with 95% intervals over seeds, the part of the
// truth's gain no control reaches and the format share, as a table and a bar chart that
// saves as a figure (PDF or PNG, with a JSON sidecar of the numbers). Stored probes are
// read at once; missing ones are sampled on a worker thread with progress, and can be
// cancelled.
#include <QDialog>
#include <QThread>

#include "ui/probes/gain_worker.h"

class QCustomPlot;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace aha::ui {

class GainDialog : public QDialog {
  Q_OBJECT
 public:
  GainDialog(const QString& dbPath, const QString& runName, GainWorker::ProbeFunction probe, QWidget* parent = nullptr);
  ~GainDialog() override;  // cancels sampling in progress and waits for its batch

  void start();  // computes the report (samples what is not stored)
  void cancel();
  bool running() const { return running_; }
  // The figure (PDF by extension, else PNG) and its sidecar FILE.json; throws
  // std::runtime_error naming the file and the reason when it cannot be written.
  void saveFigure(const QString& path) const;

  QSpinBox* problemsBox() const { return problems_; }
  QSpinBox* samplesBox() const { return samples_; }
  QTableWidget* table() const { return table_; }
  QCustomPlot* plot() const { return plot_; }
  QLabel* unique() const { return unique_; }
  QLabel* status() const { return status_; }

 signals:
  void requested(const QString& dbPath, const aha::GainRequest& request);

 private:
  void showResult(const GainResult& result);

  QString dbPath_, runName_;
  GainWorker* worker_ = nullptr;
  QThread thread_;
  bool running_ = false;
  GainResult result_;
  QSpinBox *problems_ = nullptr, *samples_ = nullptr, *seed_ = nullptr;
  QPushButton *compute_ = nullptr, *cancel_ = nullptr, *save_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QLabel *status_ = nullptr, *unique_ = nullptr;
  QTableWidget* table_ = nullptr;
  QCustomPlot* plot_ = nullptr;
};

}  // namespace aha::ui
