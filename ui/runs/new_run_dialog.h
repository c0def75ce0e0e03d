#pragma once
// New Run: a preset, the main knobs (TRL names, ranges, tooltips), the full TOML on an
// advanced tab, and validation inline before Start.
#include <QDialog>
#include <QStringList>

#include "core/run/run_config.h"

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTabWidget;

namespace aha::ui {

class NewRunDialog : public QDialog {
  Q_OBJECT
 public:
  explicit NewRunDialog(QWidget* parent = nullptr);
  // The validated TOML of the run to start (valid only after accept()).
  QString configToml() const { return toml_; }
  bool isValid() const { return valid_; }
  QString errorText() const;
  // The names of the runs in the database: the name is checked against them as it is
  // typed, and a preset's name that is taken becomes the next free one.
  void setTakenNames(const QStringList& names);
  // Another config to start from (a run duplicated from the runs panel).
  void setConfigText(const QString& toml);

  // Widgets, for tests.
  QComboBox* presetBox() const { return preset_; }
  QLineEdit* nameEdit() const { return name_; }
  QLineEdit* modelEdit() const { return model_; }
  QLineEdit* dataFileEdit() const { return dataFile_; }
  QPlainTextEdit* tomlEdit() const { return tomlEdit_; }
  QPushButton* startButton() const { return start_; }
  QSpinBox* stepsBox() const { return steps_; }
  QDoubleSpinBox* learningRateBox() const { return lr_; }
  // Writes the current config as a veRL or TRL launch script (the Export buttons).
  bool exportLaunchScript(const QString& engine, const QString& path);

 private:
  void loadPreset(int index);
  void formChanged();     // form -> TOML -> validate
  void tomlChanged();     // TOML -> validate (form follows when valid)
  void validate(const QString& text);
  void freshName();

  QComboBox* preset_ = nullptr;
  QLineEdit *name_ = nullptr, *model_ = nullptr, *dataFile_ = nullptr;
  QSpinBox *steps_ = nullptr, *generations_ = nullptr, *batch_ = nullptr, *maxLength_ = nullptr;
  QDoubleSpinBox *lr_ = nullptr, *beta_ = nullptr, *temperature_ = nullptr, *epsilon_ = nullptr;
  QComboBox* lossType_ = nullptr;
  QPlainTextEdit* tomlEdit_ = nullptr;
  QTabWidget* tabs_ = nullptr;
  QLabel* error_ = nullptr;
  QPushButton* start_ = nullptr;
  QString toml_;
  QStringList taken_;
  RunConfig lastValid_;  // the last config that parsed
  bool parsed_ = false;  // the TOML is a valid config (the form follows it)
  bool valid_ = false;   // ... and its model and data file exist: Start is enabled
  bool updating_ = false;
};

}  // namespace aha::ui
