#pragma once
// Copies the database's write-ahead log into the database file on a thread of its own,
// ten times a second, so that neither the writer nor the search indexer waits for those
// copies and their fsyncs. The writer's own checkpoint, which lets the log start over,
// then finds little left to copy.
#include <condition_variable>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>

namespace aha::db {

class WalCheckpointer {
 public:
  explicit WalCheckpointer(std::string db_path);

 private:
  void loop(std::stop_token stop);

  std::string db_path_;
  std::mutex mutex_;
  std::condition_variable_any wake_;
  std::jthread thread_;  // last: stopped and joined before the rest goes
};

}  // namespace aha::db
