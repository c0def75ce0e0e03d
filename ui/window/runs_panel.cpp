// The main window's runs panel: its rows (runs, and a sweep's runs folded under it), kept
// in step with the database, and the run management on them (rename, delete, duplicate,
// compare a sweep).
#include <QComboBox>
#include <QFileInfo>
#include <QHash>
#include <QInputDialog>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QMessageBox>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTreeWidget>
#include <QTreeWidgetItemIterator>

#include "core/run/checkpoint_disk.h"
#include "core/run/job.h"
#include "core/run/run_config.h"
#include "db/run_admin.h"
#include "db/run_reader.h"
#include "ui/charts/dashboard.h"
#include "ui/charts/export_dialog.h"
#include "ui/runs/new_run_dialog.h"
#include "ui/traces/trace_browser.h"
#include "ui/window/main_window.h"
#include "ui/window/runs_panel_rows.h"
#include "ui/window/welcome_panel.h"

namespace aha::ui {

using namespace runs_panel;

void MainWindow::showCheckpoints(QTreeWidgetItem* item, qint64 runId) {
  std::vector<std::string> folders;
  QStringList kept;
  for (const auto& [step, path] : reader_->checkpoints(runId)) {
    folders.push_back(path);
    if (QFileInfo::exists(QString::fromStdString(path))) kept << QString::number(step);
  }
  const auto use = checkpoint_disk_use(folders);
  item->setText(ColDisk, use.folders ? tr("%1 MB").arg(use.bytes / 1e6, 0, 'f', use.bytes < 1e7 ? 1 : 0) : "-");
  item->setToolTip(ColDisk, kept.isEmpty() ? tr("No checkpoint on disk: only the base model can be probed")
                                           : tr("Checkpoints on disk, after steps %1: %2 MB (save_total_limit, "
                                                "save_keep_every)")
                                                 .arg(kept.join(", "))
                                                 .arg(use.bytes / 1e6, 0, 'f', 1));
}

void MainWindow::reloadRuns() {
  QSignalBlocker block(runs_);
  QSet<qint64> hidden;
  for (auto* item : runItems())
    if (item->checkState(ColName) != Qt::Checked) hidden.insert(item->data(ColName, Qt::UserRole).toLongLong());
  runs_->clear();
  if (!reader_) return;
  int color = 0;
  QHash<QString, QTreeWidgetItem*> sweeps;
  for (const auto& r : reader_->runs()) {
    QTreeWidgetItem* parent = nullptr;
    if (!r.sweep.empty()) {
      // A sweep's row: its members under it, one check box for all of them.
      auto*& row = sweeps[QString::fromStdString(r.sweep)];
      if (!row) {
        row = new QTreeWidgetItem(runs_);
        row->setData(ColName, SweepRole, QString::fromStdString(r.sweep));
        row->setFlags(row->flags() | Qt::ItemIsUserCheckable | Qt::ItemIsAutoTristate);
        row->setToolTip(ColName, tr("Sweep '%1': right-click > Compare Sweep... draws its arms with seed bands")
                                     .arg(QString::fromStdString(r.sweep)));
      }
      // The sweep's size, which its members' configs record (a sweep not yet through has
      // fewer rows than members).
      try {
        const int members = RunConfig::from_toml(r.config_toml, r.name).sweep_members;
        row->setData(ColName, SweepMembersRole, std::max(members, row->data(ColName, SweepMembersRole).toInt()));
      } catch (const std::exception&) {
      }
      parent = row;
    }
    auto* item = parent ? new QTreeWidgetItem(parent) : new QTreeWidgetItem(runs_);
    item->setText(ColName, QString::fromStdString(r.name));
    item->setText(ColStatus, QString::fromStdString(r.status));
    item->setText(ColSteps, stepsText(r.last_step, r.total_steps));
    showCheckpoints(item, r.id);
    item->setData(ColName, Qt::UserRole, qint64(r.id));
    item->setData(ColName, Qt::UserRole + 1, color);
    item->setIcon(ColName, swatch(color));
    item->setToolTip(ColName, QString::fromStdString(r.model + " · " + r.task + " · seed " + std::to_string(r.seed)));
    item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
    const bool visible = !hidden.contains(r.id);
    item->setCheckState(ColName, visible ? Qt::Checked : Qt::Unchecked);
    dashboard_->setRunVisible(r.id, visible, color);
    ++color;
  }
  for (auto* row : sweeps) row->setExpanded(true);
  updateSweepRows();
  updateActions();
  const bool empty = runs_->topLevelItemCount() == 0;
  dashboardStack_->setCurrentWidget(empty ? static_cast<QWidget*>(welcome_) : dashboard_);
  if (empty) statusBar()->showMessage(tr("No runs yet: start the demo, or Run > New Run... for another preset"));
  else statusBar()->clearMessage();
}

void MainWindow::updateSweepRows() {
  for (int i = 0; i < runs_->topLevelItemCount(); ++i) {
    auto* row = runs_->topLevelItem(i);
    if (!row->data(ColName, SweepRole).isValid()) continue;
    const int members = std::max(row->data(ColName, SweepMembersRole).toInt(), row->childCount());
    int finished = 0;
    for (int c = 0; c < row->childCount(); ++c) finished += row->child(c)->text(ColStatus) == "finished";
    row->setText(ColName, tr("%1 (%2 runs)").arg(row->data(ColName, SweepRole).toString()).arg(members));
    row->setText(ColStatus, tr("%1/%2 done").arg(finished).arg(members));
  }
}

QString MainWindow::runName(qint64 id) const {
  for (auto* item : runItems())
    if (item->data(ColName, Qt::UserRole).toLongLong() == id) return item->text(ColName);
  return {};
}

QList<QTreeWidgetItem*> MainWindow::runItems() const {
  QList<QTreeWidgetItem*> out;
  for (QTreeWidgetItemIterator it(runs_); *it; ++it)
    if ((*it)->data(ColName, Qt::UserRole).isValid()) out << *it;
  return out;
}

qint64 MainWindow::currentRunId() const {
  const auto* item = runs_->currentItem();
  return item ? item->data(ColName, Qt::UserRole).toLongLong() : 0;
}

void MainWindow::compareSweep(const QString& sweep) {
  QStringList members;
  QString key;
  for (const auto& r : reader_->runs()) {
    if (r.sweep != sweep.toStdString()) continue;
    members << QString::fromStdString(r.name);
    // The first grid key (the arms' first) makes the lines; the others and the seeds fold into bands.
    const auto keys = QJsonDocument::fromJson(QByteArray::fromStdString(r.sweep_values)).object().keys();
    for (const auto& k : keys)
      if (key.isEmpty() && k != "seed") key = k;
  }
  ExportDialog dialog(dbPath_, members, {"accuracy", "completions/mean_length_incorrect", "reward"},
                      dashboard_->smoothing(), this);
  dialog.groupByBox()->setCurrentText(key);
  dialog.setSweep(sweep, members);
  dialog.exec();
}

bool MainWindow::renameRun(qint64 id, const QString& newName) {
  const QString old = runName(id);
  try {
    const std::string db = dbPath_.toStdString(), name = newName.trimmed().toStdString();
    const auto run = reader_->require_run(old.toStdString());
    db::rename_run(db, run.name, name, run.config_toml.empty() ? "" : config_with_name(run.config_toml, name),
                   TrainingJob::default_checkpoint_root(db));
  } catch (const std::exception& e) {
    QMessageBox::warning(this, tr("Rename run"), tr("Run '%1' was not renamed: %2").arg(old, QString::fromStdString(e.what())));
    return false;
  }
  reloadRuns();
  traces_->reloadRunsAndTags();
  statusBar()->showMessage(tr("Renamed run '%1' to '%2'").arg(old, newName.trimmed()), 5000);
  return true;
}

void MainWindow::renameRunAsked(qint64 id) {
  bool ok = false;
  const QString name = QInputDialog::getText(this, tr("Rename run"), tr("New name for run '%1':").arg(runName(id)),
                                             QLineEdit::Normal, runName(id), &ok);
  if (ok && name.trimmed() != runName(id)) renameRun(id, name);
}

void MainWindow::deleteRunAsked(qint64 id) {
  const QString name = runName(id);
  const auto answer = QMessageBox::question(
      this, tr("Delete run"),
      tr("Delete run '%1' with its samples, metrics, tags, notes and checkpoints?\nThis cannot be undone.").arg(name),
      QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
  if (answer != QMessageBox::Yes) return;
  dashboard_->setRunVisible(id, false, 0);
  try {
    const auto gone =
        db::delete_run(dbPath_.toStdString(), name.toStdString(), TrainingJob::default_checkpoint_root(dbPath_.toStdString()));
    statusBar()->showMessage(tr("Deleted run '%1': %2 samples, %3 checkpoint(s)").arg(name).arg(gone.samples).arg(gone.checkpoints),
                             5000);
  } catch (const std::exception& e) {
    QMessageBox::warning(this, tr("Delete run"), tr("Run '%1' was not deleted: %2").arg(name, QString::fromStdString(e.what())));
  }
  reloadRuns();
  traces_->reloadRunsAndTags();
}

void MainWindow::duplicateRun(qint64 id) {
  const auto run = reader_->run(id);
  if (!run || run->config_toml.empty()) {
    QMessageBox::warning(this, tr("Duplicate run"),
                         tr("Run '%1' has no stored config (imported without one): nothing to copy").arg(runName(id)));
    return;
  }
  const QString toml = QString::fromStdString(run->config_toml);  // the dialog gives it a fresh name
  if (!newRunDialog_) newRunDialog_ = new NewRunDialog(this);
  QStringList taken;
  for (auto* item : runItems()) taken << item->text(ColName);
  newRunDialog_->setTakenNames(taken);
  newRunDialog_->setConfigText(toml);
  if (newRunDialog_->exec() == QDialog::Accepted) startRun(newRunDialog_->configToml());
}

void MainWindow::pollDatabase() {
  if (!reader_) return;
  const auto runs = reader_->runs();
  const auto items = runItems();
  if (int(runs.size()) != items.size()) {
    reloadRuns();
    traces_->reloadRunsAndTags();
    return;
  }
  QHash<qint64, QTreeWidgetItem*> byId;
  for (auto* item : items) byId[item->data(ColName, Qt::UserRole).toLongLong()] = item;
  for (const auto& r : runs) {
    auto* item = byId.value(r.id);
    if (!item) return reloadRuns();
    item->setText(ColStatus, QString::fromStdString(r.status));
    item->setText(ColSteps, stepsText(r.last_step, r.total_steps));
    showCheckpoints(item, r.id);
  }
  updateSweepRows();
  dashboard_->refresh();
}

}  // namespace aha::ui
