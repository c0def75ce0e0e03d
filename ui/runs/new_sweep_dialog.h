#pragma once
// Run > New Sweep...: a sweep's TOML (a built-in sweep, a file, or edited here), the runs
// it makes listed live with their values and whether each is new, to resume or finished
// in the open database, and Start (the sweep then trains as one job of the run queue).
#include <QDialog>
#include <QString>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTreeWidget;

namespace aha::ui {

class NewSweepDialog : public QDialog {
  Q_OBJECT
 public:
  // `dbPath`: the open database, to say which members exist already ("" for none).
  explicit NewSweepDialog(const QString& dbPath, QWidget* parent = nullptr);
  QString sweepToml() const;
  // The folder the sweep's base path is relative to (the built-in sweep's, or the file's).
  QString baseDir() const { return dir_; }
  bool isValid() const { return valid_; }

  QComboBox* presetBox() const { return preset_; }
  QPlainTextEdit* tomlEdit() const { return toml_; }
  QTreeWidget* memberList() const { return members_; }
  QPushButton* startButton() const { return start_; }
  QLabel* errorLabel() const { return error_; }

 private:
  void load(const QString& file);
  void validate();

  QString dbPath_, dir_;
  QComboBox* preset_ = nullptr;
  QPlainTextEdit* toml_ = nullptr;
  QTreeWidget* members_ = nullptr;
  QLabel *error_ = nullptr, *summary_ = nullptr;
  QPushButton* start_ = nullptr;
  bool valid_ = false;
};

}  // namespace aha::ui
