#pragma once
// Reward against policy entropy, one point per step of a run, with the fit
// R = -a*exp(H) + b (core/analysis/entropy_fit.h) and the ceiling it predicts for when
// entropy is spent (H = 0). Entropy is the token lens's (lens/entropy_mean) where the
// run kept it, else the trainer's own mean entropy (veRL's actor/entropy, TRL's entropy).
#include <QDialog>

#include <memory>

class QCustomPlot;
class QLabel;

namespace aha::db {
class RunReader;
}

namespace aha::ui {

class EntropyFitDialog : public QDialog {
  Q_OBJECT
 public:
  EntropyFitDialog(std::shared_ptr<db::RunReader> reader, qint64 runId, QWidget* parent = nullptr);
  void reload();  // reads the run's series again (a live run has more steps)
  QCustomPlot* plot() const { return plot_; }
  QLabel* summary() const { return summary_; }

 private:
  std::shared_ptr<db::RunReader> reader_;
  qint64 runId_;
  QCustomPlot* plot_;
  QLabel* summary_;
};

}  // namespace aha::ui
