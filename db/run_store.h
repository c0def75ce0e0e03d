#pragma once
// The training side's writer: one connection, prepared statements, and one transaction
// per training step so that a step is stored whole or not at all (also under kill -9).
#include <unordered_map>
#include <memory>
#include <string>

#include "db/metric_chunks.h"
#include "db/run_lock.h"
#include "db/run_sink.h"
#include "db/search_index.h"
#include "db/sqlite.h"
#include "db/wal_checkpointer.h"

namespace aha::db {

class RunStore : public RunSink {
 public:
  explicit RunStore(const std::string& path);  // opens and migrates
  ~RunStore() override;

  int64_t begin_run(const RunInfo& info, bool resume) override;
  void write_step(const StepRecord& step) override;
  void add_metrics(int64_t step, const std::vector<std::pair<std::string, double>>& metrics) override;
  void set_status(RunStatus status, const std::string& message = "") override;
  void record_checkpoint(int64_t step, const std::string& path) override;
  int64_t last_step() const override { return last_step_; }
  bool has_step(int64_t step) const override;
  // Waits until full-text search sees every step written so far (it trails the writer on
  // a thread of its own). Throws if the index cannot be written.
  void finish_search_index();

  int64_t run_id() const { return run_id_; }
  // How long a step waits for another program's write lock before the run fails.
  void set_busy_patience(double seconds) { busy_patience_ = seconds; }
  Connection& connection() { return *db_; }

 private:
  int64_t prompt_id(const std::string& text, const std::string& reference);
  void write_step_once(const StepRecord& step);

  std::unique_ptr<Connection> db_;
  std::unique_ptr<Statement> insert_sample_, insert_tokens_, insert_metric_, insert_prompt_, find_prompt_, update_progress_,
      next_sample_id_, set_next_sample_id_;
  std::unordered_map<std::string, int64_t> prompt_ids_;  // of the current run
  MetricPacker metric_packer_{*db_};
  std::unique_ptr<RunLock> lock_;  // the run being written (one writer per run)
  int64_t run_id_ = -1, last_step_ = -1;
  double busy_patience_ = 600;
  // Last: they stop before the connection closes.
  std::unique_ptr<WalCheckpointer> checkpointer_;
  std::unique_ptr<SearchIndexer> indexer_;
};

}  // namespace aha::db
