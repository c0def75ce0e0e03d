#pragma once
// Run > Follow veRL/TRL Run...: which engine, which directory, which run name.
#include <QDialog>

#include "ui/runs/follow_worker.h"

class QComboBox;
class QLineEdit;

namespace aha::ui {

class FollowDialog : public QDialog {
  Q_OBJECT
 public:
  explicit FollowDialog(QWidget* parent = nullptr);
  FollowRequest request(const QString& dbPath) const;

 private:
  QComboBox* engine_ = nullptr;
  QLineEdit *directory_ = nullptr, *name_ = nullptr;
};

}  // namespace aha::ui
