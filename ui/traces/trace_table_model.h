#pragma once
// A lazy table over the samples of the open database: it holds only the pages the view
// has scrolled to (keyset pages of the run store, fetched by fetchMore), never the whole
// run, and sorts in SQL. Light columns only; the detail view reads the full sample.
#include <QAbstractTableModel>
#include <QElapsedTimer>

#include <memory>
#include <vector>

#include "db/run_reader.h"

namespace aha::db {
class TagStore;
}

namespace aha::ui {

class TraceTableModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { ColStep, ColPrompt, ColReward, ColCorrect, ColLength, ColAha, ColTags, ColumnCount };
  static constexpr int kPageSize = 200;

  explicit TraceTableModel(QObject* parent = nullptr);
  void setDatabase(std::shared_ptr<db::RunReader> reader, std::shared_ptr<db::TagStore> tags);
  // Starts over with a new filter: loads the first page at once and counts the matches
  // on a worker thread (a count walks every match; at a million samples that is too slow
  // for the UI thread). An invalid full-text query leaves the model empty and returns
  // the error text.
  QString setFilter(const db::SampleFilter& filter);
  const db::SampleFilter& filter() const { return filter_; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation o, int role) const override;
  bool canFetchMore(const QModelIndex& parent) const override;
  void fetchMore(const QModelIndex& parent) override;
  void sort(int column, Qt::SortOrder order) override;

  qint64 sampleId(int row) const;
  qint64 totalMatching() const { return total_; }  // -1 while counting
  // Re-reads the tags of these rows after tagging.
  void refreshTags(const QList<int>& rows);
  double lastFetchMs() const { return lastFetchMs_; }

 signals:
  // After each page and when the count arrives (total -1 while counting).
  void loaded(int rows, qint64 total, double fetchMs);

 private:
  struct Row {
    qint64 id = 0, step = 0;
    QString prompt, tags;
    double reward = 0, aha = 0;
    int tokens = 0;
    bool correct = false, realAha = false;
  };
  std::vector<Row> readPage();  // the next page after next_, advancing it

  std::shared_ptr<db::RunReader> reader_;
  std::shared_ptr<db::TagStore> tags_;
  db::SampleFilter filter_;
  db::SampleOrder order_ = db::SampleOrder::StepThenId;
  bool descending_ = false;
  db::PageCursor next_;
  bool more_ = false;
  std::vector<Row> rows_;
  qint64 total_ = 0;
  double lastFetchMs_ = 0;
  quint64 generation_ = 0;  // which filter an arriving count belongs to
};

}  // namespace aha::ui
