#include "ui/probes/resample_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

#include "core/run/probe_records.h"
#include "ui/probes/completion_list.h"
#include "ui/probes/weights_choice.h"

namespace aha::ui {

namespace {

// "accuracy 0.94 (60/64) · reflect after the point 12 · fix 2, ritual 9".
QString statsText(const ContinuationStats& st) {
  QStringList outcomes;
  for (int o = 0; o < kReflectionOutcomes; ++o)
    if (st.outcomes[o]) outcomes << QString("%1 %2").arg(to_string(static_cast<ReflectionOutcome>(o))).arg(st.outcomes[o]);
  return QObject::tr("accuracy <b>%1</b> (%2/%3 right) &middot; reflect after the point: %4 (%5 with a fix) "
                     "&middot; events: %6")
      .arg(st.samples ? double(st.correct) / st.samples : 0.0, 0, 'f', 2)
      .arg(st.correct)
      .arg(st.samples)
      .arg(st.reflective)
      .arg(st.fixed)
      .arg(outcomes.isEmpty() ? QObject::tr("none") : outcomes.join(", "));
}

}  // namespace

ResampleDialog::ResampleDialog(std::shared_ptr<db::RunReader> reader, qint64 sampleId, Resampler resampler, int point,
                               QWidget* parent)
    : QDialog(parent), reader_(std::move(reader)), sample_(reader_->sample(sampleId)), resampler_(std::move(resampler)) {
  setWindowTitle(tr("Resample from here: sample %1").arg(sampleId));
  auto* header = new QLabel(this);
  header->setWordWrap(true);
  text_ = new QPlainTextEdit(this);
  text_->setFont(QFont("monospace"));
  samples_ = new QSpinBox(this);
  samples_->setRange(1, 4096);
  samples_->setValue(64);
  seed_ = new QSpinBox(this);
  seed_->setRange(0, 1 << 30);
  seed_->setValue(1);
  weights_ = new QComboBox(this);
  kept_ = new QComboBox(this);
  kept_->setToolTip(tr("The resamples of this sample kept before: choose one to see it again"));
  run_ = new QPushButton(tr("&Resample"), this);
  summary_ = new QLabel(this);
  summary_->setWordWrap(true);
  summary_->setTextFormat(Qt::RichText);
  list_ = new QListWidget(this);
  list_->setWordWrap(true);
  auto* where = new QLabel(this);  // the point, shown as the text around the cursor
  where->setTextFormat(Qt::RichText);
  connect(text_, &QPlainTextEdit::cursorPositionChanged, this, [this, where] {
    const QString all = text_->toPlainText();
    const int at = text_->textCursor().position();
    where->setText(tr("From character %1: <code>…%2</code><b style='color:#D55E00'>│</b><code "
                      "style='color:#999'>%3…</code> (greyed: dropped)")
                       .arg(at)
                       .arg(all.mid(std::max(0, at - 40), std::min(at, 40)).toHtmlEscaped())
                       .arg(all.mid(at, 30).toHtmlEscaped()));
  });
  auto* form = new QFormLayout;
  form->addRow(tr("Point"), where);
  form->addRow(tr("&Weights"), weights_);
  form->addRow(tr("&Samples"), samples_);
  form->addRow(tr("S&eed"), seed_);
  form->addRow(tr("&Kept"), kept_);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
  buttons->addButton(run_, QDialogButtonBox::ActionRole);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(run_, &QPushButton::clicked, this, &ResampleDialog::start);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(header);
  layout->addWidget(new QLabel(tr("Put the cursor where to continue from; the text after it is dropped, the text "
                                  "before it may be edited (delete a \u201Cwait\u201D, insert \u201CWait, let me "
                                  "check\u201D)."),
                               this));
  layout->addWidget(text_, 1);
  layout->addLayout(form);
  layout->addWidget(summary_);
  layout->addWidget(list_, 2);
  layout->addWidget(buttons);
  resize(900, 640);
  if (const QString problem = readSampleConfig(*reader_, sample_, sampleId, config_); !problem.isEmpty()) {
    header->setText(problem);
    run_->setEnabled(false);
    return;
  }
  const auto run = reader_->run(sample_->run_id);
  header->setText(tr("<b>%1</b>, step %2 &nbsp; prompt <code>%3</code> &nbsp; reference <b>%4</b> &nbsp; %5")
                      .arg(QString::fromStdString(run->name).toHtmlEscaped())
                      .arg(sample_->step)
                      .arg(QString::fromStdString(sample_->prompt).toHtmlEscaped())
                      .arg(QString::fromStdString(sample_->reference).toHtmlEscaped())
                      .arg(sample_->correct ? tr("right") : tr("wrong")));
  const QString completion = QString::fromStdString(sample_->completion);
  text_->setPlainText(completion);
  QTextCursor at = text_->textCursor();
  const QList<uint> cps = completion.toUcs4();
  at.setPosition(point < 0 || point > cps.size()
                     ? completion.size()
                     : QString::fromUcs4(reinterpret_cast<const char32_t*>(cps.data()), point).size());
  text_->setTextCursor(at);
  text_->setFocus();
  emit text_->cursorPositionChanged();  // the point's label
  // The weights: those nearest the ones that drew it, the base model, every checkpoint on disk.
  fillWeightsChoice(weights_, *reader_, run->id, config_, sample_->step);
  summary_->setText(tr("The original, from the cursor: run to compare."));
  try {
    store_ = std::make_unique<db::ProbeStore>(reader_->connection().path());
    loadKept(-1);
  } catch (const std::exception& e) {
    summary_->setText(tr("Resamples cannot be kept in this database: %1").arg(QString::fromStdString(e.what())));
  }
  // A kept resample chosen: shown, and its text and point restored to run it again.
  connect(kept_, &QComboBox::currentIndexChanged, this, [this] {
    const auto probe = store_ ? store_->probe(kept_->currentData().toLongLong()) : std::nullopt;
    if (!probe) return;
    const auto continuations = store_->completions(probe->id);
    const auto r = stored_resample(*probe, continuations);
    const QString prefix = QString::fromStdString(r.prefix);
    text_->setPlainText(prefix + QString::fromStdString(sample_->completion.substr(std::min(r.point, sample_->completion.size()))));
    QTextCursor at = text_->textCursor();
    at.setPosition(prefix.size());
    text_->setTextCursor(at);
    showResample(*probe, continuations);
  });
}

void ResampleDialog::loadKept(qint64 select) {
  const QSignalBlocker block(kept_);
  kept_->clear();
  const auto kept = store_->resamples_of(sample_->id);
  for (const auto& p : kept)
    kept_->addItem(tr("probe %1: %2 continuations from %3, %4 right")
                       .arg(p.id)
                       .arg(p.samples)
                       .arg(QString::fromStdString(weights_label(p.weights_step)))
                       .arg(p.correct),
                   qint64(p.id));
  kept_->setEnabled(!kept.empty());
  if (kept.empty()) {
    kept_->addItem(tr("none yet"));
    return;
  }
  const int at = kept_->findData(select);
  kept_->setCurrentIndex(at >= 0 ? at : kept_->count() - 1);
  showResample(kept[kept_->currentIndex()], store_->completions(kept[kept_->currentIndex()].id));
}

void ResampleDialog::showResample(const db::ProbeRow& probe, const std::vector<db::ProbeCompletionRow>& continuations) {
  const auto r = stored_resample(probe, continuations);
  const std::string& original = sample_->completion;
  const size_t point = std::min(r.point, original.size());
  const bool opens = config_.prompt_format().opens_think();
  const ReflectionDetector detector(config_.lexicon());
  const auto before = judge_continuations(original.substr(0, point), point, {original.substr(point)},
                                          {sample_->truncated}, sample_->reference, opens, detector);
  const auto after =
      judge_continuations(r.prefix, point, r.continuations, r.truncated, sample_->reference, opens, detector);
  const QString prefix = QString::fromStdString(r.prefix);
  summary_->setText(tr("Probe %1, continued from <code>…%2</code><b style='color:#D55E00'>│</b><br>"
                       "<b>Original</b> from the point: %3<br><b>%4 continuations</b> from %5 (seed %6, %7 s): %8")
                        .arg(probe.id)
                        .arg(prefix.right(40).toHtmlEscaped())
                        .arg(statsText(before))
                        .arg(r.continuations.size())
                        .arg(QString::fromStdString(weights_label(probe.weights_step)))
                        .arg(r.seed)
                        .arg(probe.seconds, 0, 'f', 1)
                        .arg(statsText(after)));
  showCompletions(list_, continuations);
}

void ResampleDialog::start() {
  if (running_ || !sample_ || !resampler_) {
    if (!resampler_) summary_->setText(tr("Resampling needs the engine: open the database in the studio."));
    return;
  }
  const QString edited = text_->toPlainText().left(text_->textCursor().position());
  const std::string prefix = edited.toStdString(), original = sample_->completion;
  // The point: where the edited text leaves the original (the cursor when nothing was edited).
  size_t point = 0;
  while (point < prefix.size() && point < original.size() && prefix[point] == original[point]) ++point;
  while (point > 0 && (static_cast<unsigned char>(prefix[point]) & 0xC0) == 0x80) --point;  // a character's start
  ResampleRequest request;
  request.run = config_;
  request.weights = chosenWeights(weights_);
  request.prompt = sample_->prompt;
  request.prefix = prefix;
  request.samples = samples_->value();
  request.seed = static_cast<uint64_t>(seed_->value());
  running_ = true;
  run_->setEnabled(false);
  list_->clear();
  summary_->setText(tr("Sampling %1 continuations from %2\u2026").arg(request.samples).arg(weights_->currentText()));
  auto* watcher = new QFutureWatcher<std::pair<ResampleResult, QString>>(this);
  connect(watcher, &QFutureWatcherBase::finished, this, [=, this] {
    watcher->deleteLater();
    running_ = false;
    run_->setEnabled(true);
    const auto [result, error] = watcher->result();
    if (!error.isEmpty()) {
      summary_->setText(tr("Resampling failed: %1").arg(error.toHtmlEscaped()));
      return;
    }
    const auto record = resample_record(sample_->run_id, sample_->id, request, point, result, sample_->reference);
    try {
      if (!store_) throw std::runtime_error("the database did not open for writing");
      loadKept(store_->add(record.probe, record.problems, record.completions));
    } catch (const std::exception& e) {
      showResample(record.probe, record.completions);
      summary_->setText(summary_->text() + tr("<br>Not kept: %1").arg(QString::fromStdString(e.what()).toHtmlEscaped()));
    }
  });
  watcher->setFuture(QtConcurrent::run([resampler = resampler_, request]() -> std::pair<ResampleResult, QString> {
    try {
      return {resampler(request), QString()};
    } catch (const std::exception& e) {
      return {ResampleResult{}, QString::fromStdString(e.what())};
    }
  }));
}

}  // namespace aha::ui
