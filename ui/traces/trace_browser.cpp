#include "ui/traces/trace_browser.h"

#include <QFileDialog>
#include <QHeaderView>
#include <QLineEdit>
#include <QItemSelectionModel>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QShortcut>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include <fstream>

#include <spdlog/spdlog.h>

#include "db/run_reader.h"
#include "db/search_index.h"
#include "db/tag_store.h"
#include "db/trace_export.h"
#include "ui/traces/trace_detail_view.h"
#include "ui/traces/trace_html.h"
#include "ui/traces/trace_filter_bar.h"
#include "ui/traces/trace_table_model.h"

namespace aha::ui {

TraceBrowser::TraceBrowser(QWidget* parent) : QWidget(parent) {
  filters_ = new TraceFilterBar(this);
  model_ = new TraceTableModel(this);
  table_ = new QTableView(this);
  table_->setModel(model_);
  table_->setSortingEnabled(true);
  table_->sortByColumn(TraceTableModel::ColStep, Qt::AscendingOrder);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  table_->verticalHeader()->hide();
  table_->verticalHeader()->setDefaultSectionSize(22);
  auto* header = table_->horizontalHeader();
  header->setSectionResizeMode(TraceTableModel::ColPrompt, QHeaderView::Stretch);
  for (auto [col, width] : {std::pair{TraceTableModel::ColStep, 55}, {TraceTableModel::ColReward, 65},
                            {TraceTableModel::ColCorrect, 60}, {TraceTableModel::ColLength, 60},
                            {TraceTableModel::ColAha, 65}, {TraceTableModel::ColTags, 120}})
    table_->setColumnWidth(col, width);
  table_->setToolTip(tr("Keys 1-9 toggle a tag on the selected rows"));
  detail_ = new TraceDetailView(this);
  status_ = new QLabel(this);
  auto* exportButton = new QPushButton(tr("&Export selected..."), this);
  exportButton->setToolTip(tr("Write the selected traces to JSONL or Markdown (Ctrl+E)"));

  auto* split = new QSplitter(Qt::Horizontal, this);
  split->addWidget(table_);
  split->addWidget(detail_);
  split->setSizes({700, 600});
  auto* bottom = new QHBoxLayout;
  bottom->addWidget(status_, 1);
  bottom->addWidget(exportButton);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(filters_);
  layout->addWidget(split, 1);
  layout->addLayout(bottom);

  connect(filters_, &TraceFilterBar::filterChanged, this, &TraceBrowser::applyFilter);
  connect(model_, &TraceTableModel::loaded, this, [this](int rows, qint64 total, double ms) {
    const QString of = total < 0 ? tr("counting…") : QString::number(total);
    QString text = tr("%1 of %2 matching traces loaded · last page read in %3 ms").arg(rows).arg(of).arg(ms, 0, 'f', 1);
    if (const qint64 behind = searchBehind(); behind > 0) {
      const std::string failed = indexer_ ? indexer_->error() : std::string();
      if (failed.empty()) {
        text += tr(" · search does not see the newest %1 trace(s) yet: indexing…").arg(behind);
        searchWait_->start();
      } else {
        text += tr(" · search does not see the newest %1 trace(s): %2").arg(behind).arg(QString::fromStdString(failed));
      }
    }
    status_->setText(text);
  });
  // While a text search misses traces the index has not reached, look again each second
  // and search again once it has (or once the indexer has stopped, to say why).
  searchWait_ = new QTimer(this);
  searchWait_->setInterval(1000);
  searchWait_->setSingleShot(true);
  connect(searchWait_, &QTimer::timeout, this, [this] {
    const bool stopped = indexer_ && !indexer_->error().empty();
    if (searchBehind() > 0 && !stopped) searchWait_->start();
    else applyFilter();  // caught up, or the indexer stopped: search again and say which
  });
  connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          [this](const QModelIndex& cur) { detail_->showSample(model_->sampleId(cur.row())); });
  connect(model_, &QAbstractItemModel::modelReset, this, [this] { detail_->showSample(-1); });
  connect(detail_, &TraceDetailView::tagToggled, this, &TraceBrowser::applyTag);
  connect(exportButton, &QPushButton::clicked, this, &TraceBrowser::exportDialog);
  auto* exportKey = new QShortcut(QKeySequence(tr("Ctrl+E")), this, this, &TraceBrowser::exportDialog);
  exportKey->setContext(Qt::WidgetWithChildrenShortcut);
  auto* findKey = new QShortcut(QKeySequence::Find, this, this, [this] {
    filters_->searchEdit()->setFocus(Qt::ShortcutFocusReason);
    filters_->searchEdit()->selectAll();
  });
  findKey->setContext(Qt::WidgetWithChildrenShortcut);
  for (int k = 1; k <= 9; ++k) {
    // Only while the table has focus, so digits still type into the filters and note.
    auto* key = new QShortcut(QKeySequence(Qt::Key_0 + k), table_, [this, k] { toggleTagOnSelection(k); });
    key->setContext(Qt::WidgetShortcut);
  }
}

TraceBrowser::~TraceBrowser() = default;

void TraceBrowser::setDatabase(const QString& path) {
  searchWait_->stop();
  indexer_.reset();
  reader_.reset();
  tags_.reset();
  if (!path.isEmpty()) {
    try {
      reader_ = std::make_shared<db::RunReader>(path.toStdString());
      tags_ = std::make_shared<db::TagStore>(path.toStdString());
      // Brings the search index up to date (a rebuild, or steps written while no indexer
      // ran) and follows other programs writing to the database.
      indexer_ = std::make_unique<db::SearchIndexer>(path.toStdString());
    } catch (const std::exception& e) {
      spdlog::error("trace browser: {}", e.what());
      reader_.reset();
      tags_.reset();
    }
  }
  detail_->setDatabase(reader_, tags_);
  reloadRunsAndTags();
  model_->setDatabase(reader_, tags_);
}

void TraceBrowser::reloadRunsAndTags() {
  if (!reader_) {
    filters_->setRuns({});
    filters_->setTags({});
    detail_->setTags({});
    status_->setText(tr("No database open."));
    return;
  }
  filters_->setRuns(reader_->runs());
  const auto tags = tags_->tags();
  filters_->setTags(tags);
  detail_->setTags(tags);
}

void TraceBrowser::showRunStep(qint64 runId, qint64 step) { filters_->showRunStep(runId, step); }

qint64 TraceBrowser::searchBehind() {
  if (!reader_ || filters_->filter().text_query.empty()) return 0;
  try {
    return reader_->search_pending();
  } catch (const std::exception& e) {
    spdlog::warn("trace browser: {}", e.what());
    return 0;
  }
}

void TraceBrowser::applyFilter() {
  detail_->setSearchTerms(searchTerms(QString::fromStdString(filters_->filter().text_query)));
  const QString error = model_->setFilter(filters_->filter());
  if (!error.isEmpty()) status_->setText(tr("Filter not applied: %1").arg(error));
}

QList<qint64> TraceBrowser::selectedSampleIds() const {
  QList<qint64> ids;
  for (const auto& index : table_->selectionModel()->selectedRows()) ids << model_->sampleId(index.row());
  return ids;
}

void TraceBrowser::toggleTagOnSelection(int key) {
  if (!tags_) return;
  const auto tags = tags_->tags();
  if (key < 1 || key > static_cast<int>(tags.size())) return;
  const qint64 tagId = tags[key - 1].id;
  // On when any selected row lacks it, so one key press makes the selection uniform.
  bool allHave = true;
  const auto ids = selectedSampleIds();
  const auto names = tags_->tag_names_of(std::vector<int64_t>(ids.begin(), ids.end()));
  for (qint64 id : ids) {
    auto it = names.find(id);
    const bool has = it != names.end() && std::find(it->second.begin(), it->second.end(), tags[key - 1].name) != it->second.end();
    allHave = allHave && has;
  }
  applyTag(tagId, !allHave);
}

void TraceBrowser::applyTag(qint64 tagId, bool on) {
  const auto ids = selectedSampleIds();
  if (!tags_ || ids.isEmpty()) return;
  const std::vector<int64_t> v(ids.begin(), ids.end());
  try {
    on ? tags_->attach(tagId, v) : tags_->detach(tagId, v);
  } catch (const std::exception& e) {
    QMessageBox::warning(this, tr("Tagging failed"), QString::fromStdString(e.what()));
    return;
  }
  QList<int> rows;
  for (const auto& index : table_->selectionModel()->selectedRows()) rows << index.row();
  model_->refreshTags(rows);
  detail_->refreshTags();
  status_->setText(tr("%1 %2 trace(s)").arg(on ? tr("Tagged") : tr("Untagged")).arg(ids.size()));
}

std::vector<int64_t> TraceBrowser::idsToExport() const {
  const auto ids = selectedSampleIds();
  if (ids.isEmpty() && reader_ && model_->filter().tag_id)
    return db::samples_with_tag(*reader_, *model_->filter().tag_id, model_->filter().run_id);
  return {ids.begin(), ids.end()};
}

int TraceBrowser::exportTraces(const QString& path) {
  const auto traces = db::collect_traces(*reader_, *tags_, idsToExport());
  std::ofstream out(path.toStdString());
  if (!out) throw std::runtime_error("cannot write '" + path.toStdString() + "'");
  if (path.endsWith(".md", Qt::CaseInsensitive)) db::write_traces_markdown(out, traces);
  else db::write_traces_jsonl(out, traces);
  if (!out) throw std::runtime_error("writing '" + path.toStdString() + "' failed (disk full?)");
  return static_cast<int>(traces.size());
}

void TraceBrowser::exportDialog() {
  if (!reader_ || idsToExport().empty()) {
    QMessageBox::information(this, tr("Export traces"),
                             tr("Select the traces to export, or filter by a tag to export every trace with it."));
    return;
  }
  const QString path = QFileDialog::getSaveFileName(this, tr("Export traces"), "traces.jsonl",
                                                    tr("JSON Lines (*.jsonl);;Markdown (*.md)"));
  if (path.isEmpty()) return;
  try {
    const int n = exportTraces(path);
    status_->setText(tr("Exported %1 trace(s) to %2").arg(n).arg(path));
  } catch (const std::exception& e) {
    QMessageBox::warning(this, tr("Export failed"), QString::fromStdString(e.what()));
  }
}

}  // namespace aha::ui
