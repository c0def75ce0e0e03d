#pragma once
// Reads for the studio and the CLI, on their own connection: runs, metric series,
// keyset-paged samples with filters, groups, prompt histories, per-step aggregates.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "db/metric_chunks.h"
#include "db/run_rows.h"
#include "db/schema.h"

namespace aha::db {


struct SampleRow {
  int64_t id = 0, run_id = 0, step = 0, prompt_id = 0;
  int group_index = 0, index_in_group = 0, token_count = 0;
  std::string prompt, reference, completion, rewards_json, aha_spans_json;
  std::string extra_json;  // fields an imported rollout brought (JSON object), or empty
  std::optional<std::string> aha_events_json;  // none: stored before events were kept
  double reward = 0, advantage = 0, aha_score = 0;
  bool correct = false, format_ok = false, truncated = false, real_aha = false, language_mixing = false;
};

enum class SampleOrder { StepThenId, Reward, AhaScore, Length };

struct SampleFilter {
  std::optional<int64_t> run_id;
  std::optional<int64_t> step_min, step_max;
  std::optional<double> reward_min, reward_max;
  std::optional<int> length_min, length_max;
  std::optional<bool> correct;
  bool flagged_only = false;   // aha_score > 0
  bool real_aha_only = false;
  int behaviours = 0, outcomes = 0;  // bit masks: some event of one of these (0: any)
  std::optional<int64_t> tag_id;
  std::string text_query;      // FTS5 query over completions
};

// Where the previous page ended: the sort key and id of its last row.
struct PageCursor {
  bool valid = false;
  double key = 0;
  int64_t id = 0;
};

struct SamplePage {
  std::vector<SampleRow> rows;
  PageCursor next;  // invalid when this was the last page
};

struct StepAggregate {
  int64_t step = 0;
  int samples = 0;
  double reward_mean = 0, reward_std = 0, accuracy = 0, format_rate = 0, mean_length = 0, aha_rate = 0;
};

class RunReader {
 public:
  // Opens (and migrates) the database; read-only: never writes or creates it (a missing
  // or empty file is an error), and an older schema is an error too.
  explicit RunReader(const std::string& path, Access access = Access::Existing);
  ~RunReader();
  std::vector<RunSummary> runs();
  std::optional<RunSummary> run(int64_t id);
  std::optional<RunSummary> run_by_name(const std::string& name);
  // The run of that name; std::invalid_argument naming the runs there are when none is.
  RunSummary require_run(const std::string& name);
  std::vector<std::string> metric_names(int64_t run_id);
  // Points with step > after_step, ascending: a live plot asks only for what is new.
  std::vector<MetricPoint> metric_series(int64_t run_id, const std::string& name, int64_t after_step = -1);
  SamplePage samples(const SampleFilter& filter, SampleOrder order, bool descending, int limit,
                     const PageCursor& after = {});
  int64_t count_samples(const SampleFilter& filter);
  std::optional<SampleRow> sample(int64_t id);
  // The run's checkpoints as recorded (step, folder), by step; a folder may be gone since
  // (a run keeps only some: save_total_limit, save_keep_every).
  std::vector<std::pair<int64_t, std::string>> checkpoints(int64_t run_id);
  // The sample's token lens blob (core/analysis/token_trace.h); none when it has none.
  std::optional<std::string> token_trace(int64_t sample_id);
  std::vector<SampleRow> group_of(int64_t sample_id);       // same run, step and group
  std::vector<SampleRow> prompt_history(int64_t prompt_id);  // the prompt across steps
  std::vector<StepAggregate> step_aggregates(int64_t run_id, int64_t after_step = -1);
  // Samples that full-text search does not see yet: the index trails the writer.
  int64_t search_pending();
  Connection& connection() { return *db_; }

 private:
  void attach_search_index();  // <db>.fts as schema "search", on the first use
  RunSummary with_live_status(RunSummary r) const;

  std::unique_ptr<Connection> db_;
  bool search_attached_ = false;
};

}  // namespace aha::db
