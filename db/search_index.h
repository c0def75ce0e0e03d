#pragma once
// The full-text index over completions lives in a file beside the database, <db>.fts.
// Why a second file: FTS5 spends as much time indexing a sample as the store spends
// writing it, and SQLite lets one writer at a time into a file. In its own file, a second
// thread indexes what the writer has committed while the writer goes on; a search sees a
// step once it is indexed (well under a second behind a training run).
// The index is derived data: missing, damaged or belonging to another database, it is
// rebuilt from the samples. Sample ids are never reused (store_meta.next_sample_id), so
// an entry whose sample was deleted can only miss its join, never name another sample.
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>

#include "db/sqlite.h"

namespace aha::db {

std::string search_index_path(const std::string& db_path);

// One connection to the index and one to the database, for one thread.
class SearchIndex {
 public:
  // Opens the index of the database at db_path, creating or resetting it as needed.
  explicit SearchIndex(const std::string& db_path);
  ~SearchIndex();
  // Indexes up to max_samples committed samples in one transaction of the index. Returns
  // how many samples it went past (0: everything committed is indexed).
  int64_t index_batch(int64_t max_samples = 32768);
  // Samples committed but not yet indexed.
  int64_t pending();
  // Removes a run's entries (they need their text): call before deleting its samples.
  void purge_run(int64_t run_id);

 private:
  void reset_if_foreign();
  int64_t indexed_through();

  std::string db_path_;
  std::unique_ptr<Connection> index_, source_;
};

// Keeps the index of one database up to date on its own thread: woken when the writer
// commits, and every two seconds for other writers' commits.
class SearchIndexer {
 public:
  explicit SearchIndexer(std::string db_path);
  // The destructor stops at a batch boundary; what is left is indexed next time.
  SearchIndexer(const SearchIndexer&) = delete;
  SearchIndexer& operator=(const SearchIndexer&) = delete;

  void notify();  // new samples were committed
  // Waits until every sample committed before the call is indexed. Throws what stopped
  // the indexer if it failed (it names the file).
  void finish();
  // Why the indexer stopped (it names the file), or empty while it runs.
  std::string error();

 private:
  void loop(std::stop_token stop);

  std::string db_path_;
  std::mutex mutex_;
  std::condition_variable_any wake_;  // also woken by the stop request
  std::condition_variable done_;
  bool notified_ = false;
  uint64_t finish_requested_ = 0, finish_done_ = 0;
  std::exception_ptr error_;
  std::string error_text_;
  std::jthread thread_;  // last: stopped and joined before the rest goes
};

}  // namespace aha::db
