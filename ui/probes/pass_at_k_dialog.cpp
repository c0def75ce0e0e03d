#include "ui/probes/pass_at_k_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <map>

#include <qcustomplot.h>

#include "core/analysis/pass_at_k.h"
#include "core/run/probe_records.h"
#include "db/probe_store.h"
#include "db/run_reader.h"
#include "ui/probes/probe_problem_dialog.h"

namespace aha::ui {

namespace {

const char* const kColors[] = {"#000000", "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"};

// Probes of equal settings probed the same problems: one set, one plot.
QString setName(const PassAtKSettings& s) {
  if (!s.file.empty())
    return QObject::tr("%1 problems of %2 \u00D7 %3 samples")
        .arg(s.problems)
        .arg(QFileInfo(QString::fromStdString(s.file)).fileName())
        .arg(s.samples);
  return QObject::tr("%1 problems \u00D7 %2 samples, seed %3").arg(s.problems).arg(s.samples).arg(s.seed);
}

QString weightsName(int64_t step) {
  return step <= 0 ? QObject::tr("base model") : QObject::tr("after step %1").arg(step);
}

}  // namespace

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
  auto add = [this](int64_t step, const QString& dir, bool checked) {
    auto* item = new QListWidgetItem(weightsName(step), weights_);
    item->setData(Qt::UserRole, dir);
    item->setData(Qt::UserRole + 1, qint64(step));
    item->setToolTip(dir);
    item->setCheckState(checked ? Qt::Checked : Qt::Unchecked);
  };
  add(0, QString::fromStdString(resolve_model_path(cfg.model).string()), true);  // the base model
  std::vector<std::pair<int64_t, std::string>> onDisk;
  for (const auto& [step, path] : reader_->checkpoints(runId_))
    if (QFileInfo::exists(QString::fromStdString(path) + "/config.json")) onDisk.emplace_back(step, path);
  for (size_t i = 0; i < onDisk.size(); ++i)
    add(onDisk[i].first, QString::fromStdString(onDisk[i].second), i + 1 == onDisk.size());

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
  file_ = new QLineEdit(this);
  file_->setPlaceholderText(tr("the run's task"));
  file_->setToolTip(tr("A JSONL or CSV file of problems instead (read with the run's field mapping): its first "
                       "problems, in order"));
  file_->setClearButtonEnabled(true);
  auto* browse = new QPushButton(tr("&Browse..."), this);
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString f = QFileDialog::getOpenFileName(this, tr("Probe problems"), QString(),
                                                   tr("Problems (*.jsonl *.json *.csv);;All files (*)"));
    if (!f.isEmpty()) file_->setText(f);
  });
  auto* fileRow = new QHBoxLayout;
  fileRow->addWidget(file_, 1);
  fileRow->addWidget(browse);
  auto* form = new QFormLayout;
  auto* fileLabel = new QLabel(tr("Problems &from"), this);
  fileLabel->setBuddy(file_);
  form->addRow(fileLabel, fileRow);
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

  sets_ = new QComboBox(this);
  sets_->setToolTip(tr("Probes kept with the run, by problem set: the curves of one set are comparable"));
  plot_ = new QCustomPlot(this);
  plot_->setMinimumSize(480, 260);
  plot_->xAxis->setScaleType(QCPAxis::stLogarithmic);
  QSharedPointer<QCPAxisTickerLog> ticker(new QCPAxisTickerLog);
  ticker->setLogBase(2);
  plot_->xAxis->setTicker(ticker);
  plot_->xAxis->setNumberFormat("g");
  plot_->xAxis->setLabel(tr("k (samples drawn)"));
  plot_->yAxis->setLabel(tr("pass@k"));
  plot_->yAxis->setRange(0, 1.02);
  plot_->xAxis->setRange(0.8, 80);
  plot_->legend->setVisible(false);  // until there is a curve to name
  plot_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
  table_ = new QTableWidget(0, 7, this);
  table_->setHorizontalHeaderLabels(
      {tr("Weights"), tr("pass@1"), tr("pass@n"), tr("mean@n"), tr("maj@n"), tr("Time"), tr("Probe")});
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->verticalHeader()->hide();
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setMaximumHeight(130);
  status_ = new QLabel(tr("Choose the weights and run the probe. The base model and the run's final weights are "
                          "checked; a run keeps its newest checkpoints only (save_total_limit, save_keep_every)."),
                       this);
  status_->setWordWrap(true);

  // Gained and lost: problems some sample solved in one probe and none in the other.
  from_ = new QComboBox(this);
  to_ = new QComboBox(this);
  changes_ = new QTreeWidget(this);
  changes_->setColumnCount(4);
  changes_->setHeaderLabels({tr("Problem"), tr("Right before \u2192 after"), tr("Reference"), tr("Prompt")});
  changes_->setRootIsDecorated(true);
  changes_->setToolTip(tr("Double-click a problem to read what each probe sampled for it"));
  auto* fromTo = new QHBoxLayout;
  fromTo->addWidget(new QLabel(tr("&From"), this));
  fromTo->addWidget(from_, 1);
  fromTo->addWidget(new QLabel(tr("&to"), this));
  fromTo->addWidget(to_, 1);
  static_cast<QLabel*>(fromTo->itemAt(0)->widget())->setBuddy(from_);
  static_cast<QLabel*>(fromTo->itemAt(2)->widget())->setBuddy(to_);
  auto* changesBox = new QGroupBox(tr("Problems gained and lost"), this);
  auto* changesLayout = new QVBoxLayout(changesBox);
  changesLayout->addLayout(fromTo);
  changesLayout->addWidget(changes_, 1);

  auto* right = new QVBoxLayout;
  auto* setRow = new QHBoxLayout;
  setRow->addWidget(new QLabel(tr("Probe set:"), this));
  setRow->addWidget(sets_, 1);
  right->addLayout(setRow);
  right->addWidget(plot_, 3);
  right->addWidget(table_);
  right->addWidget(status_);
  right->addWidget(changesBox, 2);
  auto* top = new QHBoxLayout;
  top->addLayout(left);
  top->addLayout(right, 1);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top, 1);
  layout->addWidget(buttons);
  resize(1100, 780);

  worker_->moveToThread(&thread_);
  connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
  connect(worker_, &ProbeWorker::progress, this, [this](int w, int done, int total) {
    progress_->setMaximum(total);
    progress_->setValue(done);
    progress_->setFormat(tr("%1: %v / %m completions").arg(probedLabels_.value(w)));
  });
  connect(worker_, &ProbeWorker::probeStored, this, [this](int, qint64 id) {
    const auto probe = store_ ? store_->probe(id) : std::nullopt;
    loadStored(probe ? setName(passk_settings(*probe)) : QString());
  });
  connect(worker_, &ProbeWorker::finished, this, &PassAtKDialog::finish);
  connect(run_, &QPushButton::clicked, this, &PassAtKDialog::start);
  connect(cancel_, &QPushButton::clicked, this, &PassAtKDialog::cancel);
  connect(sets_, &QComboBox::currentIndexChanged, this, &PassAtKDialog::showSet);
  connect(from_, &QComboBox::currentIndexChanged, this, &PassAtKDialog::showChanges);
  connect(to_, &QComboBox::currentIndexChanged, this, &PassAtKDialog::showChanges);
  connect(changes_, &QTreeWidget::itemDoubleClicked, this, &PassAtKDialog::openProblem);
  thread_.start();

  try {
    store_ = std::make_unique<db::ProbeStore>(reader_->connection().path(), db::Access::ReadOnly);
    loadStored();
  } catch (const std::exception& e) {
    status_->setText(tr("The stored probes do not read: %1").arg(QString::fromStdString(e.what())));
  }
}

PassAtKDialog::~PassAtKDialog() {
  worker_->cancel();
  thread_.quit();
  thread_.wait();
}

void PassAtKDialog::loadStored(const QString& selectSet) {
  if (!store_) return;
  stored_ = store_->probes(runId_, "passk");
  const QString keep = selectSet.isEmpty() ? sets_->currentText() : selectSet;
  QStringList names;  // newest set first
  for (auto it = stored_.rbegin(); it != stored_.rend(); ++it)
    if (const QString n = setName(passk_settings(*it)); !names.contains(n)) names << n;
  const QSignalBlocker block(sets_);
  sets_->clear();
  sets_->addItems(names);
  if (names.contains(keep)) sets_->setCurrentText(keep);
  sets_->setEnabled(!names.isEmpty());
  if (names.isEmpty()) sets_->addItem(tr("none stored yet"));
  showSet();
}

void PassAtKDialog::showSet() {
  // The newest probe of each set of weights in the chosen set, base model first.
  std::map<int64_t, const db::ProbeRow*> newest;
  for (const auto& p : stored_)
    if (setName(passk_settings(p)) == sets_->currentText()) newest[p.weights_step] = &p;
  plot_->clearGraphs();
  table_->setRowCount(0);
  std::vector<PassAtKCurve> curves;
  std::vector<const db::ProbeRow*> shown;
  for (const auto& [step, probe] : newest) {
    const auto curve = pass_at_k_curve(probe_problems(store_->problems(probe->id)));
    if (curve.ks.empty()) continue;
    const int index = static_cast<int>(curves.size());
    auto* g = plot_->addGraph();
    g->setData(QVector<double>(curve.ks.begin(), curve.ks.end()), QVector<double>(curve.pass.begin(), curve.pass.end()));
    g->setName(weightsName(step));
    g->setPen(QPen(QColor(kColors[index % 7]), 2));
    g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 5));
    // A margin around 1 and n: the first and last points off the frame, and a range wide
    // enough that the log ticker keeps to powers of two (n = 2 would get 1.2, 1.4, ...).
    plot_->xAxis->setRange(0.8, std::max(2, curve.ks.back()) * 1.25);
    table_->insertRow(index);
    const QStringList cells = {weightsName(step),
                               QString::number(curve.pass.front(), 'f', 3),
                               QString::number(curve.pass.back(), 'f', 3),
                               QString::number(curve.mean_at_n, 'f', 3),
                               QString::number(curve.maj_at_n, 'f', 3),
                               tr("%1 s").arg(probe->seconds, 0, 'f', 1),
                               QString::number(probe->id)};
    for (int c = 0; c < cells.size(); ++c) table_->setItem(index, c, new QTableWidgetItem(cells[c]));
    curves.push_back(curve);
    shown.push_back(probe);
  }
  plot_->legend->setVisible(!curves.empty());
  plot_->replot();
  table_->resizeColumnsToContents();

  // Against the base model, when it was probed (it sorts first).
  if (!running_ && !curves.empty()) {
    QStringList lines;
    if (shown.front()->weights_step <= 0)
      for (size_t i = 1; i < curves.size(); ++i) {
        const auto k = crossover_k(curves[i], curves.front());
        const QString name = weightsName(shown[i]->weights_step);
        lines << (k ? tr("%1: the base model is ahead from k = %2 (the crossover).").arg(name).arg(*k)
                    : tr("%1: no crossover up to k = %2: RL is ahead or level at every k.")
                          .arg(name)
                          .arg(curves[i].ks.back()));
      }
    status_->setText(lines.isEmpty() ? tr("Probe the base model too to see where it catches up.") : lines.join(' '));
  }

  const QSignalBlocker blockFrom(from_), blockTo(to_);
  from_->clear();
  to_->clear();
  for (const auto* p : shown) {
    const QString label = tr("%1 (probe %2)").arg(weightsName(p->weights_step)).arg(p->id);
    from_->addItem(label, qint64(p->id));
    to_->addItem(label, qint64(p->id));
  }
  to_->setCurrentIndex(to_->count() - 1);
  showChanges();
}

void PassAtKDialog::showChanges() {
  changes_->clear();
  if (from_->count() < 2 || from_->currentIndex() == to_->currentIndex()) {
    auto* hint = new QTreeWidgetItem(changes_, {tr("Probe two sets of weights on this problem set to compare them.")});
    hint->setFirstColumnSpanned(true);
    return;
  }
  const qint64 from = from_->currentData().toLongLong(), to = to_->currentData().toLongLong();
  const auto before = probe_problems(store_->problems(from)), after = probe_problems(store_->problems(to));
  const auto diff = solved_difference(before, after);  // same set: the same problems
  auto group = [&](const QString& title, const std::vector<int>& which) {
    auto* top = new QTreeWidgetItem(changes_, {title.arg(which.size())});
    top->setFirstColumnSpanned(true);
    for (int i : which) {
      auto* item = new QTreeWidgetItem(top, {QString::number(i),
                                             QString("%1/%2 \u2192 %3/%4")
                                                 .arg(before[i].correct)
                                                 .arg(before[i].samples)
                                                 .arg(after[i].correct)
                                                 .arg(after[i].samples),
                                             QString::fromStdString(before[i].reference),
                                             QString::fromStdString(before[i].prompt).simplified()});
      item->setData(0, Qt::UserRole, i);
    }
    top->setExpanded(true);
  };
  group(tr("Gained: solved by some sample only after (%1)"), diff.gained);
  group(tr("Lost: solved by some sample only before (%1)"), diff.lost);
  for (int c = 0; c < 3; ++c) changes_->resizeColumnToContents(c);
}

void PassAtKDialog::openProblem(QTreeWidgetItem* item) {
  if (!item || !item->parent()) return;
  auto* dialog = new ProbeProblemDialog(reader_->connection().path(), from_->currentData().toLongLong(),
                                        to_->currentData().toLongLong(), item->data(0, Qt::UserRole).toInt(), this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->show();
}

void PassAtKDialog::start() {
  if (running_) return;
  PassAtKJob job;
  job.dbPath = QString::fromStdString(reader_->connection().path());
  job.configToml = configToml_;
  job.runId = runId_;
  probedLabels_.clear();
  for (int i = 0; i < weights_->count(); ++i)
    if (weights_->item(i)->checkState() == Qt::Checked) {
      job.weightDirs << weights_->item(i)->data(Qt::UserRole).toString();
      job.weightSteps << weights_->item(i)->data(Qt::UserRole + 1).toLongLong();
      probedLabels_ << weights_->item(i)->text();
    }
  if (job.weightDirs.isEmpty()) {
    status_->setText(tr("Check at least one set of weights to probe."));
    return;
  }
  job.set.problems = problems_->value();
  job.set.seed = seed_->value();
  job.set.file = file_->text().trimmed().toStdString();
  job.samples = samples_->value();
  running_ = true;
  run_->setEnabled(false);
  cancel_->setEnabled(true);
  progress_->setVisible(true);
  progress_->setValue(0);
  status_->setText(tr("Sampling %1 problems \u00D7 %2 samples for %n set(s) of weights\u2026", nullptr,
                      job.weightDirs.size())
                       .arg(job.set.problems)
                       .arg(job.samples));
  QMetaObject::invokeMethod(worker_, [w = worker_, job] { w->run(job); }, Qt::QueuedConnection);
}

void PassAtKDialog::cancel() {
  if (!running_) return;
  worker_->cancel();
  status_->setText(tr("Cancelling after the batch in hand\u2026"));
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
    status_->setText(tr("Cancelled; the weights probed before are kept and shown."));
    return;
  }
  showSet();  // the crossover against the base model
}

}  // namespace aha::ui
