#include "ui/runs/new_sweep_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "core/run/sweep_job.h"
#include "core/support/paths.h"
#include "db/run_reader.h"

namespace aha::ui {

NewSweepDialog::NewSweepDialog(const QString& dbPath, QWidget* parent) : QDialog(parent), dbPath_(dbPath) {
  setWindowTitle(tr("New Sweep"));
  preset_ = new QComboBox(this);
  QDir presets(QString::fromStdString((resources_dir() / "presets" / "sweeps").string()));
  for (const QString& f : presets.entryList({"*.toml"}, QDir::Files, QDir::Name))
    preset_->addItem(QFileInfo(f).completeBaseName(), presets.filePath(f));
  auto* open = new QPushButton(tr("Open..."), this);
  auto* top = new QHBoxLayout;
  top->addWidget(new QLabel(tr("Sweep"), this));
  top->addWidget(preset_, 1);
  top->addWidget(open);

  toml_ = new QPlainTextEdit(this);
  toml_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  toml_->setLineWrapMode(QPlainTextEdit::NoWrap);
  toml_->setToolTip(tr("name, base (a run config), seeds, [set] for every run, [grid] lists and [[arms]]: "
                       "docs/SWEEPS.md"));
  members_ = new QTreeWidget(this);
  members_->setHeaderLabels({tr("Run"), tr("In the database"), tr("Values")});
  members_->setRootIsDecorated(false);
  members_->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
  error_ = new QLabel(this);
  error_->setWordWrap(true);
  error_->setStyleSheet("color:#b00020");
  error_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  summary_ = new QLabel(this);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
  start_ = buttons->addButton(tr("Start Sweep"), QDialogButtonBox::AcceptRole);

  auto* right = new QVBoxLayout;
  right->addWidget(new QLabel(tr("Runs it makes:"), this));
  right->addWidget(members_, 1);
  right->addWidget(summary_);
  auto* middle = new QHBoxLayout;
  middle->addWidget(toml_, 1);
  middle->addLayout(right, 1);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addLayout(middle, 1);
  layout->addWidget(error_);
  layout->addWidget(buttons);
  resize(1100, 560);

  auto* debounce = new QTimer(this);
  debounce->setSingleShot(true);
  debounce->setInterval(250);
  connect(debounce, &QTimer::timeout, this, &NewSweepDialog::validate);
  connect(toml_, &QPlainTextEdit::textChanged, debounce, qOverload<>(&QTimer::start));
  connect(preset_, &QComboBox::currentIndexChanged, this, [this] { load(preset_->currentData().toString()); });
  connect(open, &QPushButton::clicked, this, [this] {
    const QString file = QFileDialog::getOpenFileName(this, tr("Open sweep"), dir_, tr("Sweep (*.toml)"));
    if (!file.isEmpty()) load(file);
  });
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(buttons, &QDialogButtonBox::accepted, this, [this] {
    validate();
    if (valid_) accept();
  });
  if (preset_->count()) load(preset_->currentData().toString());
}

QString NewSweepDialog::sweepToml() const { return toml_->toPlainText(); }

void NewSweepDialog::load(const QString& file) {
  QFile f(file);
  if (!f.open(QIODevice::ReadOnly)) {
    error_->setText(tr("Cannot read %1: %2").arg(file, f.errorString()));
    return;
  }
  dir_ = QFileInfo(file).absolutePath();
  toml_->setPlainText(QString::fromUtf8(f.readAll()));
  validate();
}

void NewSweepDialog::validate() {
  members_->clear();
  valid_ = false;
  try {
    const auto spec = SweepSpec::from_toml(toml_->toPlainText().toStdString(), "sweep", dir_.toStdString());
    const auto members = sweep_members(spec);
    std::unique_ptr<db::RunReader> reader;
    if (!dbPath_.isEmpty() && QFileInfo::exists(dbPath_)) reader = std::make_unique<db::RunReader>(dbPath_.toStdString());
    int to_train = 0;
    for (const auto& m : members) {
      std::optional<StoredRun> stored;
      if (reader)
        if (const auto run = reader->run_by_name(m.run_name)) stored = StoredRun{run->sweep, run->last_step};
      const auto state = member_state(spec, m, stored);  // throws for a name taken outside the sweep
      to_train += state != MemberState::Finished;
      auto* row = new QTreeWidgetItem(members_);
      row->setText(0, QString::fromStdString(m.run_name));
      row->setText(1, state == MemberState::New ? tr("new") : state == MemberState::Unfinished ? tr("resumes") : tr("finished"));
      row->setText(2, QString::fromStdString(m.values_json()));
      row->setToolTip(2, row->text(2));
    }
    summary_->setText(tr("%1 runs, %2 to train (%3 at once)").arg(members.size()).arg(to_train).arg(spec.parallel));
    error_->clear();
    valid_ = to_train > 0;
    if (!valid_) error_->setText(tr("Every run of this sweep is finished in this database: nothing to train"));
  } catch (const std::exception& e) {
    summary_->clear();
    error_->setText(QString::fromStdString(e.what()));
  }
  start_->setEnabled(valid_);
}

}  // namespace aha::ui
