#include "db/wal_checkpointer.h"

#include <chrono>

#include <spdlog/spdlog.h>

#include "db/sqlite.h"

namespace aha::db {

WalCheckpointer::WalCheckpointer(std::string db_path)
    : db_path_(std::move(db_path)), thread_([this](std::stop_token stop) { loop(stop); }) {}

void WalCheckpointer::loop(std::stop_token stop) {
  try {
    Connection db(db_path_);
    for (;;) {
      {
        std::unique_lock lock(mutex_);
        wake_.wait_for(lock, stop, std::chrono::milliseconds(100), [] { return false; });
      }
      if (stop.stop_requested()) return;
      try {
        // PASSIVE: copies what no reader still needs and never blocks the writer.
        db.exec("PRAGMA wal_checkpoint(PASSIVE)");
      } catch (const DbError& e) {
        if (!e.is_busy()) throw;  // another checkpoint is running: that one does the work
      }
    }
  } catch (const std::exception& e) {
    // Not fatal: the writer checkpoints by itself once the log grows large.
    spdlog::warn("checkpoints of '{}' stopped: {}", db_path_, e.what());
  }
}

}  // namespace aha::db
