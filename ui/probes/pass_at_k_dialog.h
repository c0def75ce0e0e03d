#pragma once
// pass@k of a run's weights against its base model (docs/PROBES.md): choose the weights
// (the base model and the checkpoints still on disk), the probe set's size and samples,
// and watch the curves fill in over log k, with mean@n, maj@n and the crossover. The
// probes run on a worker thread, with progress, can be cancelled, and are kept with the
// run: the dialog opens on the probes stored before, and shows the problems gained and
// lost between two of them, each opening its sampled completions.
#include <QDialog>
#include <QThread>

#include <memory>
#include <vector>

#include "db/probe_rows.h"
#include "ui/probes/probe_worker.h"

class QComboBox;
class QCustomPlot;
class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;
class QTreeWidget;
class QTreeWidgetItem;

namespace aha::db {
class ProbeStore;
class RunReader;
}  // namespace aha::db

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
  QLineEdit* problemsFile() const { return file_; }
  QComboBox* probeSetBox() const { return sets_; }
  QCustomPlot* plot() const { return plot_; }
  QTableWidget* table() const { return table_; }
  QComboBox* fromBox() const { return from_; }
  QComboBox* toBox() const { return to_; }
  QTreeWidget* changes() const { return changes_; }
  QLabel* status() const { return status_; }
  // The problem a gained or lost item stands for, shown beside each probe's completions.
  void openProblem(QTreeWidgetItem* item);

 private:
  void loadStored(const QString& selectSet = {});  // the stored probes; the set to show
  void showSet();                                  // its curves, table and crossover
  void showChanges();                              // gained and lost between from and to
  void finish(bool cancelled, const QString& error);

  std::shared_ptr<db::RunReader> reader_;
  std::unique_ptr<db::ProbeStore> store_;
  qint64 runId_;
  QString configToml_;
  QListWidget* weights_;
  QSpinBox *problems_, *samples_, *seed_;
  QLineEdit* file_;
  QPushButton *run_, *cancel_;
  QProgressBar* progress_;
  QComboBox* sets_;
  QCustomPlot* plot_;
  QTableWidget* table_;
  QComboBox *from_, *to_;
  QTreeWidget* changes_;
  QLabel* status_;
  QThread thread_;
  ProbeWorker* worker_;
  bool running_ = false;
  QStringList probedLabels_;
  std::vector<db::ProbeRow> stored_;  // the run's pass@k probes, oldest first
};

}  // namespace aha::ui
