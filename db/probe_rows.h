#pragma once
// A stored probe's rows as plain data (db/probe_store.h writes and reads them;
// core/run/probe_records.h makes them from the engine's probes): no SQLite here.
#include <cstdint>
#include <optional>
#include <string>

namespace aha::db {

struct ProbeProblemRow {
  int problem = 0;  // index in the probe set (a resample has one: 0)
  std::string prompt, reference;
  int samples = 0, correct = 0;
  bool majority_correct = false;
};

struct ProbeCompletionRow {
  int problem = 0, index = 0;
  std::string completion, answer;  // a resample: the continuation after its prefix
  bool correct = false, truncated = false;
};

struct ProbeRow {
  int64_t id = 0, run_id = 0;
  std::string kind;                  // "passk" or "resample"
  std::optional<int64_t> sample_id;  // resample: the sample continued
  int64_t weights_step = 0;          // the checkpoint after that step; 0: the base model
  std::string settings_json;         // what was asked (passk: problems, samples, seed; resample: the point, the prefix)
  double seconds = 0, created_at = 0;
  int problems = 0, samples = 0, correct = 0;  // totals, when read
};

}  // namespace aha::db
