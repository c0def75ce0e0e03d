#pragma once
// What a training run produces, as plain structs, and the interface that receives it.
// The engine (core/) writes through RunSink only; the SQLite store implements it and an
// in-memory sink serves tests. No SQLite, no torch, no Qt here.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aha {

// A run's name also names its checkpoint folder (<db>.checkpoints/<name>/), so every way a
// run gets a name (train, rename, import, follow, sweeps) takes it through this one rule:
// "" when `name` can name a run, else why not ("'..' names a folder above ...").
std::string run_name_problem(std::string_view name);

struct RunInfo {
  std::string name;
  std::string config_toml;
  std::string code_version;
  int64_t seed = 0;
  std::string model, task;
  int64_t total_steps = 0;
  std::string source = "local";  // local, verl, trl, import
  // A member of a sweep: its name, and its grid values and seed as a JSON object
  // ({"loss_type": "grpo", "seed": 1}); empty otherwise.
  std::string sweep, sweep_values;
};

struct SampleRecord {
  int64_t step = 0;
  int group_index = 0;     // which prompt of the step (the GRPO group)
  int index_in_group = 0;  // 0..G-1
  std::string prompt, reference, completion;
  int token_count = 0;
  std::vector<std::pair<std::string, double>> rewards;  // per reward function
  double reward = 0, advantage = 0;
  bool correct = false, format_ok = false, truncated = false;
  double aha_score = 0;
  std::string aha_spans = "[]";  // JSON: rows [begin,end,"category"] (spans_to_json in core/analysis/reflection.h)
  // JSON: reflection events with behaviour and outcome, a row each (events_to_json in
  // core/analysis/reflection_events.h), and a bit per behaviour and per outcome that
  // some event has (for filters).
  std::string aha_events = "[]";
  int aha_behaviours = 0, aha_outcomes = 0;
  bool real_aha = false, language_mixing = false;
  std::string extra;  // JSON object of fields an imported rollout brought, or empty
  // The token lens (core/analysis/token_trace.h): encode_token_trace()'s blob, or empty
  // when none was kept (an imported run, or token_lens = false).
  std::string token_trace;
};

struct StepRecord {
  int64_t step = 0;
  double wall_time = 0;  // seconds since the Unix epoch
  std::vector<std::pair<std::string, double>> metrics;
  std::vector<SampleRecord> samples;
};

// Adds to `into` the metrics of `more` it does not have yet (what is there already wins).
void add_missing_metrics(std::vector<std::pair<std::string, double>>& into,
                         const std::vector<std::pair<std::string, double>>& more);

enum class RunStatus { Created, Running, Paused, Stopped, Finished, Failed };
const char* to_string(RunStatus s);
RunStatus run_status_from_string(const std::string& s);

class RunSink {
 public:
  virtual ~RunSink() = default;
  // Creates the run, or with `resume` reopens the run of that name. Returns its id.
  virtual int64_t begin_run(const RunInfo& info, bool resume) = 0;
  // Stores one step whole (all samples and metrics) or not at all.
  virtual void write_step(const StepRecord& step) = 0;
  // Metrics of a stored step that arrive later (TRL writes its trainer's metrics only at
  // save_steps, after the step's completions). A metric the step already has is kept.
  virtual void add_metrics(int64_t step, const std::vector<std::pair<std::string, double>>& metrics) = 0;
  virtual void set_status(RunStatus status, const std::string& message = "") = 0;
  virtual void record_checkpoint(int64_t step, const std::string& path) = 0;
  // Last step stored for the current run (-1 if none), to resume after it.
  virtual int64_t last_step() const = 0;
  // Whether the current run has samples of `step`: imports take step files by their
  // number, whatever order they arrive in, so a step below last_step() may still be new.
  virtual bool has_step(int64_t step) const = 0;
};

}  // namespace aha
