#pragma once
// "Resample from here" on one trace (docs/PROBES.md): put the cursor where to continue
// from, edit the text before it if wanted (delete a "wait", insert "Wait, let me check"),
// and sample continuations from stored weights with the run's settings; their accuracy
// and reflection outcomes are shown beside the original's. Sampling runs off the GUI
// thread; every resample is kept with the sample (db/probe_store.h) and can be shown again.
#include <QDialog>

#include <functional>
#include <memory>
#include <optional>

#include "core/run/continuations.h"
#include "db/probe_store.h"
#include "db/run_reader.h"

class QComboBox;
class QLabel;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace aha::ui {

class ResampleDialog : public QDialog {
  Q_OBJECT
 public:
  using Resampler = std::function<ResampleResult(const ResampleRequest&)>;
  // `point`: where the cursor starts, in characters of the completion (-1: its end).
  ResampleDialog(std::shared_ptr<db::RunReader> reader, qint64 sampleId, Resampler resampler, int point = -1,
                 QWidget* parent = nullptr);

  void start();  // samples from the cursor, the text before it as edited
  bool running() const { return running_; }
  QPlainTextEdit* text() const { return text_; }
  QSpinBox* samplesBox() const { return samples_; }
  QComboBox* weightsBox() const { return weights_; }
  QComboBox* keptBox() const { return kept_; }  // this sample's resamples, newest last
  QLabel* summary() const { return summary_; }
  QListWidget* continuations() const { return list_; }

 private:
  void loadKept(qint64 select);  // -1: the newest
  void showResample(const db::ProbeRow& probe, const std::vector<db::ProbeCompletionRow>& continuations);

  std::shared_ptr<db::RunReader> reader_;
  std::unique_ptr<db::ProbeStore> store_;
  std::optional<db::SampleRow> sample_;
  RunConfig config_;
  Resampler resampler_;
  QPlainTextEdit* text_;
  QSpinBox *samples_, *seed_;
  QComboBox *weights_, *kept_;
  QPushButton* run_;
  QLabel *summary_;
  QListWidget* list_;
  bool running_ = false;
};

}  // namespace aha::ui
