#pragma once
// The trace browser's filters: run, step range, correct, flagged, real aha, reflection
// behaviour and outcome, tag, reward and length ranges, and a full-text search (SQLite FTS5 syntax: words, "phrases",
// prefix*, AND/OR/NOT). Edits are debounced and announced as one db::SampleFilter.
#include <QWidget>

#include <vector>

#include "db/run_reader.h"
#include "db/tag_store.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTimer;

namespace aha::ui {

class TraceFilterBar : public QWidget {
  Q_OBJECT
 public:
  explicit TraceFilterBar(QWidget* parent = nullptr);
  void setRuns(const std::vector<db::RunSummary>& runs);
  void setTags(const std::vector<db::Tag>& tags);
  db::SampleFilter filter() const;
  // Shows one run and one step (a click on a chart point), other filters cleared; -1:
  // every run, every step (Clear filters).
  void showRunStep(qint64 runId, qint64 step);

  QLineEdit* searchEdit() const { return search_; }
  QComboBox* correctBox() const { return correct_; }
  QCheckBox* flaggedBox() const { return flagged_; }
  QComboBox* tagBox() const { return tag_; }
  QComboBox* behaviourBox() const { return behaviour_; }
  QComboBox* outcomeBox() const { return outcome_; }
  QSpinBox* stepMinBox() const { return stepMin_; }
  QPushButton* clearButton() const { return clear_; }

 signals:
  void filterChanged();

 private:
  void changed();
  QComboBox *run_, *correct_, *tag_, *behaviour_, *outcome_;
  QSpinBox *stepMin_, *stepMax_, *lengthMin_, *lengthMax_;
  QDoubleSpinBox *rewardMin_, *rewardMax_;
  QCheckBox *flagged_, *realAha_;
  QLineEdit* search_;
  QPushButton* clear_;
  QTimer* debounce_;
};

}  // namespace aha::ui
