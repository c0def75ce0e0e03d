#pragma once
// Small RAII wrappers over SQLite's C API. Every error is a DbError that names the
// database file, what we were doing, and SQLite's own message.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace aha::db {

class DbError : public std::runtime_error {
 public:
  DbError(const std::string& what, int code) : std::runtime_error(what), code_(code) {}
  int code() const { return code_; }  // SQLite's extended result code (0 if not SQLite's)
  bool is_busy() const;
  bool is_full() const;
 private:
  int code_;
};

class Connection;

class Statement {
 public:
  Statement(Connection& db, std::string_view sql);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;

  // Binding is 1-based as in SQLite. Returns *this to chain.
  Statement& bind(int index, int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<int64_t>(value)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bind_null(int index);
  Statement& bind_blob(int index, const void* data, size_t size);
  int parameter_index(const char* name) const;

  bool step();       // true while a row is available
  void run();        // steps once, expecting no row (INSERT/UPDATE/DELETE)
  void reset();      // ready to run again; bindings are cleared too

  int64_t column_int(int col) const;
  double column_double(int col) const;
  std::string column_text(int col) const;
  std::string_view column_blob(int col) const;  // valid until the next step or reset
  bool column_is_null(int col) const;
  int column_count() const;

 private:
  [[noreturn]] void fail(const char* doing, int rc) const;
  Connection* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

class Connection {
 public:
  enum class Mode { ReadWrite, ReadOnly };
  // Opens (and with ReadWrite creates) the file. ReadOnly never writes or creates it (on
  // read-only media as immutable). Throws DbError naming the path.
  explicit Connection(const std::string& path, Mode mode = Mode::ReadWrite);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void exec(std::string_view sql);  // one or more statements, no results
  int64_t last_insert_id() const;
  int changes() const;
  int64_t scalar_int(std::string_view sql);  // first column of the first row
  std::string scalar_text(std::string_view sql);
  void set_busy_timeout(int ms);
  // Whether closing the last connection to a WAL database may checkpoint it and delete
  // the -wal and -shm files (SQLite's default). Only the writer should.
  void set_checkpoint_on_close(bool allowed);

  const std::string& path() const { return path_; }
  sqlite3* handle() const { return db_; }
  std::string error_message() const;
  [[noreturn]] void fail(const std::string& doing, int rc) const;

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
};

// Rolls back unless commit() was called: a step is stored whole or not at all.
class Transaction {
 public:
  explicit Transaction(Connection& db, bool immediate = true);
  ~Transaction();
  void commit();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
 private:
  Connection& db_;
  bool done_ = false;
};

}  // namespace aha::db
