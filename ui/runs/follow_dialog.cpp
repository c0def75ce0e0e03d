#include "ui/runs/follow_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>

namespace aha::ui {

FollowDialog::FollowDialog(QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("Follow a veRL or TRL Run"));
  engine_ = new QComboBox;
  engine_->addItem(tr("veRL: rollout dumps (trainer.rollout_data_dir)"), "verl");
  engine_->addItem(tr("TRL: output_dir (trainer_state.json)"), "trl");
  directory_ = new QLineEdit;
  name_ = new QLineEdit;
  auto* browse = new QPushButton(tr("Browse..."));
  auto* row = new QWidget;
  auto* rowLayout = new QHBoxLayout(row);
  rowLayout->setContentsMargins(0, 0, 0, 0);
  rowLayout->addWidget(directory_, 1);
  rowLayout->addWidget(browse);
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Directory the job writes"), directory_->text());
    if (!dir.isEmpty()) directory_->setText(dir);
  });
  connect(directory_, &QLineEdit::textChanged, this, [this](const QString& dir) {
    if (name_->isModified()) return;
    name_->setText(QFileInfo(QDir::cleanPath(dir)).fileName());  // a name to start from
  });
  auto* hint = new QLabel(tr("New steps are stored as the job writes them (a shared or synced folder). "
                             "Following again later adds only the steps not stored yet."));
  hint->setWordWrap(true);
  auto* form = new QFormLayout;
  form->addRow(tr("Engine"), engine_);
  form->addRow(tr("Directory"), row);
  form->addRow(tr("Run name"), name_);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
  buttons->button(QDialogButtonBox::Ok)->setText(tr("Follow"));
  connect(buttons, &QDialogButtonBox::accepted, this, [this] {
    if (QFileInfo(directory_->text()).isDir() && !name_->text().trimmed().isEmpty()) accept();
  });
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(hint);
  layout->addWidget(buttons);
  resize(560, 200);
}

FollowRequest FollowDialog::request(const QString& dbPath) const {
  return {engine_->currentData().toString(), directory_->text(), dbPath, name_->text().trimmed()};
}

}  // namespace aha::ui
