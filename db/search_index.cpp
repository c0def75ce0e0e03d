#include "db/search_index.h"

#include <chrono>
#include <filesystem>
#include <map>

#include <spdlog/spdlog.h>

#include "db/schema.h"

namespace aha::db {

namespace {

// Contentless: the text lives once, in the database. columnsize=0: nothing ranks by
// bm25, and the per-document sizes cost a quarter of the indexing time.
constexpr const char* kIndexSchema = R"sql(
  CREATE VIRTUAL TABLE IF NOT EXISTS samples_fts USING fts5(completion, content='', columnsize=0, detail=full);
  CREATE TABLE IF NOT EXISTS index_state(key TEXT PRIMARY KEY, value) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS purged_runs(run_id INTEGER PRIMARY KEY, through_id INTEGER NOT NULL);
)sql";

std::unique_ptr<Connection> open_index(const std::string& path) {
  auto db = std::make_unique<Connection>(path);
  db->set_busy_timeout(5000);
  db->exec("PRAGMA journal_mode = WAL");  // the first access: a damaged file fails here
  db->exec("PRAGMA synchronous = NORMAL");
  db->exec("PRAGMA wal_autocheckpoint = 10000");  // fewer fsyncs, as for the database
  Transaction tx(*db);
  db->exec(kIndexSchema);
  // Indexing batches of thousands writes one segment each. Merging them 32 at a time (FTS5
  // merges 4 by default) rewrites each entry fewer times: a million samples index 1.3x to
  // 1.6x faster than at 8, and a word's first page or match count still takes 1 to 4 ms.
  if (db->scalar_int("SELECT count(*) FROM samples_fts_config WHERE k = 'automerge' AND v = 32") == 0)
    db->exec("INSERT INTO samples_fts(samples_fts, rank) VALUES('automerge', 32);"
             "INSERT INTO samples_fts(samples_fts, rank) VALUES('crisismerge', 64);"
             "INSERT INTO samples_fts(samples_fts, rank) VALUES('hashsize', 67108864)");
  tx.commit();
  return db;
}

bool is_damaged(const DbError& e) {
  const int primary = e.code() & 0xff;
  return primary == 26 /* SQLITE_NOTADB */ || primary == 11 /* SQLITE_CORRUPT */;
}

}  // namespace

std::string search_index_path(const std::string& db_path) { return db_path + ".fts"; }

SearchIndex::SearchIndex(const std::string& db_path)
    : db_path_(db_path), source_(open_run_database(db_path, Access::Existing)) {
  const std::string path = search_index_path(db_path);
  try {
    index_ = open_index(path);
  } catch (const DbError& e) {
    if (!is_damaged(e)) throw;
    spdlog::warn("search index '{}' is damaged ({}); rebuilding it from the samples", path, e.what());
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    index_ = open_index(path);
  }
  reset_if_foreign();
}

SearchIndex::~SearchIndex() = default;

int64_t SearchIndex::indexed_through() {
  return index_->scalar_int("SELECT coalesce((SELECT value FROM index_state WHERE key = 'indexed_through'), 0)");
}

void SearchIndex::reset_if_foreign() {
  const std::string ours = source_->scalar_text("SELECT value FROM store_meta WHERE key = 'instance'");
  auto belongs = [&] {
    // Ids the database has handed out; an index past them was built for another copy.
    const int64_t issued = source_->scalar_int(kNextSampleIdSql) - 1;
    return index_->scalar_text("SELECT value FROM index_state WHERE key = 'instance'") == ours &&
           indexed_through() <= issued;
  };
  if (belongs()) return;
  Transaction tx(*index_);
  if (belongs()) return;  // another indexer got there first
  const std::string theirs = index_->scalar_text("SELECT value FROM index_state WHERE key = 'instance'");
  if (!theirs.empty())
    spdlog::info("search index '{}' belongs to another copy of '{}'; rebuilding it", search_index_path(db_path_),
                 db_path_);
  index_->exec("INSERT INTO samples_fts(samples_fts) VALUES('delete-all'); DELETE FROM purged_runs;");
  Statement set(*index_, "INSERT OR REPLACE INTO index_state(key, value) VALUES('instance', ?), ('indexed_through', 0)");
  set.bind(1, ours).run();
  tx.commit();
}

int64_t SearchIndex::index_batch(int64_t max_samples) {
  // An idle poll takes no lock: most polls find nothing new.
  if (source_->scalar_int("SELECT coalesce(max(id), 0) FROM samples") <= indexed_through()) return 0;
  Transaction tx(*index_);
  const int64_t from = indexed_through();  // again, under the lock: another indexer may have moved it
  std::map<int64_t, int64_t> purged;       // run -> its samples up to this id are deleted
  for (Statement st(*index_, "SELECT run_id, through_id FROM purged_runs"); st.step();)
    purged[st.column_int(0)] = st.column_int(1);

  Transaction snapshot(*source_, false);
  Statement rows(*source_, "SELECT id, run_id, completion FROM samples WHERE id > ? ORDER BY id LIMIT ?");
  rows.bind(1, from).bind(2, max_samples);
  Statement add(*index_, "INSERT INTO samples_fts(rowid, completion) VALUES(?, ?)");
  int64_t last = from, seen = 0;
  while (rows.step()) {
    last = rows.column_int(0);
    ++seen;
    if (auto p = purged.find(rows.column_int(1)); p != purged.end() && last <= p->second) continue;
    add.bind(1, last).bind(2, rows.column_text(2)).run();
  }
  snapshot.commit();
  Statement mark(*index_, "UPDATE index_state SET value = ? WHERE key = 'indexed_through'");
  mark.bind(1, last).run();
  tx.commit();
  return seen;
}

int64_t SearchIndex::pending() {
  Statement st(*source_, "SELECT count(*) FROM samples WHERE id > ?");
  st.bind(1, indexed_through());
  return st.step() ? st.column_int(0) : 0;
}

void SearchIndex::purge_run(int64_t run_id) {
  Transaction tx(*index_);
  Statement before(*index_, "SELECT through_id FROM purged_runs WHERE run_id = ?");
  before.bind(1, run_id);
  const int64_t purged_through = before.step() ? before.column_int(0) : 0;
  Transaction snapshot(*source_, false);
  Statement rows(*source_, "SELECT id, completion FROM samples WHERE run_id = ? AND id > ? AND id <= ?");
  rows.bind(1, run_id).bind(2, purged_through).bind(3, indexed_through());
  Statement del(*index_, "INSERT INTO samples_fts(samples_fts, rowid, completion) VALUES('delete', ?, ?)");
  while (rows.step()) del.bind(1, rows.column_int(0)).bind(2, rows.column_text(1)).run();
  // Samples of the run not indexed yet are skipped from now on.
  Statement mark(*index_, "INSERT OR REPLACE INTO purged_runs(run_id, through_id) VALUES(?, ?)");
  mark.bind(1, run_id).bind(2, source_->scalar_int("SELECT coalesce(max(id), 0) FROM samples")).run();
  snapshot.commit();
  tx.commit();
}

// ---- SearchIndexer ----

SearchIndexer::SearchIndexer(std::string db_path)
    : db_path_(std::move(db_path)), thread_([this](std::stop_token stop) { loop(stop); }) {}

void SearchIndexer::notify() {
  {
    std::lock_guard lock(mutex_);
    notified_ = true;
  }
  wake_.notify_all();
}

void SearchIndexer::finish() {
  std::unique_lock lock(mutex_);
  const uint64_t ticket = ++finish_requested_;
  wake_.notify_all();
  done_.wait(lock, [&] { return error_ || finish_done_ >= ticket; });
  if (error_) std::rethrow_exception(error_);
}

std::string SearchIndexer::error() {
  std::lock_guard lock(mutex_);
  return error_text_;
}

void SearchIndexer::loop(std::stop_token stop) {
  using namespace std::chrono;
  try {
    SearchIndex index(db_path_);
    auto reported = steady_clock::now();
    for (;;) {
      uint64_t ticket;
      {
        std::lock_guard lock(mutex_);
        if (stop.stop_requested()) return;
        ticket = finish_requested_;
        notified_ = false;
      }
      bool caught_up = false;
      while (!caught_up) {
        try {
          caught_up = index.index_batch() == 0;
        } catch (const DbError& e) {
          if (!e.is_busy()) throw;
          break;  // another indexer or a run's deletion holds the index: try again soon
        }
        {
          std::lock_guard lock(mutex_);
          if (stop.stop_requested()) return;
        }
        if (steady_clock::now() - reported > seconds(10)) {  // a rebuild of a large database
          if (const int64_t left = index.pending(); left > 200000)
            spdlog::info("search index of '{}': {} samples still to index", db_path_, left);
          reported = steady_clock::now();
        }
      }
      std::unique_lock lock(mutex_);
      if (caught_up) finish_done_ = ticket;
      done_.notify_all();
      wake_.wait_for(lock, stop, seconds(2), [&] { return notified_ || (caught_up && finish_requested_ != ticket); });
    }
  } catch (const std::exception& e) {
    spdlog::warn("search index of '{}' stopped: {}; full-text search will miss newer samples", db_path_, e.what());
    std::lock_guard lock(mutex_);
    error_ = std::current_exception();
    error_text_ = e.what();
    done_.notify_all();
  }
}

}  // namespace aha::db
