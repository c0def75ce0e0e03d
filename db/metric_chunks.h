#pragma once
// Metric series packed in chunks. Besides its row per step in `metrics`, each metric's
// points are copied 512 steps to a row (one blob) by the transaction that stores the step
// completing the chunk. A chart of a long run then reads a few chunks and the rows after
// them: SQLite spends ~250 ns a row here, so 10,000 rows alone take ~3 ms.
// `metrics` stays the record; a step written again (a resumed run) drops the chunks that
// hold it, and they are packed anew.
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "db/sqlite.h"

namespace aha::db {

struct MetricPoint {
  int64_t step = 0;
  double value = 0, wall_time = 0;  // value NaN: stored as NULL
};

inline constexpr int kMetricChunkSteps = 512;

// One run's series of one metric after `after_step`, in step order.
std::vector<MetricPoint> read_metric_series(Connection& db, int64_t run_id, const std::string& name, int64_t after_step);

// The writer's side: told of every metric row the writer stores, inside its transaction.
class MetricPacker {
 public:
  explicit MetricPacker(Connection& db) : db_(db) {}
  void begin_run(int64_t run_id);
  void stored(const std::string& name, int64_t step);  // after the row is written
  void forget() { states_.clear(); }                   // after a rollback: reload from the database

 private:
  struct State {
    int64_t packed_through = -1;  // the last step in a chunk
    int64_t last_step = -1;       // the last step in `metrics`
    int64_t unpacked = 0;         // rows after packed_through, up to the step last written
  };
  State load(const std::string& name, int64_t through);
  void pack(const std::string& name, State& s, int64_t through);

  Connection& db_;
  int64_t run_id_ = -1;
  std::unordered_map<std::string, State> states_;
};

}  // namespace aha::db
