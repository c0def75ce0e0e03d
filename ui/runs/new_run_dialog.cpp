#include "ui/runs/new_run_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
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
#include "ui/window/preferences_dialog.h"

namespace aha::ui {

namespace {
QSpinBox* spin(int lo, int hi, const QString& tip) {
  auto* s = new QSpinBox;
  s->setRange(lo, hi);
  s->setToolTip(tip);
  return s;
}
// A path field with a Browse... button beside it.
QWidget* path_row(QLineEdit* edit, QWidget* parent, bool directory, const QString& title) {
  auto* row = new QWidget;
  auto* layout = new QHBoxLayout(row);
  layout->setContentsMargins(0, 0, 0, 0);
  auto* browse = new QPushButton(QObject::tr("Browse..."));
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
QDoubleSpinBox* dspin(double lo, double hi, int decimals, double step, const QString& tip) {
  auto* s = new QDoubleSpinBox;
  s->setRange(lo, hi);
  s->setDecimals(decimals);
  s->setSingleStep(step);
  s->setToolTip(tip);
  return s;
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
  lr_ = dspin(0, 1, 6, 1e-5, tr("learning_rate of AdamW"));
  beta_ = dspin(0, 10, 4, 0.01, tr("beta: KL penalty to the frozen reference (0 keeps no reference)"));
  temperature_ = dspin(0, 10, 2, 0.1, tr("temperature of sampling (0 = greedy)"));
  epsilon_ = dspin(0, 1, 3, 0.01, tr("epsilon: clip range of the probability ratio"));
  lossType_ = new QComboBox;
  lossType_->addItems({"grpo", "bnpo", "dr_grpo", "dapo"});
  lossType_->setToolTip(tr("loss_type: how token losses are averaged (dr_grpo: length-neutral)"));

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
  // The form edits the last valid config (the TOML text may be mid-edit or invalid).
  RunConfig c = lastValid_;
  c.name = name_->text().toStdString();
  c.model = model_->text().toStdString();
  c.task.data_file = dataFile_->text().toStdString();
  c.max_steps = steps_->value();
  c.num_generations = generations_->value();
  c.per_device_train_batch_size = batch_->value();
  c.max_completion_length = maxLength_->value();
  c.learning_rate = lr_->value();
  c.beta = beta_->value();
  c.epsilon = epsilon_->value();
  c.temperature = temperature_->value();
  c.loss_type = lossType_->currentText().toStdString();
  const QString text = QString::fromStdString(c.to_toml());
  updating_ = true;
  tomlEdit_->setPlainText(text);
  updating_ = false;
  validate(text);
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
    const std::string missing = lastValid_.missing_inputs();
    valid_ = missing.empty();
    error_->setText(QString::fromStdString(missing));
  } catch (const std::exception& e) {
    valid_ = parsed_ = false;
    error_->setText(QString::fromStdString(e.what()));
  }
  start_->setEnabled(valid_);
}

}  // namespace aha::ui
