#pragma once
// Copies the database's write-ahead log into the database file on a thread of its own,
// ten times a second, so that neither the writer nor the search indexer waits for those
// copies and their fsyncs. The writer's own checkpoint, which lets the log start over,
// then finds little left to copy.
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace aha::db {

class WalCheckpointer {
 public:
  explicit WalCheckpointer(std::string db_path);
  ~WalCheckpointer();  // stops after the checkpoint under way
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

 private:
  void loop();

  std::string db_path_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace aha::db
