#pragma once
// The anchor map of one trace (docs/ANCHORS.md): which steps decided its answer. Each step
// is a row with a bar of its effect (what resampling it changes, blue where the step helps,
// vermillion where it hurts) beside its text, the figures in the tooltip; a click shows
// that step's continuations, kept and resampled away, grouped as the resample view groups
// them. Computed off the GUI thread with progress and Stop; every map is kept with the
// sample (db/probe_store.h) and can be shown again.
#include <QDialog>
#include <QThread>

#include <memory>
#include <optional>

#include "core/run/anchor_map.h"
#include "db/probe_store.h"
#include "db/run_reader.h"
#include "ui/probes/anchor_worker.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QListWidget;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace aha::ui {

class AnchorDialog : public QDialog {
  Q_OBJECT
 public:
  AnchorDialog(std::shared_ptr<db::RunReader> reader, qint64 sampleId, AnchorWorker::MapFunction map,
               QWidget* parent = nullptr);
  ~AnchorDialog() override;

  void start();  // computes a map with the settings shown
  void stop();
  bool running() const { return running_; }
  QTableWidget* steps() const { return table_; }
  QComboBox* weightsBox() const { return weights_; }
  QComboBox* keptBox() const { return kept_; }  // this sample's maps, newest last
  QSpinBox* budgetBox() const { return budget_; }
  QCheckBox* fullBox() const { return full_; }
  QLabel* status() const { return status_; }
  QListWidget* keptList() const { return keptList_; }
  QListWidget* awayList() const { return awayList_; }
  const std::optional<AnchorMap>& shown() const { return map_; }

 signals:
  void requested(const aha::AnchorRequest& request);

 private:
  void loadKept(qint64 select);  // -1: the newest
  void showMap(const AnchorMap& map);
  void showStep(int step);

  std::shared_ptr<db::RunReader> reader_;
  std::unique_ptr<db::ProbeStore> store_;
  std::optional<db::SampleRow> sample_;
  RunConfig config_;
  std::vector<bool> forks_;
  std::optional<AnchorMap> map_;
  AnchorRequest pending_;
  QTableWidget* table_;
  QComboBox *weights_, *kept_;
  QSpinBox *budget_, *seed_;
  QCheckBox* full_;
  QPushButton *run_, *stop_;
  QLabel *status_, *keptLabel_, *awayLabel_;
  QListWidget *keptList_, *awayList_;
  QProgressBar* progress_;
  QThread thread_;
  AnchorWorker* worker_ = nullptr;
  bool running_ = false;
};

}  // namespace aha::ui
