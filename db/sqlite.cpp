#include "db/sqlite.h"

#include <unistd.h>

#include <sqlite3.h>
#include <spdlog/spdlog.h>

namespace aha::db {

bool DbError::is_busy() const {
  return (code_ & 0xff) == SQLITE_BUSY || (code_ & 0xff) == SQLITE_LOCKED;
}
bool DbError::is_full() const { return (code_ & 0xff) == SQLITE_FULL; }

// ---- Connection ----

namespace {
// Before the first connection: SQLite's memory statistics take one global mutex on every
// allocation, which the writer and the search indexer would contend for.
const bool kConfigured = [] {
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  return true;
}();
}  // namespace

Connection::Connection(const std::string& path, Mode mode) : path_(path) {
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  std::string name = path;
  bool query_only = false;
  if (mode == Mode::ReadOnly) {
    const auto slash = path.find_last_of('/');
    const std::string folder = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    if (access(folder.c_str(), W_OK) != 0) {
      // Read-only media: a WAL database can only be read as immutable there (no -shm to make).
      flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_READONLY | SQLITE_OPEN_URI;
      name = "file:" + path + "?immutable=1";
    } else {
      // A writable folder: opened for writing without creating, and made query-only, so
      // that the WAL of a writer that was killed is recovered (a read-only connection
      // cannot, and would read the file as it was before that writer's last checkpoint).
      flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_READWRITE;
      query_only = true;
    }
  }
  int rc = sqlite3_open_v2(name.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw DbError("cannot open database '" + path + "': " + msg, rc);
  }
  sqlite3_extended_result_codes(db_, 1);
  if (query_only) exec("PRAGMA query_only = ON");
}

Connection::~Connection() {
  if (db_) sqlite3_close_v2(db_);
}

std::string Connection::error_message() const { return db_ ? sqlite3_errmsg(db_) : "no connection"; }

void Connection::fail(const std::string& doing, int rc) const {
  std::string msg = "database '" + path_ + "': " + doing + ": " + error_message();
  if ((rc & 0xff) == SQLITE_FULL) msg += " (the disk or the database size limit is full; free space and retry)";
  if ((rc & 0xff) == SQLITE_BUSY) msg += " (another program holds a lock on it; close it or retry)";
  if ((rc & 0xff) == SQLITE_READONLY) msg += " (the file or its folder is read-only)";
  if ((rc & 0xff) == SQLITE_NOTADB) msg += " (this file is not an SQLite database)";
  if ((rc & 0xff) == SQLITE_CORRUPT)
    msg += " (the file is damaged; sqlite3 FILE .recover | sqlite3 recovered.aha.db keeps what can be read)";
  throw DbError(msg, rc);
}

void Connection::exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    sqlite3_free(err);
    fail("executing '" + s.substr(0, 80) + "'", rc);
  }
}

int64_t Connection::last_insert_id() const { return sqlite3_last_insert_rowid(db_); }
int Connection::changes() const { return sqlite3_changes(db_); }
void Connection::set_busy_timeout(int ms) { sqlite3_busy_timeout(db_, ms); }
void Connection::set_checkpoint_on_close(bool allowed) {
  sqlite3_db_config(db_, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, allowed ? 0 : 1, nullptr);
}

int64_t Connection::scalar_int(std::string_view sql) {
  Statement st(*this, sql);
  return st.step() ? st.column_int(0) : 0;
}

std::string Connection::scalar_text(std::string_view sql) {
  Statement st(*this, sql);
  return st.step() ? st.column_text(0) : std::string();
}

// ---- Statement ----

Statement::Statement(Connection& db, std::string_view sql) : db_(&db) {
  int rc = sqlite3_prepare_v3(db.handle(), sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  if (rc != SQLITE_OK) db.fail("preparing '" + std::string(sql.substr(0, 120)) + "'", rc);
}

Statement::~Statement() {
  if (stmt_) sqlite3_finalize(stmt_);
}

Statement::Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) {
  other.stmt_ = nullptr;
}

void Statement::fail(const char* doing, int rc) const {
  db_->fail(std::string(doing) + " '" + std::string(sqlite3_sql(stmt_)).substr(0, 120) + "'", rc);
}

Statement& Statement::bind(int index, int64_t value) {
  if (int rc = sqlite3_bind_int64(stmt_, index, value); rc != SQLITE_OK) fail("binding", rc);
  return *this;
}
Statement& Statement::bind(int index, double value) {
  if (int rc = sqlite3_bind_double(stmt_, index, value); rc != SQLITE_OK) fail("binding", rc);
  return *this;
}
Statement& Statement::bind(int index, std::string_view text) {
  int rc = sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) fail("binding", rc);
  return *this;
}
Statement& Statement::bind_null(int index) {
  if (int rc = sqlite3_bind_null(stmt_, index); rc != SQLITE_OK) fail("binding", rc);
  return *this;
}
Statement& Statement::bind_blob(int index, const void* data, size_t size) {
  if (int rc = sqlite3_bind_blob64(stmt_, index, data, size, SQLITE_TRANSIENT); rc != SQLITE_OK)
    fail("binding", rc);
  return *this;
}
int Statement::parameter_index(const char* name) const { return sqlite3_bind_parameter_index(stmt_, name); }

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3_reset(stmt_);
  fail("running", rc);
}

void Statement::run() {
  step();
  reset();
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int64_t Statement::column_int(int col) const { return sqlite3_column_int64(stmt_, col); }
double Statement::column_double(int col) const { return sqlite3_column_double(stmt_, col); }
std::string Statement::column_text(int col) const {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  return p ? std::string(p, sqlite3_column_bytes(stmt_, col)) : std::string();
}

std::string_view Statement::column_blob(int col) const {
  const void* p = sqlite3_column_blob(stmt_, col);  // before the size, as SQLite asks
  return {static_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_, col))};
}

bool Statement::column_is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
int Statement::column_count() const { return sqlite3_column_count(stmt_); }

// ---- Transaction ----

Transaction::Transaction(Connection& db, bool immediate) : db_(db) {
  db_.exec(immediate ? "BEGIN IMMEDIATE" : "BEGIN");
}

Transaction::~Transaction() {
  if (done_) return;
  try {
    db_.exec("ROLLBACK");
  } catch (const DbError& e) {
    // Rolling back can only fail if SQLite already rolled back (e.g. on SQLITE_FULL).
    spdlog::debug("rollback: {}", e.what());
  }
}

void Transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

}  // namespace aha::db
