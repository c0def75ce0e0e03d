#include "ui/traces/trace_detail_view.h"

#include <QComboBox>
#include <QMouseEvent>
#include <QPointer>
#include <QRegularExpression>
#include <QtConcurrent/QtConcurrentRun>
#include <QFutureWatcher>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QTableWidget>
#include <QTextBrowser>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

#include <spdlog/spdlog.h>

#include "core/analysis/reflection.h"
#include "core/analysis/token_lens.h"
#include "db/run_reader.h"
#include "ui/probes/anchor_dialog.h"
#include "ui/probes/resample_dialog.h"
#include "ui/traces/trace_html.h"

namespace aha::ui {
namespace {
QString rewardsText(const db::SampleRow& s) {
  QStringList parts;
  const auto o = QJsonDocument::fromJson(QByteArray::fromStdString(s.rewards_json)).object();
  for (auto it = o.begin(); it != o.end(); ++it) parts << QString("%1 %2").arg(it.key()).arg(it.value().toDouble(), 0, 'g', 3);
  return parts.join(", ");
}
QString legend() {
  QString out;
  for (const char* c : {"verification", "backtracking", "subgoal", "backward_chaining", "restart"})
    out += QString("<span style='background:%1'>&nbsp;%2&nbsp;</span> ").arg(reflectionColor(c).name(), c);
  out += "&nbsp; ";
  for (const char* o : {"fix", "confirm", "miss", "break", "ritual"})
    out += QString("<span style='background:%1;color:white'>&nbsp;%2&nbsp;</span> ").arg(outcomeColor(o).name(), o);
  return out;
}

// The sample's events: as stored, or (a sample stored before events were kept) analysed
// now, judged against its reference.
std::string eventsOf(const db::SampleRow& s) {
  if (s.aha_events_json) return *s.aha_events_json;
  const auto a0 = s.completion.find("<answer>"), a1 = s.completion.find("</answer>");
  const std::string answer =
      a0 != std::string::npos && a1 != std::string::npos && a1 > a0 ? s.completion.substr(a0 + 8, a1 - a0 - 8) : "";
  static const ReflectionDetector detector;
  return events_to_json(detector.analyse(s.completion, answer, numeric_judge(s.reference)).events);
}

// "2 events: fix, ritual" (in text order).
QString eventsText(const std::string& json) {
  const auto events = events_from_json(json);
  if (events.empty()) return QString();
  QStringList outcomes;
  for (const auto& e : events)
    outcomes << (e.outcome == ReflectionOutcome::None ? QString(to_string(e.behaviour)) : QString(to_string(e.outcome)));
  return QObject::tr(" &nbsp; %n event(s): %1", nullptr, static_cast<int>(events.size())).arg(outcomes.join(", "));
}
}  // namespace

TraceDetailView::TraceDetailView(QWidget* parent) : QWidget(parent) {
  header_ = new QLabel(tr("Select a trace to read it."), this);
  header_->setWordWrap(true);
  header_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  text_ = new QTextBrowser(this);
  group_ = new QTableWidget(this);
  history_ = new QTableWidget(this);
  tabs_ = new QTabWidget(this);
  auto* tracePage = new QWidget(this);
  auto* tl = new QVBoxLayout(tracePage);
  tl->setContentsMargins(0, 0, 0, 0);
  auto* legendLabel = new QLabel(tr("Highlights: ") + legend(), tracePage);
  legendLabel->setWordWrap(true);  // a narrow detail pane leaves the table its room
  tl->addWidget(legendLabel);
  lensChoice_ = new QComboBox(tracePage);
  lensChoice_->addItems({tr("Reflection"), tr("Entropy"), tr("Log-probability"), tr("Advantage × (1 − p)"),
                         tr("Covariance (log p, A)")});
  lensChoice_->setToolTip(tr("The token lens: colour each token by the entropy of the distribution it was sampled "
                             "from, by its log-probability, or by how hard the update pushed it"));
  lensNote_ = new QLabel(tracePage);
  lensNote_->setWordWrap(true);
  lensNote_->setStyleSheet("color:#555");
  auto* lensRow = new QHBoxLayout;
  auto* lensLabel = new QLabel(tr("&Colour by:"), tracePage);
  lensLabel->setBuddy(lensChoice_);
  lensRow->addWidget(lensLabel);
  lensRow->addWidget(lensChoice_);
  lensRow->addStretch();
  resample_ = new QPushButton(tr("Resample from &Here..."), tracePage);
  resample_->setToolTip(tr("Continue this trace many times from a point (the token clicked last), the text before "
                           "it kept or edited, and compare the answers and reflections (docs/PROBES.md)"));
  resample_->setEnabled(false);
  lensRow->addWidget(resample_);
  connect(resample_, &QPushButton::clicked, this, [this] {
    if (id_ < 0) return;
    auto* dialog = new ResampleDialog(reader_, id_, resampler_, clickedChar_, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
  });
  anchors_ = new QPushButton(tr("&Anchor Map..."), tracePage);
  anchors_->setToolTip(tr("Which steps decided this trace's answer: each resampled away against kept, by "
                          "continuations from stored weights (docs/ANCHORS.md)"));
  anchors_->setEnabled(false);
  lensRow->addWidget(anchors_);
  connect(anchors_, &QPushButton::clicked, this, [this] {
    if (id_ < 0) return;
    auto* dialog = new AnchorDialog(reader_, id_, anchorMapper_, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
  });
  tl->addLayout(lensRow);
  tl->addWidget(lensNote_);
  tl->addWidget(text_);
  alternatives_ = new QLabel(tracePage);
  alternatives_->setWordWrap(true);
  alternatives_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  alternatives_->hide();
  tl->addWidget(alternatives_);
  text_->viewport()->installEventFilter(this);  // a click on a token asks for its alternatives
  connect(lensChoice_, &QComboBox::currentIndexChanged, this, [this] {
    if (id_ >= 0) showSample(id_);
  });
  tabs_->addTab(tracePage, tr("&Trace"));
  tabs_->addTab(group_, tr("&Group"));
  tabs_->addTab(history_, tr("&History"));
  group_->setToolTip(tr("All completions GRPO compared for this prompt at this step"));
  history_->setToolTip(tr("The same prompt at every step it was sampled"));
  for (auto* t : {group_, history_}) {
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    t->verticalHeader()->hide();
    t->horizontalHeader()->setStretchLastSection(true);
    t->setWordWrap(true);
    t->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    t->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);  // a tall row scrolls smoothly
    t->setTextElideMode(Qt::ElideNone);
    // Rows as tall as their wrapped completion at the completion column's width, whenever
    // the table's width changes (the pane's splitter, the window): after the resize, once
    // the stretched column has its new width.
    t->viewport()->installEventFilter(this);
    connect(t, &QTableWidget::cellDoubleClicked, this, [this, t](int row, int) {
      if (auto* item = t->item(row, 0)) showSample(item->data(Qt::UserRole).toLongLong());
    });
  }
  auto* tagRow = new QHBoxLayout;
  tagRow->addWidget(new QLabel(tr("Tags:"), this), 0, Qt::AlignTop);
  tagGrid_ = new QGridLayout;
  tagGrid_->setSpacing(2);
  tagRow->addLayout(tagGrid_);
  tagRow->addStretch();
  note_ = new QPlainTextEdit(this);
  note_->setPlaceholderText(tr("Note on this trace (saved as you type)"));
  note_->setMaximumHeight(70);
  noteTimer_ = new QTimer(this);
  noteTimer_->setSingleShot(true);
  noteTimer_->setInterval(600);
  connect(noteTimer_, &QTimer::timeout, this, &TraceDetailView::saveNote);
  connect(note_, &QPlainTextEdit::textChanged, this, [this] {
    if (id_ >= 0) noteTimer_->start();
  });

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(header_);
  layout->addWidget(tabs_, 1);
  layout->addLayout(tagRow);
  layout->addWidget(note_);
}

TraceDetailView::~TraceDetailView() { saveNote(); }

void TraceDetailView::setDatabase(std::shared_ptr<db::RunReader> reader, std::shared_ptr<db::TagStore> tags) {
  saveNote();
  reader_ = std::move(reader);
  tags_ = std::move(tags);
  showSample(-1);
}

void TraceDetailView::setTags(const std::vector<db::Tag>& tags) {
  tagList_ = tags;
  qDeleteAll(tagButtons_);
  tagButtons_.clear();
  for (size_t i = 0; i < tags.size(); ++i) {
    auto* b = new QToolButton(this);
    QPixmap swatch(10, 10);
    swatch.fill(QColor(QString::fromStdString(tags[i].color)));
    b->setIcon(QIcon(swatch));
    b->setText(i < 9 ? QString("%1 %2").arg(i + 1).arg(QString::fromStdString(tags[i].name))
                     : QString::fromStdString(tags[i].name));
    b->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    b->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);  // each fills its cell: no ragged gaps
    b->setCheckable(true);
    const QString name = QString::fromStdString(tags[i].name);
    b->setToolTip(i < 9 ? tr("Tag '%1': on or off for the selected traces (key %2)").arg(name).arg(i + 1)
                        : tr("Tag '%1': on or off for the selected traces").arg(name));
    b->setProperty("tagId", QVariant::fromValue<qint64>(tags[i].id));
    connect(b, &QToolButton::clicked, this, [this, id = tags[i].id](bool on) { emit tagToggled(id, on); });
    tagGrid_->addWidget(b, int(i) / kTagColumns, int(i) % kTagColumns);
    tagButtons_ << b;
  }
  refreshTags();
}

void TraceDetailView::refreshTags() {
  std::vector<db::Tag> on;
  if (tags_ && id_ >= 0) on = tags_->tags_of(id_);
  for (auto* b : tagButtons_) {
    const qint64 tid = b->property("tagId").toLongLong();
    const QSignalBlocker block(b);
    b->setChecked(std::any_of(on.begin(), on.end(), [&](const db::Tag& t) { return t.id == tid; }));
    b->setEnabled(id_ >= 0);
  }
}

void TraceDetailView::showSample(qint64 sampleId) {
  saveNote();
  const qint64 previous = id_;
  id_ = -1;
  std::optional<db::SampleRow> s;
  if (reader_ && sampleId >= 0) s = reader_->sample(sampleId);
  if (!s) {
    header_->setText(tr("Select a trace to read it."));
    text_->clear();
    lensNote_->clear();
    alternatives_->hide();
    resample_->setEnabled(false);
    anchors_->setEnabled(false);
    group_->setRowCount(0);
    history_->setRowCount(0);
    const QSignalBlocker block(note_);
    note_->clear();
    note_->setEnabled(false);
    refreshTags();
    return;
  }
  if (sampleId != previous) alternatives_->hide(), clickedChar_ = -1;
  resample_->setEnabled(true);
  anchors_->setEnabled(true);
  id_ = sampleId;
  const QString prompt = QString::fromStdString(s->prompt), completion = QString::fromStdString(s->completion);
  const std::string events = eventsOf(*s);
  header_->setText(tr("<b>Step %1</b>, group %2, sample %3 &nbsp; reward <b>%4</b> (%5) &nbsp; advantage <b>%6</b> "
                      "&nbsp; %7 &nbsp; %8 tokens &nbsp; aha %9%10%11%12")
                       .arg(s->step)
                       .arg(s->group_index)
                       .arg(s->index_in_group)
                       .arg(s->reward, 0, 'g', 3)
                       .arg(rewardsText(*s))
                       .arg(s->advantage, 0, 'f', 3)
                       .arg(s->correct ? tr("<span style='color:#009E73'>right</span>")
                                       : tr("<span style='color:#D55E00'>wrong</span>"))
                       .arg(s->token_count)
                       .arg(s->aha_score, 0, 'f', 2)
                       .arg(eventsText(events))
                       .arg(s->real_aha ? tr(" <b>real aha</b> (a fix)") : QString())
                       .arg(s->language_mixing ? tr(" · language mixing") : QString()));
  text_->setHtml("<div style='background:#f3f3f3;padding:4px;font-family:monospace'>" + prompt.toHtmlEscaped() +
                 "</div><div style='color:#777;font-size:small'>reference: " +
                 QString::fromStdString(s->reference).toHtmlEscaped() + "</div>" +
                 (s->extra_json.empty() ? QString()
                                        : "<div style='color:#777;font-size:small'>" + tr("from the engine: ") +
                                              QString::fromStdString(s->extra_json).toHtmlEscaped() + "</div>") +
                 traceHtml(completion, QString::fromStdString(s->aha_spans_json), QString::fromStdString(events),
                           prompt.endsWith("<think>"), searchTerms_, tokenPaints(*s, completion)));
  fillTable(group_, reader_->group_of(sampleId), false);
  fillTable(history_, reader_->prompt_history(s->prompt_id), true);
  const QSignalBlocker block(note_);
  note_->setEnabled(tags_ != nullptr);
  note_->setPlainText(tags_ ? QString::fromStdString(tags_->note(sampleId)) : QString());
  refreshTags();
}

double TraceDetailView::forkThreshold(int64_t runId) {
  std::vector<double> values;
  for (const auto& p : reader_->metric_series(runId, "lens/fork_threshold"))
    if (std::isfinite(p.value)) values.push_back(p.value);
  if (values.empty()) return 0;
  std::nth_element(values.begin(), values.begin() + values.size() / 2, values.end());
  return values[values.size() / 2];
}

std::vector<TokenPaint> TraceDetailView::tokenPaints(const db::SampleRow& s, const QString& completion) {
  const auto mode = static_cast<LensMode>(lensChoice_->currentIndex());
  const auto blob = reader_->token_trace(s.id);
  const auto trace = blob ? decode_token_trace(*blob) : std::nullopt;
  if (!trace) {
    const auto run = reader_->run(s.run_id);
    const std::string source = run ? run->source : "local";
    lensNote_->setText(source == "local"
                           ? tr("No token data: this run kept none (token_lens = false in its config, or it was "
                                "stored before the lens existed).")
                           : tr("No token data: runs imported from %1 keep the decoded text only, not the "
                                "probabilities of its tokens.")
                                 .arg(QString::fromStdString(source)));
    lensChoice_->setEnabled(false);
    return {};
  }
  lensChoice_->setEnabled(true);
  if (mode == LensMode::Reflection) {
    lensNote_->setText(tr("%n token(s) with their log-probability and entropy: choose a lens to see them.", nullptr,
                          static_cast<int>(trace->size())));
    return {};
  }
  double fork = forkThreshold(s.run_id);
  const bool ownThreshold = fork <= 0;  // a run stored before its steps had the metric
  if (ownThreshold) fork = quantile(trace->entropies, kForkingQuantile);
  const bool floored = fork < kForkingFloor;
  fork = std::max(fork, kForkingFloor);
  const QString forks = tr("<b>bold</b>: forking tokens, entropy ≥ %1 nats (%2)")
                            .arg(fork, 0, 'f', 2)
                            .arg(floored ? tr("the least a fork needs; %1's top 20% start lower")
                                               .arg(ownThreshold ? tr("this sample") : tr("the run"))
                                         : tr("%1's top 20%").arg(ownThreshold ? tr("this sample") : tr("the run")));
  switch (mode) {
    case LensMode::Reflection:
    case LensMode::Covariance:  // (its note below, with the step's means)
      break;
    case LensMode::Entropy:
      lensNote_->setText(tr("White: certain; red: uncertain (half red at %1 nats). ").arg(kHalfRedEntropy) + forks +
                         tr("; reflection phrases underlined. Hover a token for its numbers."));
      break;
    case LensMode::LogProbability:
      lensNote_->setText(tr("White: p = 1; purple: an unlikely token. ") + forks + tr("; hover for numbers."));
      break;
    case LensMode::Advantage:
      lensNote_->setText(tr("Green: the update raised the token; red: lowered it; white: p near 1 barely moves "
                            "(advantage %1 × (1 − p)). ")
                             .arg(s.advantage, 0, 'f', 3) +
                         forks);
      break;
  }
  StepMeans means;
  if (mode == LensMode::Covariance) {
    // The step's token means as the trainer measured them; a run stored before it logged
    // them gets this sample's own log-probability mean and the group's zero mean advantage.
    const auto at = [&](const char* name) -> std::optional<double> {
      for (const auto& p : reader_->metric_series(s.run_id, name, s.step - 1))
        if (p.step == s.step) return p.value;
      return std::nullopt;
    };
    const auto advantage = at("covariance/token_mean_advantage"), logp = at("covariance/token_mean_logp");
    if (advantage && logp) {
      means = {*advantage, *logp};
    } else {
      double sum = 0;
      for (float v : trace->logprobs) sum += v;
      means = {0.0, trace->logprobs.empty() ? 0.0 : sum / trace->logprobs.size()};
    }
    lensNote_->setText(tr("Orange: the token's log-probability and advantage move together, so the update lowers "
                          "entropy through it (Cui et al. 2025); blue: raises it. (A − %1)(log p − %2), the step's "
                          "token means%3. ")
                           .arg(means.advantage, 0, 'f', 3)
                           .arg(means.logp, 0, 'f', 3)
                           .arg(advantage && logp ? QString() : tr(" (not stored for this run: this sample's own)")) +
                       forks);
  }
  return paintTokens(*trace, completion.toUcs4(), mode, fork, s.advantage, means);
}

bool TraceDetailView::eventFilter(QObject* watched, QEvent* event) {
  if (watched == text_->viewport() && event->type() == QEvent::MouseButtonRelease &&
      lensChoice_->currentIndex() != int(LensMode::Reflection) && !text_->textCursor().hasSelection()) {
    // The token under the mouse, read from the tooltip its paint gave it ("token 12 ...").
    const auto pos = static_cast<QMouseEvent*>(event)->position().toPoint();
    static const QRegularExpression number("^token (\\d+) ");
    // The caret nearest the click; a cursor's format is the character's before it, so
    // step over the character when the click is right of the caret.
    QTextCursor at = text_->cursorForPosition(pos);
    if (text_->cursorRect(at).center().x() <= pos.x()) at.movePosition(QTextCursor::NextCharacter);
    const auto m = number.match(at.charFormat().toolTip());
    if (m.hasMatch()) showAlternatives(m.captured(1).toInt() - 1);
  }
  for (QTableWidget* t : {group_, history_})
    if (watched == t->viewport() && event->type() == QEvent::Resize &&
        static_cast<QResizeEvent*>(event)->oldSize().width() != t->viewport()->width())
      QTimer::singleShot(0, t, &QTableView::resizeRowsToContents);
  return QWidget::eventFilter(watched, event);
}

void TraceDetailView::showAlternatives(int index) {
  const auto s = id_ >= 0 ? reader_->sample(id_) : std::nullopt;
  const auto blob = s ? reader_->token_trace(s->id) : std::nullopt;
  const auto trace = blob ? decode_token_trace(*blob) : std::nullopt;
  if (!trace || index < 0 || index >= static_cast<int>(trace->size())) return;
  clickedChar_ = static_cast<int>(trace->begins[index]);
  alternatives_->show();
  if (!alternativesProvider_) {
    alternatives_->setText(tr("Alternatives need the engine: open this database in the studio, or run "
                              "<code>aha lens --db FILE --sample %1 --token %2</code>.")
                               .arg(s->id)
                               .arg(index + 1));
    return;
  }
  const auto run = reader_->run(s->run_id);
  AlternativesRequest request;
  try {
    request.run = RunConfig::from_toml(run->config_toml, "run '" + run->name + "'");
  } catch (const std::exception& e) {
    alternatives_->setText(tr("No alternatives: the run's stored config does not read here (%1).")
                               .arg(QString::fromStdString(e.what()).toHtmlEscaped()));
    return;
  }
  std::vector<WeightsOnDisk> stored;
  for (const auto& [step, path] : reader_->checkpoints(run->id)) stored.push_back({step, path});
  request.weights = nearest_weights(request.run, stored, s->step);
  request.step = s->step;
  request.prompt = s->prompt;
  request.completion.assign(trace->ids.begin(), trace->ids.end());
  request.position = static_cast<size_t>(index);
  const int asked = ++alternativesAsked_;
  alternatives_->setText(tr("Token %1: computing the top 5 alternatives from %2…")
                             .arg(index + 1)
                             .arg(QString::fromStdString(request.weights.describe())));
  auto* watcher = new QFutureWatcher<QString>(this);
  connect(watcher, &QFutureWatcher<QString>::finished, this, [this, watcher, asked] {
    watcher->deleteLater();
    if (asked == alternativesAsked_) alternatives_->setText(watcher->result());
  });
  watcher->setFuture(QtConcurrent::run([provider = alternativesProvider_, request, index]() -> QString {
    try {
      const auto alt = provider(request);
      QStringList top;
      for (const auto& [text, p] : alt.top)
        top << QString("<code>\u201C%1\u201D</code> p %2").arg(visibleToken(QString::fromStdString(text)).toHtmlEscaped()).arg(p, 0, 'f', 3);
      return QObject::tr("<b>Token %1</b>, <code>\u201C%2\u201D</code>: p %3 under %4 (%5). Top 5 there: %6")
          .arg(index + 1)
          .arg(visibleToken(QString::fromStdString(alt.sampled_text)).toHtmlEscaped())
          .arg(alt.sampled_probability, 0, 'f', 3)
          .arg(QString::fromStdString(alt.weights.describe()), QString::fromStdString(alt.distance()),
               top.join(" &nbsp; "));
    } catch (const std::exception& e) {
      return QObject::tr("No alternatives for token %1: %2")
          .arg(index + 1)
          .arg(QString::fromStdString(e.what()).toHtmlEscaped());
    }
  }));
}

void TraceDetailView::fillTable(QTableWidget* t, const std::vector<db::SampleRow>& rows, bool stepColumn) {
  // Short headers: the completion gets the room (their tooltips say the rest).
  const QStringList headers = {stepColumn ? tr("Step") : tr("#"), tr("Reward"), tr("Adv."), tr("OK"),
                               tr("Tok."), tr("Aha"), tr("Completion")};
  t->clear();
  t->setColumnCount(headers.size());
  t->setHorizontalHeaderLabels(headers);
  t->setRowCount(static_cast<int>(rows.size()));
  for (int r = 0; r < static_cast<int>(rows.size()); ++r) {
    const auto& s = rows[r];
    const QStringList cells = {QString::number(stepColumn ? s.step : s.index_in_group),
                               QString::number(s.reward, 'f', 3),
                               QString::number(s.advantage, 'f', 3),
                               s.correct ? "✓" : "✗",
                               QString::number(s.token_count),
                               s.aha_score > 0 ? QString::number(s.aha_score, 'f', 2) : QString(),
                               QString::fromStdString(s.completion).trimmed()};
    for (int c = 0; c < cells.size(); ++c) {
      auto* item = new QTableWidgetItem(cells[c]);
      item->setData(Qt::UserRole, QVariant::fromValue<qint64>(s.id));
      if (s.id == id_) item->setBackground(QColor("#fff3c4"));  // the sample shown
      if (c == 6) item->setToolTip(QString::fromStdString(s.completion));
      t->setItem(r, c, item);
    }
  }
  // The numbers as narrow as they are; each completion whole, wrapped in the room left,
  // its row as tall as it needs: the completions read one under another, no sideways scroll.
  for (int c = 0; c + 1 < t->columnCount(); ++c) t->resizeColumnToContents(c);
  t->horizontalHeaderItem(2)->setToolTip(tr("Advantage: the reward's distance from the group's mean, in its std"));
  t->horizontalHeaderItem(3)->setToolTip(tr("Correct"));
  t->horizontalHeaderItem(4)->setToolTip(tr("Length in tokens"));
  t->resizeRowsToContents();
}

void TraceDetailView::saveNote() {
  noteTimer_->stop();
  if (!tags_ || id_ < 0) return;
  const std::string text = note_->toPlainText().toStdString();
  try {
    if (text != tags_->note(id_)) tags_->set_note(id_, text);
  } catch (const std::exception& e) {
    spdlog::error("note on sample {} not saved: {}", id_, e.what());
  }
}

void TraceDetailView::setSearchTerms(const QStringList& terms) {
  if (terms == searchTerms_) return;
  searchTerms_ = terms;
  if (id_ >= 0) showSample(id_);
}

}  // namespace aha::ui
