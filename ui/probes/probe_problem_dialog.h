#pragma once
// One probe problem as two probes sampled it (a problem gained or lost between two
// checkpoints): its prompt and reference, and each probe's completions side by side.
#include <QDialog>

#include <string>

class QListWidget;

namespace aha::ui {

class ProbeProblemDialog : public QDialog {
  Q_OBJECT
 public:
  // `from`, `to`: stored pass@k probes of the same problem set in `dbPath`.
  ProbeProblemDialog(const std::string& dbPath, qint64 from, qint64 to, int problem, QWidget* parent = nullptr);
  QListWidget* before() const { return lists_[0]; }
  QListWidget* after() const { return lists_[1]; }

 private:
  QListWidget* lists_[2];
};

}  // namespace aha::ui
