#include "ui/traces/trace_table_model.h"

#include <QBrush>
#include <QColor>
#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>

#include "db/tag_store.h"

namespace aha::ui {
namespace {
QString joined(const std::vector<std::string>& names) {
  QStringList out;
  for (const auto& n : names) out << QString::fromStdString(n);
  return out.join(", ");
}
}  // namespace

TraceTableModel::TraceTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void TraceTableModel::setDatabase(std::shared_ptr<db::RunReader> reader, std::shared_ptr<db::TagStore> tags) {
  reader_ = std::move(reader);
  tags_ = std::move(tags);
  setFilter(filter_);
}

QString TraceTableModel::setFilter(const db::SampleFilter& filter) {
  beginResetModel();
  filter_ = filter;
  rows_.clear();
  next_ = {};
  more_ = false;
  total_ = 0;
  QString error;
  const quint64 generation = ++generation_;
  if (reader_) {
    try {
      rows_ = readPage();
      total_ = more_ ? -1 : static_cast<qint64>(rows_.size());
    } catch (const std::exception& e) {
      rows_.clear();
      more_ = false;
      total_ = 0;
      error = QString::fromStdString(e.what());
    }
  }
  endResetModel();
  if (!error.isEmpty()) return error;
  emit loaded(static_cast<int>(rows_.size()), total_, lastFetchMs_);
  if (total_ < 0) {
    // Its own connection: SQLite connections are not shared across threads here.
    auto* watcher = new QFutureWatcher<qint64>(this);
    connect(watcher, &QFutureWatcher<qint64>::finished, this, [this, watcher, generation] {
      watcher->deleteLater();
      if (generation != generation_) return;  // the filter changed meanwhile
      // A failed count (the database went away) shows what is loaded rather than "counting".
      total_ = watcher->result() >= 0 ? watcher->result() : static_cast<qint64>(rows_.size());
      emit loaded(static_cast<int>(rows_.size()), total_, lastFetchMs_);
    });
    watcher->setFuture(QtConcurrent::run([path = reader_->connection().path(), filter = filter_]() -> qint64 {
      try {
        return db::RunReader(path).count_samples(filter);
      } catch (const std::exception&) {
        return -1;
      }
    }));
  }
  return error;
}

std::vector<TraceTableModel::Row> TraceTableModel::readPage() {
  QElapsedTimer timer;
  timer.start();
  auto page = reader_->samples(filter_, order_, descending_, kPageSize, next_);
  std::vector<int64_t> ids;
  for (const auto& s : page.rows) ids.push_back(s.id);
  const auto tagNames = tags_ ? tags_->tag_names_of(ids) : std::map<int64_t, std::vector<std::string>>{};
  std::vector<Row> rows;
  for (const auto& s : page.rows) {
    Row r;
    r.id = s.id;
    r.step = s.step;
    r.prompt = QString::fromStdString(s.prompt).left(80);
    r.reward = s.reward;
    r.aha = s.aha_score;
    r.tokens = s.token_count;
    r.correct = s.correct;
    r.realAha = s.real_aha;
    if (auto it = tagNames.find(s.id); it != tagNames.end()) r.tags = joined(it->second);
    rows.push_back(std::move(r));
  }
  next_ = page.next;
  more_ = page.next.valid;
  lastFetchMs_ = timer.nsecsElapsed() / 1e6;
  return rows;
}

int TraceTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}
int TraceTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant TraceTableModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= static_cast<int>(rows_.size())) return {};
  const Row& r = rows_[index.row()];
  if (role == Qt::DisplayRole) {
    switch (index.column()) {
      case ColStep: return r.step;
      case ColPrompt: return r.prompt;
      case ColReward: return QString::number(r.reward, 'f', 3);
      case ColCorrect: return r.correct ? QStringLiteral("✓") : QStringLiteral("✗");
      case ColLength: return r.tokens;
      case ColAha: return r.aha > 0 ? QString::number(r.aha, 'f', 2) + (r.realAha ? " ★" : "") : QString();
      case ColTags: return r.tags;
    }
  }
  if (role == Qt::ForegroundRole && index.column() == ColCorrect)
    return QBrush(r.correct ? QColor("#009E73") : QColor("#D55E00"));
  if (role == Qt::TextAlignmentRole && index.column() != ColPrompt && index.column() != ColTags)
    return int(Qt::AlignRight | Qt::AlignVCenter);
  if (role == Qt::ToolTipRole && index.column() == ColAha && r.realAha)
    return tr("Real aha: a revision that ended in the right answer");
  if (role == Qt::UserRole) return r.id;
  return {};
}

QVariant TraceTableModel::headerData(int section, Qt::Orientation o, int role) const {
  if (o == Qt::Horizontal && role == Qt::ToolTipRole && section == ColAha)
    return tr("Aha score, 0 to 1: how much reflection the detector read. Each reflective phrase and each revised "
              "answer adds to it (one verification 0.50, two phrases about 0.75, more near 1); empty: none. "
              "\u2605: a real aha, a reflection that turned a wrong value into the right one (docs/REFLECTION.md).");
  if (o != Qt::Horizontal || role != Qt::DisplayRole) return {};
  static const char* names[] = {"Step", "Prompt", "Reward", "Correct", "Length", "Aha", "Tags"};
  return tr(names[section]);
}

bool TraceTableModel::canFetchMore(const QModelIndex& parent) const { return !parent.isValid() && more_ && reader_; }

void TraceTableModel::fetchMore(const QModelIndex& parent) {
  if (!canFetchMore(parent)) return;
  const int first = static_cast<int>(rows_.size());
  auto page = readPage();
  if (page.empty()) return;
  beginInsertRows({}, first, first + static_cast<int>(page.size()) - 1);
  rows_.insert(rows_.end(), std::make_move_iterator(page.begin()), std::make_move_iterator(page.end()));
  endInsertRows();
  emit loaded(static_cast<int>(rows_.size()), total_, lastFetchMs_);
}

void TraceTableModel::sort(int column, Qt::SortOrder order) {
  const auto by = column == ColReward   ? db::SampleOrder::Reward
                  : column == ColAha    ? db::SampleOrder::AhaScore
                  : column == ColLength ? db::SampleOrder::Length
                                        : db::SampleOrder::StepThenId;
  order_ = by;
  descending_ = order == Qt::DescendingOrder;
  setFilter(filter_);
}

qint64 TraceTableModel::sampleId(int row) const {
  return row >= 0 && row < static_cast<int>(rows_.size()) ? rows_[row].id : -1;
}

void TraceTableModel::refreshTags(const QList<int>& rows) {
  if (!tags_) return;
  std::vector<int64_t> ids;
  for (int r : rows) ids.push_back(sampleId(r));
  const auto names = tags_->tag_names_of(ids);
  for (int r : rows) {
    if (r < 0 || r >= static_cast<int>(rows_.size())) continue;
    const auto it = names.find(rows_[r].id);
    rows_[r].tags = it == names.end() ? QString() : joined(it->second);
    emit dataChanged(index(r, ColTags), index(r, ColTags));
  }
}

}  // namespace aha::ui
