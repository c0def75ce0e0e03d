#pragma once
// Edit > Preferences: the reflection lexicon that new runs start with, as a TOML
// [reflection] table (the same table a run config holds), checked before it is kept.
#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QPlainTextEdit;

namespace aha::ui {

class PreferencesDialog : public QDialog {
  Q_OBJECT
 public:
  explicit PreferencesDialog(QWidget* parent = nullptr);
  // The stored [reflection] table ("" when none), appended to new run configs that lack one.
  static QString reflectionToml();
  // An error naming the line, or "" when `toml` is a valid [reflection] table.
  static QString validateReflection(const QString& toml);
  QPlainTextEdit* editor() const { return edit_; }
  void accept() override;

 private:
  QPlainTextEdit* edit_;
  QLabel* error_;
  QDialogButtonBox* buttons_;
};

}  // namespace aha::ui
