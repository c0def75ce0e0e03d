#include "ui/probes/pass_at_k_dialog.h"

#include <QDialogButtonBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include "core/analysis/pass_at_k.h"
#include "db/run_reader.h"

namespace aha::ui {

namespace {
const char* const kColors[] = {"#000000", "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"};
}

PassAtKDialog::PassAtKDialog(std::shared_ptr<db::RunReader> reader, qint64 runId, ProbeWorker::ProbeFunction probe,
                             QWidget* parent)
    : QDialog(parent), reader_(std::move(reader)), runId_(runId), worker_(new ProbeWorker(std::move(probe))) {
  const auto run = reader_->run(runId_);
  configToml_ = run ? QString::fromStdString(run->config_toml) : QString();
  setWindowTitle(tr("pass@k probe: %1").arg(run ? QString::fromStdString(run->name) : QString::number(runId)));

  // The weights: the base model, then every checkpoint whose folder is still there.
  weights_ = new QListWidget(this);
  RunConfig cfg;
  try {
    cfg = RunConfig::from_toml(configToml_.toStdString(), "the run's stored config");
  } catch (const std::exception&) {
  }
  auto add = [this](const QString& label, const QString& dir, bool checked) {
    auto* item = new QListWidgetItem(label, weights_);
    item->setData(Qt::UserRole, dir);
    item->setToolTip(dir);
    item->setCheckState(checked ? Qt::Checked : Qt::Unchecked);
  };
  add(tr("base model"), QString::fromStdString(resolve_model_path(cfg.model).string()), true);
  std::vector<std::pair<int64_t, std::string>> onDisk;
  for (const auto& [step, path] : reader_->checkpoints(runId_))
    if (QFileInfo::exists(QString::fromStdString(path) + "/config.json")) onDisk.emplace_back(step, path);
  for (size_t i = 0; i < onDisk.size(); ++i)
    add(tr("after step %1").arg(onDisk[i].first), QString::fromStdString(onDisk[i].second), i + 1 == onDisk.size());

  problems_ = new QSpinBox(this);
  problems_->setRange(1, 4096);
  problems_->setValue(32);
  problems_->setToolTip(tr("Problems of the run's task, drawn with the seed below: held out from training"));
  samples_ = new QSpinBox(this);
  samples_->setRange(1, 1024);
  samples_->setValue(64);
  samples_->setToolTip(tr("Samples per problem (n): pass@k for k = 1, 2, 4, ... n"));
  seed_ = new QSpinBox(this);
  seed_->setRange(0, 1 << 30);
  seed_->setValue(1234);
  auto* form = new QFormLayout;
  form->addRow(tr("&Problems"), problems_);
  form->addRow(tr("&Samples each"), samples_);
  form->addRow(tr("S&eed"), seed_);
  run_ = new QPushButton(tr("&Run Probe"), this);
  cancel_ = new QPushButton(tr("&Cancel Probe"), this);
  cancel_->setEnabled(false);
  progress_ = new QProgressBar(this);
  progress_->setVisible(false);
  auto* left = new QVBoxLayout;
  left->addWidget(new QLabel(tr("Weights (checkpoints still on disk):"), this));
  left->addWidget(weights_, 1);
  left->addLayout(form);
  left->addWidget(run_);
  left->addWidget(cancel_);
  left->addWidget(progress_);

  plot_ = new QCustomPlot(this);
  plot_->setMinimumSize(480, 300);
  plot_->xAxis->setScaleType(QCPAxis::stLogarithmic);
  QSharedPointer<QCPAxisTickerLog> ticker(new QCPAxisTickerLog);
  ticker->setLogBase(2);
  plot_->xAxis->setTicker(ticker);
  plot_->xAxis->setNumberFormat("g");
  plot_->xAxis->setLabel(tr("k (samples drawn)"));
  plot_->yAxis->setLabel(tr("pass@k"));
  plot_->yAxis->setRange(0, 1.02);
  plot_->xAxis->setRange(1, 64);
  plot_->legend->setVisible(false);  // until there is a curve to name
  plot_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
  table_ = new QTableWidget(0, 6, this);
  table_->setHorizontalHeaderLabels({tr("Weights"), tr("pass@1"), tr("pass@n"), tr("mean@n"), tr("maj@n"), tr("Time")});
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->verticalHeader()->hide();
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setMaximumHeight(150);
  status_ = new QLabel(tr("Choose the weights and run the probe. The base model and the run's final weights are "
                          "checked; a run keeps its newest checkpoints only (save_total_limit, save_keep_every)."),
                       this);
  status_->setWordWrap(true);
  auto* right = new QVBoxLayout;
  right->addWidget(plot_, 1);
  right->addWidget(table_);
  right->addWidget(status_);
  auto* top = new QHBoxLayout;
  top->addLayout(left);
  top->addLayout(right, 1);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top, 1);
  layout->addWidget(buttons);
  resize(1000, 600);

  worker_->moveToThread(&thread_);
  connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
  connect(worker_, &ProbeWorker::progress, this, [this](int w, int done, int total) {
    progress_->setMaximum(total);
    progress_->setValue(done);
    progress_->setFormat(tr("%1: %v / %m completions").arg(probedLabels_.value(w)));
  });
  connect(worker_, &ProbeWorker::curveReady, this, &PassAtKDialog::showCurve);
  connect(worker_, &ProbeWorker::finished, this, &PassAtKDialog::finish);
  connect(run_, &QPushButton::clicked, this, &PassAtKDialog::start);
  connect(cancel_, &QPushButton::clicked, this, &PassAtKDialog::cancel);
  thread_.start();
}

PassAtKDialog::~PassAtKDialog() {
  worker_->cancel();
  thread_.quit();
  thread_.wait();
}

QVector<double> PassAtKDialog::ks() const {
  QVector<double> out;
  for (int k = 1; k < probedSamples_; k *= 2) out << k;
  out << probedSamples_;
  return out;
}

void PassAtKDialog::start() {
  if (running_) return;
  QStringList dirs;
  probedLabels_.clear();
  for (int i = 0; i < weights_->count(); ++i)
    if (weights_->item(i)->checkState() == Qt::Checked) {
      dirs << weights_->item(i)->data(Qt::UserRole).toString();
      probedLabels_ << weights_->item(i)->text();
    }
  if (dirs.isEmpty()) {
    status_->setText(tr("Check at least one set of weights to probe."));
    return;
  }
  running_ = true;
  probedSamples_ = samples_->value();
  curves_ = QVector<QVector<double>>(dirs.size());
  plot_->clearGraphs();
  plot_->legend->setVisible(false);
  plot_->xAxis->setRange(1, std::max(2, probedSamples_));
  plot_->replot();
  table_->setRowCount(0);
  run_->setEnabled(false);
  cancel_->setEnabled(true);
  progress_->setVisible(true);
  progress_->setValue(0);
  status_->setText(tr("Sampling %1 problems \u00D7 %2 samples for %n set(s) of weights\u2026", nullptr, dirs.size())
                       .arg(problems_->value())
                       .arg(probedSamples_));
  const QString toml = configToml_;
  const int problems = problems_->value(), samples = probedSamples_;
  const qulonglong seed = seed_->value();
  QMetaObject::invokeMethod(worker_, [w = worker_, toml, dirs, problems, samples, seed] {
    w->run(toml, dirs, problems, samples, seed);
  }, Qt::QueuedConnection);
}

void PassAtKDialog::cancel() {
  if (!running_) return;
  worker_->cancel();
  status_->setText(tr("Cancelling after the batch in hand\u2026"));
}

void PassAtKDialog::showCurve(int index, const QVector<double>& pass, double meanAtN, double majAtN, double seconds) {
  curves_[index] = pass;
  auto* g = plot_->addGraph();
  g->setData(ks(), pass);
  g->setName(probedLabels_.value(index));
  g->setPen(QPen(QColor(kColors[index % 7]), 2));
  g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 5));
  plot_->legend->setVisible(true);
  plot_->replot();
  const int row = table_->rowCount();
  table_->insertRow(row);
  const QStringList cells = {probedLabels_.value(index), QString::number(pass.front(), 'f', 3),
                             QString::number(pass.back(), 'f', 3), QString::number(meanAtN, 'f', 3),
                             QString::number(majAtN, 'f', 3), tr("%1 s").arg(seconds, 0, 'f', 1)};
  for (int c = 0; c < cells.size(); ++c) table_->setItem(row, c, new QTableWidgetItem(cells[c]));
  table_->resizeColumnsToContents();
}

void PassAtKDialog::finish(bool cancelled, const QString& error) {
  running_ = false;
  worker_->resetCancel();
  run_->setEnabled(true);
  cancel_->setEnabled(false);
  progress_->setVisible(false);
  if (!error.isEmpty()) {
    status_->setText(tr("The probe failed: %1").arg(error));
    return;
  }
  if (cancelled) {
    status_->setText(tr("Cancelled; the curves of the weights probed before are shown."));
    return;
  }
  // Against the base model, when it was probed (it is listed first).
  QStringList lines;
  if (probedLabels_.size() >= 2 && probedLabels_.front() == tr("base model")) {
    PassAtKCurve base;
    const QVector<double> at = ks();
    base.ks.assign(at.begin(), at.end());
    base.pass.assign(curves_.front().begin(), curves_.front().end());
    for (int i = 1; i < curves_.size(); ++i) {
      PassAtKCurve trained = base;
      trained.pass.assign(curves_[i].begin(), curves_[i].end());
      const auto k = crossover_k(trained, base);
      lines << (k ? tr("%1: the base model is ahead from k = %2 (the crossover).").arg(probedLabels_[i]).arg(*k)
                  : tr("%1: no crossover up to k = %2: RL is ahead or level at every k.")
                        .arg(probedLabels_[i])
                        .arg(probedSamples_));
    }
  }
  status_->setText(tr("Done. ") + lines.join(' '));
}

}  // namespace aha::ui
