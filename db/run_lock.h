#pragma once
// One writer per run. A run's writer holds an exclusive lock (flock) on the file
// <db>.locks/run-<id>.lock, which names the holding process; the system releases it when
// that process ends, however it ends (kill -9 included), so a run is never left locked.
#include <cstdint>
#include <string>

namespace aha::db {

// Whether some process holds the run's lock now (a writer that is alive).
bool run_has_writer(const std::string& db_path, int64_t run_id);

class RunLock {
 public:
  // Throws DbError naming the process that holds the run ("run 'x' is being written by
  // process 4242 (aha train ...) since ..."), or why the lock file cannot be made.
  RunLock(const std::string& db_path, int64_t run_id, const std::string& run_name);
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace aha::db
