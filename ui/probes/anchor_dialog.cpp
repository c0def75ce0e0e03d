#include "ui/probes/anchor_dialog.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QPainter>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QStyledItemDelegate>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

#include "core/analysis/token_trace.h"
#include "core/run/anchor_records.h"
#include "core/run/probe_records.h"
#include "ui/probes/completion_list.h"
#include "ui/probes/weights_choice.h"

namespace aha::ui {

namespace {

constexpr int kEffectRole = Qt::UserRole + 1;

// A diverging bar from the cell's middle: right and blue where keeping the step helps,
// left and vermillion where it hurts; its length |effect|, with the interval as a whisker.
class EffectBarDelegate : public QStyledItemDelegate {
 public:
  using QStyledItemDelegate::QStyledItemDelegate;
  void paint(QPainter* p, const QStyleOptionViewItem& option, const QModelIndex& index) const override {
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QString number = opt.text;
    opt.text.clear();  // the background and selection from the style; the number and bar drawn here
    const QWidget* w = opt.widget;
    (w ? w->style() : QApplication::style())->drawControl(QStyle::CE_ItemViewItem, &opt, p, w);
    const QVariantList v = index.data(kEffectRole).toList();
    if (v.size() < 2) return;
    const double effect = v[0].toDouble(), half = v[1].toDouble();
    const int numberWidth = opt.fontMetrics.horizontalAdvance("+0.00") + 8;
    p->save();
    p->setPen(opt.state & QStyle::State_Selected ? opt.palette.highlightedText().color() : opt.palette.text().color());
    p->drawText(opt.rect.adjusted(4, 0, 0, 0), Qt::AlignVCenter | Qt::AlignLeft, number);
    const QRect r = opt.rect.adjusted(4 + numberWidth, 4, -6, -4);
    const int mid = r.center().x(), reach = r.width() / 2;
    p->setPen(QColor("#999"));
    p->drawLine(mid, r.top(), mid, r.bottom());
    const int len = static_cast<int>(std::round(std::min(1.0, std::abs(effect)) * reach));
    const QColor colour = effect >= 0 ? QColor("#0072B2") : QColor("#D55E00");
    const QRect bar = effect >= 0 ? QRect(mid, r.top() + 2, len, r.height() - 4) : QRect(mid - len, r.top() + 2, len, r.height() - 4);
    p->fillRect(bar, colour);
    if (opt.state & QStyle::State_Selected && len > 0) {  // visible on the selection's colour
      p->setPen(Qt::white);
      p->drawRect(bar.adjusted(0, 0, -1, -1));
    }
    p->setPen(QPen(QColor("#333"), 1));
    const int lo = mid + static_cast<int>(std::round(std::clamp(effect - half, -1.0, 1.0) * reach));
    const int hi = mid + static_cast<int>(std::round(std::clamp(effect + half, -1.0, 1.0) * reach));
    p->drawLine(lo, r.center().y(), hi, r.center().y());
    p->restore();
  }
  QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override {
    return QSize(200, QStyledItemDelegate::sizeHint(option, index).height());
  }
};

std::string step_text(const std::string& completion, const TraceStep& s) {
  std::string t = completion.substr(s.begin, s.end - s.begin);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\n')) t.pop_back();
  return t;
}

std::vector<db::ProbeCompletionRow> rows_of(const std::vector<AnchorContinuation>& cs) {
  std::vector<db::ProbeCompletionRow> out;
  for (const auto& c : cs) out.push_back({0, static_cast<int>(out.size()), c.text, c.answer, c.correct, c.truncated});
  return out;
}

}  // namespace

AnchorDialog::AnchorDialog(std::shared_ptr<db::RunReader> reader, qint64 sampleId, AnchorWorker::MapFunction map,
                           QWidget* parent)
    : QDialog(parent), reader_(std::move(reader)), sample_(reader_->sample(sampleId)) {
  qRegisterMetaType<aha::AnchorRequest>();
  qRegisterMetaType<aha::AnchorMap>();
  setWindowTitle(tr("Anchor map: sample %1").arg(sampleId));
  auto* header = new QLabel(this);
  header->setWordWrap(true);
  table_ = new QTableWidget(0, 2, this);
  table_->setHorizontalHeaderLabels({tr("Effect of resampling it"), tr("Step")});
  table_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Fixed);
  table_->horizontalHeader()->resizeSection(0, 200);
  table_->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
  table_->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->setItemDelegateForColumn(0, new EffectBarDelegate(table_));
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->setWordWrap(true);
  keptLabel_ = new QLabel(this);
  awayLabel_ = new QLabel(this);
  keptList_ = new QListWidget(this);
  awayList_ = new QListWidget(this);
  for (auto* l : {keptList_, awayList_}) l->setWordWrap(true);
  for (auto* l : {keptLabel_, awayLabel_}) l->setWordWrap(true);
  weights_ = new QComboBox(this);
  budget_ = new QSpinBox(this);
  budget_->setRange(0, 100000);
  budget_->setSpecialValueText(tr("16 per boundary (a quarter of a full map)"));
  budget_->setToolTip(tr("Continuations in all: each boundary between steps gets 8, then more go where a step's "
                         "interval is widest, forks first"));
  full_ = new QCheckBox(tr("&Full map: 64 continuations at every boundary (the reference; 4x the time)"), this);
  seed_ = new QSpinBox(this);
  seed_->setRange(0, 1 << 30);
  seed_->setValue(1);
  kept_ = new QComboBox(this);
  kept_->setToolTip(tr("The maps of this sample kept before: choose one to see it again"));
  run_ = new QPushButton(tr("&Compute Map"), this);
  stop_ = new QPushButton(tr("S&top"), this);
  stop_->setEnabled(false);
  status_ = new QLabel(this);
  status_->setWordWrap(true);
  progress_ = new QProgressBar(this);
  progress_->setVisible(false);

  auto* form = new QFormLayout;
  form->addRow(tr("&Weights"), weights_);
  form->addRow(tr("&Budget"), budget_);
  form->addRow(QString(), full_);
  form->addRow(tr("S&eed"), seed_);
  form->addRow(tr("&Kept"), kept_);
  auto* lists = new QWidget(this);
  auto* ll = new QVBoxLayout(lists);
  ll->setContentsMargins(0, 0, 0, 0);
  ll->addWidget(keptLabel_);
  ll->addWidget(keptList_, 1);
  ll->addWidget(awayLabel_);
  ll->addWidget(awayList_, 1);
  auto* split = new QSplitter(Qt::Horizontal, this);
  split->addWidget(table_);
  split->addWidget(lists);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
  buttons->addButton(run_, QDialogButtonBox::ActionRole);
  buttons->addButton(stop_, QDialogButtonBox::ActionRole);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(run_, &QPushButton::clicked, this, &AnchorDialog::start);
  connect(stop_, &QPushButton::clicked, this, &AnchorDialog::stop);
  connect(table_, &QTableWidget::currentCellChanged, this, [this](int row) { showStep(row); });
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(header);
  layout->addWidget(split, 1);
  layout->addLayout(form);
  layout->addWidget(status_);
  layout->addWidget(progress_);
  layout->addWidget(buttons);
  resize(1100, 720);

  worker_ = new AnchorWorker(std::move(map));
  worker_->moveToThread(&thread_);
  connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
  connect(this, &AnchorDialog::requested, worker_, &AnchorWorker::run, Qt::QueuedConnection);
  connect(worker_, &AnchorWorker::progress, this, [this](int done, int total) {
    progress_->setVisible(true);
    progress_->setRange(0, total);
    progress_->setValue(done);
    status_->setText(tr("Sampling: %1 of at most %2 continuations").arg(done).arg(total));
  });
  connect(worker_, &AnchorWorker::finished, this, [this](const aha::AnchorMap& map, const QString& error, bool cancelled) {
    running_ = false;
    run_->setEnabled(true);
    stop_->setEnabled(false);
    progress_->setVisible(false);
    if (cancelled) return status_->setText(tr("Stopped: nothing was kept."));
    if (!error.isEmpty()) return status_->setText(tr("The map failed: %1").arg(error.toHtmlEscaped()));
    const auto record = anchors_record(sample_->run_id, sample_->id, pending_.weights.step, map, pending_.options,
                                       sample_->reference);
    try {
      if (!store_) throw std::runtime_error("the database did not open for writing");
      loadKept(store_->add(record.probe, record.problems, record.completions));
    } catch (const std::exception& e) {
      showMap(map);
      status_->setText(status_->text() + tr(" Not kept: %1").arg(QString::fromStdString(e.what()).toHtmlEscaped()));
    }
  });
  thread_.start();

  if (const QString problem = readSampleConfig(*reader_, sample_, sampleId, config_); !problem.isEmpty()) {
    header->setText(problem);
    run_->setEnabled(false);
    return;
  }
  const auto run = reader_->run(sample_->run_id);
  const auto steps = trace_steps(sample_->completion);
  header->setText(tr("<b>%1</b>, step %2 &nbsp; prompt <code>%3</code> &nbsp; reference <b>%4</b> &nbsp; %5 &nbsp; "
                     "%6 steps. For each step: continuations from just after it (kept) against those from just "
                     "before it that write a different step (resampled away).")
                      .arg(QString::fromStdString(run->name).toHtmlEscaped())
                      .arg(sample_->step)
                      .arg(QString::fromStdString(sample_->prompt).toHtmlEscaped())
                      .arg(QString::fromStdString(sample_->reference).toHtmlEscaped())
                      .arg(sample_->correct ? tr("right") : tr("wrong"))
                      .arg(steps.size()));
  if (steps.empty()) {
    status_->setText(tr("This completion has no thinking to map (no text before </think>)."));
    run_->setEnabled(false);
  }
  table_->setRowCount(static_cast<int>(steps.size()));  // the steps, before any map
  for (int i = 0; i < table_->rowCount(); ++i)
    table_->setItem(i, 1, new QTableWidgetItem(QString::fromStdString(step_text(sample_->completion, steps[i]))));
  if (const auto blob = reader_->token_trace(sample_->id))
    if (const auto tokens = decode_token_trace(*blob)) forks_ = fork_steps(sample_->completion, steps, *tokens);
  fillWeightsChoice(weights_, *reader_, run->id, config_, sample_->step);
  status_->setText(tr("No map yet: Compute Map samples one (seconds on the built-in model)."));
  try {
    store_ = std::make_unique<db::ProbeStore>(reader_->connection().path());
    loadKept(-1);
  } catch (const std::exception& e) {
    status_->setText(tr("Maps cannot be kept in this database: %1").arg(QString::fromStdString(e.what())));
  }
  connect(kept_, &QComboBox::currentIndexChanged, this, [this] {
    const auto probe = store_ ? store_->probe(kept_->currentData().toLongLong()) : std::nullopt;
    if (probe) showMap(stored_anchors(*probe, store_->completions(probe->id), sample_->completion));
  });
}

AnchorDialog::~AnchorDialog() {
  worker_->cancel();
  thread_.quit();
  thread_.wait();
}

void AnchorDialog::start() {
  if (running_ || !sample_) return;
  pending_ = {};
  pending_.run = config_;
  pending_.weights = chosenWeights(weights_);
  pending_.prompt = sample_->prompt;
  pending_.trace = {sample_->completion, sample_->reference, config_.prompt_format().opens_think(), forks_};
  pending_.options.full_samples = full_->isChecked() ? 64 : 0;
  pending_.options.budget = budget_->value();
  pending_.options.seed = static_cast<uint64_t>(seed_->value());
  running_ = true;
  run_->setEnabled(false);
  stop_->setEnabled(true);
  status_->setText(tr("Loading %1\u2026").arg(weights_->currentText()));
  worker_->rearm();
  emit requested(pending_);
}

void AnchorDialog::stop() {
  if (running_) worker_->cancel();
}

void AnchorDialog::loadKept(qint64 select) {
  const QSignalBlocker block(kept_);
  kept_->clear();
  const auto kept = store_->anchor_maps_of(sample_->id);
  for (const auto& p : kept)
    kept_->addItem(tr("probe %1: %2 continuations from %3").arg(p.id).arg(p.samples).arg(QString::fromStdString(weights_label(p.weights_step))),
                   qint64(p.id));
  kept_->setEnabled(!kept.empty());
  if (kept.empty()) {
    kept_->addItem(tr("none yet"));
    return;
  }
  const int at = kept_->findData(select);
  kept_->setCurrentIndex(at >= 0 ? at : kept_->count() - 1);
  const auto& p = kept[kept_->currentIndex()];
  showMap(stored_anchors(p, store_->completions(p.id), sample_->completion));
}

void AnchorDialog::showMap(const AnchorMap& map) {
  map_ = map;
  table_->setRowCount(static_cast<int>(map.anchors.size()));
  for (int i = 0; i < table_->rowCount(); ++i) {
    const auto& a = map.anchors[i];
    auto* bar = new QTableWidgetItem(QString::asprintf("%+.2f", a.effect));
    bar->setData(kEffectRole, QVariantList{a.effect, a.effect_half_width});
    auto* text = new QTableWidgetItem(QString::fromStdString(step_text(sample_->completion, a.step)));
    const int before = a.resampled + a.rewritten_same;
    const QString tip =
        tr("Step %1: effect %2 \u00B1 %3 (what resampling it changes in accuracy, on average)\n"
           "Kept (continued from after it): %4 of %5 right\n"
           "Resampled away: %6 of %7 continuations from before it wrote a different step; %8\n"
           "Resilience: the step's content came back later in %9")
            .arg(i + 1)
            .arg(a.effect, 0, 'f', 2)
            .arg(a.effect_half_width, 0, 'f', 2)
            .arg(a.kept_correct)
            .arg(a.kept)
            .arg(a.resampled)
            .arg(before)
            .arg(a.resampled ? tr("%1 of them right (importance %2 \u00B1 %3)")
                                   .arg(a.resampled_correct)
                                   .arg(a.importance, 0, 'f', 2)
                                   .arg(a.half_width, 0, 'f', 2)
                             : tr("the model writes this step whatever it samples"))
            .arg(a.resampled ? tr("%1 of %2 (%3)").arg(a.came_back).arg(a.resampled).arg(a.resilience, 0, 'f', 2)
                             : tr("- (none differed)"));
    bar->setToolTip(tip);
    text->setToolTip(tip);
    table_->setItem(i, 0, bar);
    table_->setItem(i, 1, text);
  }
  const auto rank = anchor_ranking(map.anchors);
  QStringList top;
  for (size_t k = 0; k < std::min<size_t>(3, rank.size()); ++k)
    if (map.anchors[rank[k]].effect != 0)
      top << tr("step %1 (%2)").arg(rank[k] + 1).arg(map.anchors[rank[k]].effect, 0, 'f', 2);
  if (top.isEmpty()) top << tr("none (resampling no step changed the accuracy)");
  status_->setText(tr("%1 map: %2 continuations in %3 s. Most decisive: %4. Click a step for its continuations.")
                       .arg(map.adaptive ? tr("Adaptive") : tr("Full"))
                       .arg(map.total())
                       .arg(map.seconds, 0, 'f', 1)
                       .arg(top.join(", ")));
  if (!rank.empty()) table_->setCurrentCell(rank[0], 1);
}

void AnchorDialog::showStep(int step) {
  keptList_->clear();
  awayList_->clear();
  if (!map_ || step < 0 || step >= static_cast<int>(map_->anchors.size()) ||
      step + 1 >= static_cast<int>(map_->continuations.size()))
    return;
  const auto& a = map_->anchors[step];
  const std::string original = step_text(sample_->completion, a.step);
  std::vector<AnchorContinuation> away;
  for (const auto& c : map_->continuations[step])
    if (!same_step(original, first_step(c.text))) away.push_back(c);
  keptLabel_->setText(tr("<b>Kept</b>: from after step %1, %2 of %3 right").arg(step + 1).arg(a.kept_correct).arg(a.kept));
  awayLabel_->setText(tr("<b>Resampled away</b>: from before it, a different step (%1 of %2), %3 right")
                          .arg(away.size())
                          .arg(map_->continuations[step].size())
                          .arg(a.resampled_correct));
  showCompletions(keptList_, rows_of(map_->continuations[step + 1]));
  showCompletions(awayList_, rows_of(away));
}

}  // namespace aha::ui
