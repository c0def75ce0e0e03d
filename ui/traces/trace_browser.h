#pragma once
// The trace browser: filters over every stored sample, a lazy table, and the detail
// view; tags with number keys on many selected rows; export of the selected or tagged
// traces to JSONL or Markdown.
#include <QWidget>

#include <memory>
#include <vector>

class QLabel;
class QTableView;
class QTimer;

namespace aha::db {
class RunReader;
class SearchIndexer;
class TagStore;
}  // namespace aha::db

namespace aha::ui {

class TraceDetailView;
class TraceFilterBar;
class TraceTableModel;

class TraceBrowser : public QWidget {
  Q_OBJECT
 public:
  explicit TraceBrowser(QWidget* parent = nullptr);
  ~TraceBrowser() override;
  // Opens its own connections to the database at `path` (empty closes).
  void setDatabase(const QString& path);
  // Re-reads runs and tags (the studio calls this when runs change).
  void reloadRunsAndTags();
  void showRunStep(qint64 runId, qint64 step);
  // Toggles tag number `key` (1-based, as the number keys) on the selected rows.
  void toggleTagOnSelection(int key);
  // Writes the selected traces, or with none selected every trace of the filter's tag,
  // to JSONL or Markdown (by extension); returns how many. Throws naming the file.
  int exportTraces(const QString& path);

  TraceFilterBar* filterBar() const { return filters_; }
  TraceTableModel* model() const { return model_; }
  QTableView* table() const { return table_; }
  TraceDetailView* detail() const { return detail_; }
  QLabel* statusLabel() const { return status_; }
  QList<qint64> selectedSampleIds() const;

 private:
  void applyFilter();
  qint64 searchBehind();  // traces a text search cannot see yet (0 without a text search)
  void applyTag(qint64 tagId, bool on);
  void exportDialog();
  std::vector<int64_t> idsToExport() const;

  std::shared_ptr<db::RunReader> reader_;
  std::shared_ptr<db::TagStore> tags_;
  std::unique_ptr<db::SearchIndexer> indexer_;
  QTimer* searchWait_;
  TraceFilterBar* filters_;
  TraceTableModel* model_;
  QTableView* table_;
  TraceDetailView* detail_;
  QLabel* status_;
};

}  // namespace aha::ui
