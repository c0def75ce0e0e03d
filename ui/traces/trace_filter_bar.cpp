#include "ui/traces/trace_filter_bar.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QTimer>

#include "core/analysis/reflection_events.h"

namespace aha::ui {
namespace {
// Spin boxes whose lowest value means "no bound", shown as "any": an emptied field is
// "any" too, so that clearing a bound needs no magic number.
template <class Base, class Value>
class BoundBox : public Base {
 public:
  using Base::Base;
  QValidator::State validate(QString& text, int& pos) const override {
    if (text.trimmed().isEmpty()) return QValidator::Acceptable;
    return Base::validate(text, pos);
  }
  Value valueFromText(const QString& text) const override {
    if (text.trimmed().isEmpty() || text == this->specialValueText()) return this->minimum();
    return Base::valueFromText(text);
  }
  void fixup(QString& text) const override {
    if (text.trimmed().isEmpty()) text = this->specialValueText();
  }
};
using BoundSpin = BoundBox<QSpinBox, int>;
using BoundRealSpin = BoundBox<QDoubleSpinBox, double>;

QSpinBox* boundSpin(QWidget* parent, const QString& tip) {
  auto* s = new BoundSpin(parent);
  s->setRange(-1, 9999999);  // seven digits: room beside the runs panel at 1280x800
  s->setValue(-1);
  s->setSpecialValueText(QObject::tr("any"));
  s->setToolTip(tip + QObject::tr(" (empty: any)"));
  return s;
}
QDoubleSpinBox* rewardSpin(QWidget* parent, const QString& tip) {
  auto* s = new BoundRealSpin(parent);
  s->setRange(-1001, 1000);
  s->setDecimals(2);
  s->setSingleStep(0.1);
  s->setValue(-1001);
  s->setSpecialValueText(QObject::tr("any"));
  s->setToolTip(tip + QObject::tr(" (empty: any)"));
  return s;
}
}  // namespace

TraceFilterBar::TraceFilterBar(QWidget* parent) : QWidget(parent) {
  run_ = new QComboBox(this);
  run_->setToolTip(tr("Run"));
  // As wide as 8 characters whatever the names (a sweep's widened the window past the
  // screen); the open list shows them whole.
  run_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  run_->setMinimumContentsLength(8);
  correct_ = new QComboBox(this);
  correct_->addItems({tr("right or wrong"), tr("right only"), tr("wrong only")});
  tag_ = new QComboBox(this);
  tag_->setToolTip(tr("Only samples with this tag"));
  stepMin_ = boundSpin(this, tr("First step"));
  stepMax_ = boundSpin(this, tr("Last step"));
  lengthMin_ = boundSpin(this, tr("Shortest completion, tokens"));
  lengthMax_ = boundSpin(this, tr("Longest completion, tokens"));
  rewardMin_ = rewardSpin(this, tr("Lowest total reward"));
  rewardMax_ = rewardSpin(this, tr("Highest total reward"));
  flagged_ = new QCheckBox(tr("reflective"), this);
  flagged_->setToolTip(tr("Only completions where the aha detector found reflection"));
  realAha_ = new QCheckBox(tr("real aha"), this);
  realAha_->setToolTip(tr("Only completions with a fix: a reflection that turned a wrong value into the right one"));
  // Reflection events (docs/REFLECTION.md): the item's data is the bit of the store's mask.
  behaviour_ = new QComboBox(this);
  behaviour_->setToolTip(tr("Only completions with a reflection event of this behaviour"));
  behaviour_->addItem(tr("any behaviour"), 0);
  for (int i = 0; i < kReflectionCategories; ++i)
    behaviour_->addItem(QString(to_string(static_cast<ReflectionCategory>(i))).replace('_', ' '), 1 << i);
  outcome_ = new QComboBox(this);
  outcome_->setToolTip(tr("Only completions with an event of this outcome: fix (wrong became right), confirm, "
                          "miss, break (right became wrong), ritual (announced, nothing checked or changed)"));
  outcome_->addItem(tr("any outcome"), 0);
  for (int i = 1; i < kReflectionOutcomes; ++i)
    outcome_->addItem(to_string(static_cast<ReflectionOutcome>(i)), 1 << i);
  search_ = new QLineEdit(this);
  search_->setPlaceholderText(tr("Search completions (Ctrl+F): words, \"a phrase\", prefix*, AND / OR / NOT"));
  search_->setClearButtonEnabled(true);
  clear_ = new QPushButton(tr("Clear filters"), this);
  clear_->setToolTip(tr("Every run, every step, no other condition (Ctrl+Shift+L)"));
  clear_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L));
  connect(clear_, &QPushButton::clicked, this, [this] { showRunStep(-1, -1); });

  // Two rows: ranges above, switches and search below.
  auto* rows = new QVBoxLayout(this);
  rows->setContentsMargins(0, 0, 0, 0);
  auto* top = new QHBoxLayout;
  auto* bottom = new QHBoxLayout;
  rows->addLayout(top);
  rows->addLayout(bottom);
  auto add = [this](QHBoxLayout* row, const QString& label, QWidget* w) {
    if (!label.isEmpty()) row->addWidget(new QLabel(label, this));
    row->addWidget(w);
  };
  add(top, tr("Run"), run_);
  add(top, tr(" Steps"), stepMin_);
  add(top, tr("to"), stepMax_);
  add(top, tr(" Reward"), rewardMin_);
  add(top, tr("to"), rewardMax_);
  add(top, tr(" Length"), lengthMin_);
  add(top, tr("to"), lengthMax_);
  top->addStretch();
  add(bottom, {}, correct_);
  add(bottom, {}, flagged_);
  add(bottom, {}, realAha_);
  add(bottom, {}, behaviour_);
  add(bottom, {}, outcome_);
  add(bottom, tr("Tag"), tag_);
  bottom->addWidget(search_, 1);
  bottom->addWidget(clear_);

  debounce_ = new QTimer(this);
  debounce_->setSingleShot(true);
  debounce_->setInterval(250);
  connect(debounce_, &QTimer::timeout, this, &TraceFilterBar::filterChanged);
  for (auto* b : {run_, correct_, tag_, behaviour_, outcome_})
    connect(b, &QComboBox::currentIndexChanged, this, &TraceFilterBar::changed);
  for (auto* s : {stepMin_, stepMax_, lengthMin_, lengthMax_})
    connect(s, &QSpinBox::valueChanged, this, &TraceFilterBar::changed);
  for (auto* s : {rewardMin_, rewardMax_}) connect(s, &QDoubleSpinBox::valueChanged, this, &TraceFilterBar::changed);
  for (auto* b : {flagged_, realAha_}) connect(b, &QCheckBox::toggled, this, &TraceFilterBar::changed);
  connect(search_, &QLineEdit::textChanged, this, &TraceFilterBar::changed);
  connect(search_, &QLineEdit::returnPressed, this, [this] {
    debounce_->stop();
    emit filterChanged();
  });
}

void TraceFilterBar::changed() { debounce_->start(); }

void TraceFilterBar::setRuns(const std::vector<db::RunSummary>& runs) {
  const QVariant current = run_->currentData();
  QSignalBlocker block(run_);
  run_->clear();
  run_->addItem(tr("all runs"), QVariant());
  for (const auto& r : runs) run_->addItem(QString::fromStdString(r.name), QVariant::fromValue<qint64>(r.id));
  const int i = run_->findData(current);
  run_->setCurrentIndex(i < 0 ? 0 : i);
}

void TraceFilterBar::setTags(const std::vector<db::Tag>& tags) {
  const QVariant current = tag_->currentData();
  QSignalBlocker block(tag_);
  tag_->clear();
  tag_->addItem(tr("any"), QVariant());
  for (const auto& t : tags) {
    QPixmap swatch(10, 10);
    swatch.fill(QColor(QString::fromStdString(t.color)));
    tag_->addItem(QIcon(swatch), QString::fromStdString(t.name), QVariant::fromValue<qint64>(t.id));
  }
  const int i = tag_->findData(current);
  tag_->setCurrentIndex(i < 0 ? 0 : i);
}

db::SampleFilter TraceFilterBar::filter() const {
  db::SampleFilter f;
  if (run_->currentData().isValid()) f.run_id = run_->currentData().toLongLong();
  if (stepMin_->value() >= 0) f.step_min = stepMin_->value();
  if (stepMax_->value() >= 0) f.step_max = stepMax_->value();
  if (lengthMin_->value() >= 0) f.length_min = lengthMin_->value();
  if (lengthMax_->value() >= 0) f.length_max = lengthMax_->value();
  if (rewardMin_->value() > rewardMin_->minimum()) f.reward_min = rewardMin_->value();
  if (rewardMax_->value() > rewardMax_->minimum()) f.reward_max = rewardMax_->value();
  if (correct_->currentIndex() > 0) f.correct = correct_->currentIndex() == 1;
  f.flagged_only = flagged_->isChecked();
  f.real_aha_only = realAha_->isChecked();
  f.behaviours = behaviour_->currentData().toInt();
  f.outcomes = outcome_->currentData().toInt();
  if (tag_->currentData().isValid()) f.tag_id = tag_->currentData().toLongLong();
  f.text_query = search_->text().trimmed().toStdString();
  return f;
}

void TraceFilterBar::showRunStep(qint64 runId, qint64 step) {
  {
    const QSignalBlocker b1(run_), b2(stepMin_), b3(stepMax_), b4(correct_), b5(tag_), b6(flagged_), b7(realAha_),
        b8(search_), b9(rewardMin_), b10(rewardMax_), b11(lengthMin_), b12(lengthMax_), b13(behaviour_), b14(outcome_);
    run_->setCurrentIndex(runId < 0 ? 0 : std::max(0, run_->findData(QVariant::fromValue<qint64>(runId))));
    stepMin_->setValue(int(step));
    stepMax_->setValue(int(step));
    correct_->setCurrentIndex(0);
    tag_->setCurrentIndex(0);
    flagged_->setChecked(false);
    realAha_->setChecked(false);
    behaviour_->setCurrentIndex(0);
    outcome_->setCurrentIndex(0);
    search_->clear();
    for (auto* s : {rewardMin_, rewardMax_}) s->setValue(s->minimum());
    for (auto* s : {lengthMin_, lengthMax_}) s->setValue(-1);
  }
  debounce_->stop();
  emit filterChanged();
}

}  // namespace aha::ui
