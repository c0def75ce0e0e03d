#pragma once
// pass@k of a run's weights against its base model (docs/PROBES.md): choose the weights
// (the base model and the checkpoints still on disk), the probe set's size and samples,
// and watch the curves fill in over log k, with mean@n, maj@n and the crossover. The
// probes run on a worker thread, with progress, and can be cancelled.
#include <QDialog>
#include <QThread>

#include <memory>

#include "ui/probes/probe_worker.h"

class QCustomPlot;
class QLabel;
class QListWidget;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace aha::db {
class RunReader;
}

namespace aha::ui {

class PassAtKDialog : public QDialog {
  Q_OBJECT
 public:
  PassAtKDialog(std::shared_ptr<db::RunReader> reader, qint64 runId, ProbeWorker::ProbeFunction probe,
                QWidget* parent = nullptr);
  ~PassAtKDialog() override;  // cancels a probe in progress and waits for its batch

  void start();   // probes the checked weights
  void cancel();  // stops after the batch in hand
  bool running() const { return running_; }

  QListWidget* weightsList() const { return weights_; }
  QSpinBox* problemsBox() const { return problems_; }
  QSpinBox* samplesBox() const { return samples_; }
  QCustomPlot* plot() const { return plot_; }
  QTableWidget* table() const { return table_; }
  QLabel* status() const { return status_; }

 private:
  void showCurve(int index, const QVector<double>& pass, double meanAtN, double majAtN, double seconds);
  void finish(bool cancelled, const QString& error);
  QVector<double> ks() const;

  std::shared_ptr<db::RunReader> reader_;
  qint64 runId_;
  QString configToml_;
  QListWidget* weights_;
  QSpinBox *problems_, *samples_, *seed_;
  QPushButton *run_, *cancel_;
  QProgressBar* progress_;
  QCustomPlot* plot_;
  QTableWidget* table_;
  QLabel* status_;
  QThread thread_;
  ProbeWorker* worker_;
  bool running_ = false;
  int probedSamples_ = 0;
  QStringList probedLabels_;
  QVector<QVector<double>> curves_;  // by probed index
};

}  // namespace aha::ui
