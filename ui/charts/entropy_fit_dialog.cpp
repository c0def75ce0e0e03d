#include "ui/charts/entropy_fit_dialog.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include <cmath>
#include <map>

#include <qcustomplot.h>

#include "core/analysis/entropy_fit.h"
#include "core/run/run_config.h"
#include "db/run_reader.h"

namespace aha::ui {

EntropyFitDialog::EntropyFitDialog(std::shared_ptr<db::RunReader> reader, qint64 runId, QWidget* parent)
    : QDialog(parent), reader_(std::move(reader)), runId_(runId) {
  plot_ = new QCustomPlot(this);
  plot_->setMinimumSize(560, 380);
  summary_ = new QLabel(this);
  summary_->setWordWrap(true);
  summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
  auto* again = buttons->addButton(tr("&Reload"), QDialogButtonBox::ActionRole);
  connect(again, &QPushButton::clicked, this, &EntropyFitDialog::reload);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(plot_, 1);
  layout->addWidget(summary_);
  layout->addWidget(buttons);
  resize(760, 560);
  reload();
}

void EntropyFitDialog::reload() {
  plot_->clearGraphs();
  plot_->clearItems();
  const auto run = reader_->run(runId_);
  const QString name = run ? QString::fromStdString(run->name) : QString::number(runId_);
  setWindowTitle(tr("Reward against entropy: %1").arg(name));
  // Entropy per step: the lens's where it was kept, else the trainer's.
  QString entropyName = "lens/entropy_mean";
  auto entropy = reader_->metric_series(runId_, entropyName.toStdString());
  if (entropy.empty()) entropy = reader_->metric_series(runId_, (entropyName = "entropy").toStdString());
  std::map<int64_t, double> reward;
  for (const auto& p : reader_->metric_series(runId_, "reward"))
    if (std::isfinite(p.value)) reward[p.step] = p.value;
  std::vector<double> h, r;
  QVector<double> xs, ys;
  for (const auto& p : entropy)
    if (auto it = reward.find(p.step); it != reward.end() && std::isfinite(p.value)) {
      h.push_back(p.value), r.push_back(it->second);
      xs << p.value, ys << it->second;
    }
  auto* points = plot_->addGraph();
  points->setLineStyle(QCPGraph::lsNone);
  points->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, QColor(0, 114, 178, 150), 5));
  points->setData(xs, ys);
  points->setName(tr("steps"));
  plot_->xAxis->setLabel(entropyName == "entropy" ? tr("mean entropy of the training pass (nats/token)")
                                                   : tr("mean token entropy at sampling (nats/token)"));
  plot_->yAxis->setLabel(tr("reward"));
  const auto fit = fit_entropy_reward(h, r);
  if (!fit) {
    summary_->setText(h.empty() ? tr("This run has no entropy per step: neither a token lens nor the trainer's "
                                     "entropy was stored.")
                                : tr("%n step(s) with both reward and entropy: too few (or all alike) to fit.",
                                     nullptr, static_cast<int>(h.size())));
    plot_->rescaleAxes();
    plot_->replot();
    return;
  }
  const double hMax = *std::max_element(h.begin(), h.end());
  QVector<double> fx, fy;
  for (int i = 0; i <= 100; ++i) {
    const double x = hMax * 1.05 * i / 100;
    fx << x, fy << fit->b - fit->a * std::exp(x);
  }
  auto* curve = plot_->addGraph();
  curve->setData(fx, fy);
  curve->setPen(QPen(QColor("#D55E00"), 2));
  curve->setName(tr("R = \u2212a\u00B7e^H + b"));
  auto* ceiling = new QCPItemStraightLine(plot_);
  ceiling->point1->setCoords(0, fit->ceiling());
  ceiling->point2->setCoords(1, fit->ceiling());
  ceiling->setPen(QPen(QColor("#555555"), 1, Qt::DashLine));
  auto* label = new QCPItemText(plot_);
  label->position->setType(QCPItemPosition::ptPlotCoords);
  label->position->setCoords(hMax * 0.6, fit->ceiling());
  label->setPositionAlignment(Qt::AlignBottom | Qt::AlignHCenter);
  label->setText(tr("ceiling %1 at H = 0").arg(fit->ceiling(), 0, 'f', 3));
  const double best = best_window_mean(r);  // what the run reached, as `aha lens` says it
  double most = 0;
  try {
    if (run) most = RunConfig::from_toml(run->config_toml, run->name).max_total_reward();
  } catch (const std::exception&) {
  }
  const QString caveat = QString::fromStdString(ceiling_caveat(*fit, most));
  summary_->setText(tr("R = \u2212a\u00B7exp(H) + b over %1 steps (Cui et al. 2025): a = %2, b = %3, R\u00B2 = %4. "
                       "Predicted ceiling when entropy is spent: <b>%5</b>%6; reached: %7 (best 10-step mean).")
                        .arg(fit->points)
                        .arg(fit->a, 0, 'f', 4)
                        .arg(fit->b, 0, 'f', 4)
                        .arg(fit->r2, 0, 'f', 3)
                        .arg(fit->ceiling(), 0, 'f', 3)
                        .arg(caveat.isEmpty() ? QString() : ", " + caveat)
                        .arg(best, 0, 'f', 3));
  plot_->legend->setVisible(true);
  plot_->rescaleAxes();
  plot_->xAxis->setRangeLower(0);
  const double top = std::max(fit->ceiling(), best), bottom = *std::min_element(r.begin(), r.end());
  plot_->yAxis->setRange(bottom - 0.05 * (top - bottom), top + 0.1 * (top - bottom));
  plot_->replot();
}

}  // namespace aha::ui
