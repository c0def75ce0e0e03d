#include "ui/runs/new_run_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QFormLayout>
#include <QFontDatabase>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QVBoxLayout>

#include "core/interop/launch_export.h"
#include "core/run/run_config.h"
#include "core/support/paths.h"
#include "core/support/toml_edit.h"
#include "ui/runs/real_spin_box.h"
#include "ui/window/preferences_dialog.h"

namespace aha::ui {

namespace {
QSpinBox* spin(int lo, int hi, const QString& tip) {
  auto* s = new QSpinBox;
  s->setRange(lo, hi);
  s->setToolTip(tip + QObject::tr(" (%1 to %2)").arg(lo).arg(hi));
  return s;
}

// "1 to 1000000": what a spin box takes; and its value as it shows it.
QString rangeOf(const QAbstractSpinBox* box) {
  if (const auto* i = qobject_cast<const QSpinBox*>(box)) return QObject::tr("%1 to %2").arg(i->minimum()).arg(i->maximum());
  const auto* d = qobject_cast<const QDoubleSpinBox*>(box);
  return QObject::tr("%1 to %2").arg(d->minimum()).arg(d->maximum());
}
QString valueOf(const QAbstractSpinBox* box) {
  if (const auto* i = qobject_cast<const QSpinBox*>(box)) return QString::number(i->value());
  const auto* d = qobject_cast<const QDoubleSpinBox*>(box);
  return d->textFromValue(d->value());
}
// A path field with a Browse... button beside it.
QWidget* path_row(QLineEdit* edit, QWidget* parent, bool directory, const QString& title) {
  auto* row = new QWidget;
  auto* layout = new QHBoxLayout(row);
  layout->setContentsMargins(0, 0, 0, 0);
  auto* browse = new QPushButton(QObject::tr("Browse..."));
  browse->setAutoDefault(false);  // Enter in a field starts the run, never a file dialog
  layout->addWidget(edit, 1);
  layout->addWidget(browse);
  QObject::connect(browse, &QPushButton::clicked, parent, [=] {
    const QString path = directory ? QFileDialog::getExistingDirectory(parent, title, edit->text())
                                   : QFileDialog::getOpenFileName(parent, title, edit->text(),
                                                                  QObject::tr("Datasets (*.jsonl *.json *.csv);;All files (*)"));
    if (!path.isEmpty()) edit->setText(path);
  });
  return row;
}
}  // namespace

NewRunDialog::NewRunDialog(QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("New GRPO Run"));
  resize(560, 560);
  preset_ = new QComboBox;
  QDir presets(QString::fromStdString((resources_dir() / "presets").string()));
  for (const QString& f : presets.entryList({"*.toml"}, QDir::Files, QDir::Name))
    preset_->addItem(QFileInfo(f).completeBaseName(), presets.filePath(f));
  const int demo = preset_->findText("demo-arithmetic");
  if (demo >= 0) preset_->setCurrentIndex(demo);

  name_ = new QLineEdit;
  name_->setToolTip(tr("Run name, unique in the database"));
  model_ = new QLineEdit;
  model_->setToolTip(tr("model: builtin:tiny-arithmetic, or a Hugging Face model directory "
                        "(config.json, model.safetensors, tokenizer.json)"));
  dataFile_ = new QLineEdit;
  dataFile_->setToolTip(tr("task.data_file: JSONL or CSV problems (tasks 'dataset' and file-based 'countdown'); "
                           "empty for generated problems"));
  steps_ = spin(1, 1000000, tr("max_steps: training steps to run"));
  generations_ = spin(2, 1024, tr("num_generations: completions sampled per prompt (the GRPO group size G)"));
  batch_ = spin(2, 65536, tr("per_device_train_batch_size: completions per step; a multiple of num_generations"));
  maxLength_ = spin(1, 65536, tr("max_completion_length: tokens generated at most per completion"));
  lr_ = new RealSpinBox(0, 1, 1e-5, tr("learning_rate of AdamW (scientific notation welcome: 5e-7); 0 is refused"));
  beta_ = new RealSpinBox(0, 10, 0.01, tr("beta: KL penalty to the frozen reference (0 keeps no reference)"));
  temperature_ = new RealSpinBox(0, 10, 0.1, tr("temperature of sampling (> 0; 1 samples the model's own distribution)"));
  epsilon_ = new RealSpinBox(0, 1, 0.01, tr("epsilon: clip range of the probability ratio"));
  lossType_ = new QComboBox;
  lossType_->addItems({"grpo", "bnpo", "dr_grpo", "dapo", "cispo"});
  lossType_->setToolTip(tr("loss_type: the objective and how token losses are averaged (dr_grpo: length-neutral; cispo: clipped IS weights, set epsilon_high = 5 in the TOML); docs/OBJECTIVES.md"));

  auto* form = new QFormLayout;
  form->addRow(tr("Preset"), preset_);
  form->addRow(tr("Name"), name_);
  form->addRow(tr("Model"), path_row(model_, this, true, tr("Hugging Face model directory")));
  form->addRow(tr("Data file"), path_row(dataFile_, this, false, tr("Problems file")));
  form->addRow("max_steps", steps_);
  form->addRow("num_generations", generations_);
  form->addRow("per_device_train_batch_size", batch_);
  form->addRow("max_completion_length", maxLength_);
  form->addRow("learning_rate", lr_);
  form->addRow("beta", beta_);
  form->addRow("epsilon", epsilon_);
  form->addRow("temperature", temperature_);
  form->addRow("loss_type", lossType_);
  auto* formPage = new QWidget;
  formPage->setLayout(form);

  tomlEdit_ = new QPlainTextEdit;
  tomlEdit_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  tomlEdit_->setLineWrapMode(QPlainTextEdit::NoWrap);  // a wrapped comment would read as a key
  tabs_ = new QTabWidget;
  tabs_->addTab(formPage, tr("Main"));
  tabs_->addTab(tomlEdit_, tr("Advanced (TOML)"));

  error_ = new QLabel;
  error_->setWordWrap(true);
  error_->setStyleSheet("color: #D55E00;");
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel);
  start_ = buttons->addButton(tr("Start"), QDialogButtonBox::AcceptRole);
  start_->setDefault(true);
  connect(buttons, &QDialogButtonBox::accepted, this, [this] {
    if (valid_) accept();
  });
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  // The same config as a launch script for a cluster engine (needs only a valid config).
  for (const char* engine : {"verl", "trl"}) {
    auto* b = buttons->addButton(engine == std::string("verl") ? tr("Export for veRL...") : tr("Export for TRL..."),
                                 QDialogButtonBox::ActionRole);
    b->setToolTip(tr("Write a launch script with these settings; follow the job with Run > Follow veRL/TRL Run"));
    connect(b, &QPushButton::clicked, this, [this, engine] {
      const QString path = QFileDialog::getSaveFileName(
          this, tr("Launch script"), QString::fromStdString(lastValid_.name) + (engine == std::string("verl") ? ".sh" : ".py"));
      if (!path.isEmpty()) exportLaunchScript(engine, path);
    });
  }

  auto* layout = new QVBoxLayout(this);
  layout->addWidget(tabs_);
  layout->addWidget(error_);
  layout->addWidget(buttons);

  connect(preset_, qOverload<int>(&QComboBox::currentIndexChanged), this, &NewRunDialog::loadPreset);
  for (auto* s : {steps_, generations_, batch_, maxLength_})
    connect(s, qOverload<int>(&QSpinBox::valueChanged), this, &NewRunDialog::formChanged);
  for (auto* s : {lr_, beta_, temperature_, epsilon_})
    connect(s, qOverload<double>(&QDoubleSpinBox::valueChanged), this, &NewRunDialog::formChanged);
  connect(lossType_, &QComboBox::currentTextChanged, this, &NewRunDialog::formChanged);
  for (auto* e : {name_, model_, dataFile_}) connect(e, &QLineEdit::textChanged, this, &NewRunDialog::formChanged);
  connect(tomlEdit_, &QPlainTextEdit::textChanged, this, &NewRunDialog::tomlChanged);
  // A spin box puts back its old value when given one it does not take: say so, and why.
  const std::pair<QAbstractSpinBox*, const char*> keyed[] = {
      {steps_, "max_steps"}, {generations_, "num_generations"}, {batch_, "per_device_train_batch_size"},
      {maxLength_, "max_completion_length"}, {lr_, "learning_rate"}, {beta_, "beta"},
      {temperature_, "temperature"}, {epsilon_, "epsilon"}};
  for (const auto& [box, key] : keyed) {
    auto* edit = box->findChild<QLineEdit*>();
    connect(edit, &QLineEdit::textEdited, box, [box](const QString& typed) { box->setProperty("typed", typed); });
    connect(box, &QAbstractSpinBox::editingFinished, this, [this, box, key = QString(key)] {
      const QString typed = box->property("typed").toString().trimmed();
      box->setProperty("typed", QString());
      if (!typed.isEmpty() && typed != valueOf(box))
        error_->setText(tr("%1: '%2' is not a value it takes (%3); kept %4").arg(key, typed, rangeOf(box), valueOf(box)));
    });
  }
  loadPreset(preset_->currentIndex());
}

QString NewRunDialog::errorText() const { return error_->text(); }

void NewRunDialog::loadPreset(int index) {
  QFile f(preset_->itemData(index).toString());
  if (!f.open(QIODevice::ReadOnly)) {
    error_->setText(tr("Cannot read preset %1").arg(f.fileName()));
    return;
  }
  QString toml = QString::fromUtf8(f.readAll());
  // The lexicon from Preferences, unless the preset brings its own.
  const QString lexicon = PreferencesDialog::reflectionToml();
  if (!lexicon.isEmpty() && !toml.contains("[reflection]")) toml += "\n" + lexicon;
  tomlEdit_->setPlainText(toml);  // -> tomlChanged fills the form
  freshName();
}

void NewRunDialog::tomlChanged() {
  if (updating_) return;
  validate(tomlEdit_->toPlainText());
  if (!parsed_) return;
  const RunConfig& c = lastValid_;
  updating_ = true;
  name_->setText(QString::fromStdString(c.name));
  model_->setText(QString::fromStdString(c.model));
  dataFile_->setText(QString::fromStdString(c.task.data_file));
  steps_->setValue(c.max_steps);
  generations_->setValue(c.num_generations);
  batch_->setValue(c.per_device_train_batch_size);
  maxLength_->setValue(c.max_completion_length);
  lr_->setValue(c.learning_rate);
  beta_->setValue(c.beta);
  epsilon_->setValue(c.epsilon);
  temperature_->setValue(c.temperature);
  lossType_->setCurrentText(QString::fromStdString(c.loss_type));
  updating_ = false;
}

void NewRunDialog::formChanged() {
  if (updating_) return;
  // The form edits the TOML text in place: the key of the field that changed is rewritten,
  // and the user's comments, key order and number forms stay.
  const QObject* field = sender();
  std::string table, key, literal;
  if (auto* e = qobject_cast<const QLineEdit*>(field)) {
    table = e == dataFile_ ? "task" : "";
    key = e == name_ ? "name" : e == model_ ? "model" : "data_file";
    literal = toml_string(e->text().toStdString());
  } else if (auto* b = qobject_cast<const QSpinBox*>(field)) {
    key = b == steps_ ? "max_steps" : b == generations_ ? "num_generations" : b == batch_ ? "per_device_train_batch_size"
                                                                                          : "max_completion_length";
    literal = toml_integer(b->value());
  } else if (auto* r = qobject_cast<const QDoubleSpinBox*>(field)) {
    key = r == lr_ ? "learning_rate" : r == beta_ ? "beta" : r == epsilon_ ? "epsilon" : "temperature";
    literal = toml_number(r->value());
  } else if (field == lossType_) {
    key = "loss_type";
    literal = toml_string(lossType_->currentText().toStdString());
  } else {
    return;
  }
  const QString updated =
      QString::fromStdString(set_toml_value(tomlEdit_->toPlainText().toStdString(), table, key, literal));
  updating_ = true;
  tomlEdit_->setPlainText(updated);
  updating_ = false;
  validate(updated);
}

void NewRunDialog::setTakenNames(const QStringList& names) {
  taken_ = names;
  freshName();
  if (parsed_) validate(tomlEdit_->toPlainText());
}

void NewRunDialog::setConfigText(const QString& toml) {
  tomlEdit_->setPlainText(toml);  // -> tomlChanged fills the form
  freshName();
}

void NewRunDialog::freshName() {
  // A preset's name that the database has already: the next free "name-2", "name-3"...
  const QString base = name_->text();
  if (base.isEmpty() || !taken_.contains(base)) return;
  const auto name = fresh_run_name(base.toStdString(), [&](const std::string& n) { return taken_.contains(QString::fromStdString(n)); });
  name_->setText(QString::fromStdString(name));  // -> formChanged edits the TOML
}

bool NewRunDialog::exportLaunchScript(const QString& engine, const QString& path) {
  if (!parsed_) return false;
  LaunchOptions options;
  options.data_dir = (engine == "verl" ? "rollouts/" : "trl-") + lastValid_.name;
  std::string script;
  try {
    script = launch_script(lastValid_, engine.toStdString(), options);
  } catch (const std::exception& e) {
    error_->setText(QString::fromStdString(e.what()));
    return false;
  }
  QFile f(path);
  if (!f.open(QIODevice::WriteOnly | QIODevice::Text)) {
    error_->setText(tr("Cannot write %1: %2").arg(path, f.errorString()));
    return false;
  }
  f.write(QByteArray::fromStdString(script));
  f.setPermissions(f.permissions() | QFileDevice::ExeOwner);
  return true;
}

void NewRunDialog::validate(const QString& text) {
  try {
    lastValid_ = RunConfig::from_toml(text.toStdString(), "run config");
    parsed_ = true;
    toml_ = text;
    // A valid config whose model or data file is not on this machine can't start yet.
    std::string missing = lastValid_.missing_inputs();
    if (taken_.contains(QString::fromStdString(lastValid_.name)))
      missing = "name: the database has a run named '" + lastValid_.name + "' already; choose another name";
    valid_ = missing.empty();
    error_->setText(QString::fromStdString(missing));
  } catch (const std::exception& e) {
    valid_ = parsed_ = false;
    error_->setText(QString::fromStdString(e.what()));
  }
  start_->setEnabled(valid_);
}

}  // namespace aha::ui
