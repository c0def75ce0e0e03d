#include "ui/probes/gain_dialog.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSaveFile>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <cmath>
#include <stdexcept>

#include "ui/charts/series_math.h"

namespace aha::ui {
namespace {

QString gainText(double v) { return QString::asprintf("%+.3f", v); }
QString intervalText(const Estimate& e) {
  return std::isinf(e.low) ? QObject::tr("one seed") : QString("[%1, %2]").arg(gainText(e.low), gainText(e.high));
}

QJsonObject estimateJson(const Estimate& e) {
  QJsonObject o{{"mean", e.mean}, {"seeds", e.n}};
  if (!std::isinf(e.low)) o["low"] = e.low, o["high"] = e.high;
  return o;
}

}  // namespace

GainDialog::GainDialog(const QString& dbPath, const QString& runName, GainWorker::ProbeFunction probe, QWidget* parent)
    : QDialog(parent), dbPath_(dbPath), runName_(runName) {
  qRegisterMetaType<aha::GainRequest>();
  qRegisterMetaType<aha::GainResult>();
  setWindowTitle(tr("Is the Gain Real? %1").arg(runName));
  auto* layout = new QVBoxLayout(this);
  auto* intro = new QLabel(
      tr("<b>%1</b>: its accuracy gain on held-out problems (final weights against the base model) beside the gains "
         "of its controls, the runs of its sweep trained on rewards that say nothing of the answer (random, a wrong "
         "label, the format alone; Shao et al. 2025). Intervals: 95% over seeds. Stored probes are reused; the "
         "missing ones are sampled and kept with their runs.")
          .arg(runName.toHtmlEscaped()),
      this);
  intro->setWordWrap(true);
  layout->addWidget(intro);

  auto* settings = new QHBoxLayout;
  auto spin = [&](const QString& label, int low, int high, int value, const QString& tip) {
    auto* box = new QSpinBox(this);
    box->setRange(low, high);
    box->setValue(value);
    box->setToolTip(tip + tr(" (%1 to %2)").arg(low).arg(high));
    settings->addWidget(new QLabel(label, this));
    settings->addWidget(box);
    return box;
  };
  problems_ = spin(tr("Problems"), 1, 4096, 32, tr("Held-out problems of the run's task"));
  samples_ = spin(tr("Samples"), 1, 1024, 16, tr("Completions per problem, at the run's temperature"));
  seed_ = spin(tr("Seed"), 0, 1 << 30, 1234, tr("Draws the problems and the samples (the trainer draws with the run's seed)"));
  compute_ = new QPushButton(tr("&Compute"), this);
  cancel_ = new QPushButton(tr("Cancel"), this);
  cancel_->setEnabled(false);
  settings->addStretch(1);
  settings->addWidget(compute_);
  settings->addWidget(cancel_);
  layout->addLayout(settings);
  progress_ = new QProgressBar(this);
  progress_->setVisible(false);
  layout->addWidget(progress_);
  status_ = new QLabel(this);
  status_->setWordWrap(true);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(status_);

  table_ = new QTableWidget(0, 6, this);
  table_->setHorizontalHeaderLabels({tr("Arm"), tr("Seeds"), tr("pass@1 gain"), tr("95% interval"), tr("maj@n gain"),
                                     tr("Format share")});
  table_->horizontalHeaderItem(4)->setToolTip(tr("Problems whose most frequent answer is right; its interval in the tooltip"));
  table_->horizontalHeaderItem(5)->setToolTip(
      tr("The part of the pass@1 gain that is more parseable answers rather than more right ones among them"));
  table_->verticalHeader()->hide();
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->setMaximumHeight(160);
  layout->addWidget(table_);
  unique_ = new QLabel(this);
  unique_->setWordWrap(true);
  layout->addWidget(unique_);

  plot_ = new QCustomPlot(this);
  plot_->setMinimumHeight(240);
  plot_->yAxis->setLabel(tr("pass@1 gain (fraction)"));
  layout->addWidget(plot_, 1);

  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
  save_ = buttons->addButton(tr("Save &Figure..."), QDialogButtonBox::ActionRole);
  auto* copy = buttons->addButton(tr("Copy &Report"), QDialogButtonBox::ActionRole);
  save_->setEnabled(false);
  copy->setEnabled(false);
  layout->addWidget(buttons);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(save_, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getSaveFileName(this, tr("Save Figure"), runName_ + "-gain.pdf",
                                                      tr("PDF (*.pdf);;PNG (*.png)"));
    if (path.isEmpty()) return;
    try {
      saveFigure(path);
      status_->setText(tr("Saved %1 and %1.json").arg(path));
    } catch (const std::exception& e) {
      QMessageBox::warning(this, tr("Save Figure"), QString::fromStdString(e.what()));
    }
  });
  connect(copy, &QPushButton::clicked, this,
          [this] { QApplication::clipboard()->setText(QString::fromStdString(gain_report_text(result_.report))); });
  connect(this, &GainDialog::requested, copy, [copy] { copy->setEnabled(false); });
  connect(compute_, &QPushButton::clicked, this, &GainDialog::start);
  connect(cancel_, &QPushButton::clicked, this, &GainDialog::cancel);

  worker_ = new GainWorker(std::move(probe));
  worker_->moveToThread(&thread_);
  connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
  connect(this, &GainDialog::requested, worker_, &GainWorker::run, Qt::QueuedConnection);
  connect(worker_, &GainWorker::progress, this, [this](const QString& what, int done, int total) {
    progress_->setVisible(true);
    progress_->setRange(0, total);
    progress_->setValue(done);
    status_->setText(tr("Probing %1: %2 of %3 completions").arg(what).arg(done).arg(total));
  });
  connect(worker_, &GainWorker::finished, this,
          [this, copy](const aha::GainResult& result, const QString& error, bool cancelled) {
            running_ = false;
            compute_->setEnabled(true);
            cancel_->setEnabled(false);
            progress_->setVisible(false);
            if (cancelled) status_->setText(tr("Cancelled: the probes finished before it are kept"));
            else if (!error.isEmpty()) status_->setText(tr("Cannot compute the report: %1").arg(error));
            else {
              showResult(result);
              save_->setEnabled(true);
              copy->setEnabled(true);
            }
          });
  thread_.start();
  resize(760, 640);
}

GainDialog::~GainDialog() {
  worker_->cancel();
  thread_.quit();
  thread_.wait();
}

void GainDialog::start() {
  if (running_) return;
  GainRequest request;
  request.run = runName_.toStdString();
  request.set.problems = problems_->value();
  request.set.seed = static_cast<uint64_t>(seed_->value());
  request.samples = samples_->value();
  running_ = true;
  compute_->setEnabled(false);
  cancel_->setEnabled(true);
  save_->setEnabled(false);
  status_->setText(tr("Reading the stored probes..."));
  emit requested(dbPath_, request);
}

void GainDialog::cancel() {
  if (running_) worker_->cancel();
}

void GainDialog::showResult(const GainResult& result) {
  result_ = result;
  const auto& report = result.report;
  table_->setRowCount(int(report.arms.size()));
  for (int r = 0; r < int(report.arms.size()); ++r) {
    const auto& g = report.arms[r];
    const QStringList cells = {QString::fromStdString(g.arm), QString::number(g.pass1.n), gainText(g.pass1.mean),
                               intervalText(g.pass1), gainText(g.maj.mean),
                               std::isnan(g.format_share) ? tr("- (no gain)")
                                                          : QString("%1%").arg(std::lround(100 * g.format_share))};
    for (int c = 0; c < cells.size(); ++c) {
      auto* item = new QTableWidgetItem(cells[c]);
      if (c == 4) item->setToolTip(tr("95% interval %1").arg(intervalText(g.maj)));
      table_->setItem(r, c, item);
    }
  }
  if (report.best_control.empty())
    unique_->setText(tr("No control runs beside it: train them with Run > Train Controls of Selected Run (or "
                        "<code>aha sweep --controls</code>), then compute again."));
  else
    unique_->setText(tr("<b>The truth's gain that no control reaches</b> (against %1, the best control): pass@1 %2 %3, "
                        "maj@n %4 %5. %6 probes sampled now, the rest read from the store.")
                         .arg(QString::fromStdString(report.best_control), gainText(report.unique_pass1.mean),
                              intervalText(report.unique_pass1), gainText(report.unique_maj.mean),
                              intervalText(report.unique_maj))
                         .arg(result.probes_sampled));
  QStringList notes;
  for (const auto& n : result.notes) notes << QString::fromStdString(n);
  status_->setText(notes.join("; "));

  // Bars of the mean pass@1 gain per arm with their intervals; the truth in its colour.
  plot_->clearPlottables();
  QVector<double> x, y, low, high;
  QSharedPointer<QCPAxisTickerText> ticks(new QCPAxisTickerText);
  for (int i = 0; i < int(report.arms.size()); ++i) {
    const auto& g = report.arms[i];
    x << i + 1;
    y << g.pass1.mean;
    low << (std::isinf(g.pass1.low) ? 0 : g.pass1.mean - g.pass1.low);
    high << (std::isinf(g.pass1.high) ? 0 : g.pass1.high - g.pass1.mean);
    ticks->addTick(i + 1, QString::fromStdString(g.arm));
  }
  auto* bars = new QCPBars(plot_->xAxis, plot_->yAxis);
  bars->setData(x, y, true);
  bars->setWidth(0.6);
  bars->setBrush(QColor(palette_color(0)).lighter(130));
  bars->setPen(QPen(QColor(palette_color(0))));
  auto* errors = new QCPErrorBars(plot_->xAxis, plot_->yAxis);
  errors->setDataPlottable(bars);
  errors->setData(low, high);
  plot_->xAxis->setTicker(ticks);
  plot_->xAxis->setRange(0.4, report.arms.size() + 0.6);
  double least = 0, most = 0;
  for (int i = 0; i < y.size(); ++i) least = std::min(least, y[i] - low[i]), most = std::max(most, y[i] + high[i]);
  plot_->yAxis->setRange(least - 0.05 * (most - least + 0.01), most + 0.05 * (most - least + 0.01));
  plot_->replot();
}

void GainDialog::saveFigure(const QString& path) const {
  const bool pdf = QFileInfo(path).suffix().compare("pdf", Qt::CaseInsensitive) == 0;
  const bool ok = pdf ? plot_->savePdf(path, 640, 400) : plot_->savePng(path, 640, 400, 2.0);
  QFileInfo dir(QFileInfo(path).absolutePath());
  if (!ok)
    throw std::runtime_error("cannot write figure '" + path.toStdString() + "': " +
                             (!dir.exists() ? "its folder does not exist" : !dir.isWritable() ? "its folder is not writable" : "the write failed"));
  QJsonArray arms;
  for (const auto& g : result_.report.arms)
    arms.append(QJsonObject{{"arm", QString::fromStdString(g.arm)}, {"pass1_gain", estimateJson(g.pass1)},
                            {"maj_gain", estimateJson(g.maj)},
                            {"format_share", std::isnan(g.format_share) ? QJsonValue() : QJsonValue(g.format_share)}});
  QJsonObject sidecar{{"run", runName_}, {"database", dbPath_}, {"truth_arm", QString::fromStdString(result_.truth_arm)},
                      {"sweep", QString::fromStdString(result_.sweep)}, {"problems", problems_->value()},
                      {"samples", samples_->value()}, {"seed", seed_->value()}, {"arms", arms},
                      {"interval", "95% over seeds (Student's t); unique part by Welch's t"}};
  if (!result_.report.best_control.empty())
    sidecar["unique"] = QJsonObject{{"best_control", QString::fromStdString(result_.report.best_control)},
                                    {"pass1", estimateJson(result_.report.unique_pass1)},
                                    {"maj", estimateJson(result_.report.unique_maj)}};
  QSaveFile f(path + ".json");
  if (!f.open(QIODevice::WriteOnly) || f.write(QJsonDocument(sidecar).toJson()) < 0 || !f.commit())
    throw std::runtime_error("cannot write '" + (path + ".json").toStdString() + "': " + f.errorString().toStdString());
}

}  // namespace aha::ui
