#pragma once
// Rewrites the analysis of a stored run: each sample's reflection fields (score, spans,
// events and their bits, real aha, language mixing) and the per-step metrics that follow
// from them, computed by functions the caller gives (db/ knows no analysis). For runs
// stored before reflection events were kept, or analysed by an older detector. One
// transaction per step, so a kill loses no more than the step in hand and a second run
// picks up where it can.
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "db/run_sink.h"

namespace aha::db {

struct AnalysisRewrite {
  // Fills the reflection fields of a sample read back (its prompt, completion, reference,
  // step, group, correct, truncated, token count and stored events are set).
  std::function<void(SampleRecord&)> analyse;
  // Then, when given, once over the step's samples (the model's verdicts: batched, and
  // from the weights of that step).
  std::function<void(int64_t step, std::vector<SampleRecord>&)> analyse_step;
  // The metrics of one step's samples that the analysis changes.
  std::function<std::vector<std::pair<std::string, double>>(const std::vector<SampleRecord>&)> step_metrics;
  // After each step; false stops after it.
  std::function<bool(int64_t step, int64_t last_step)> progress;
};

struct AnalysisRewriteResult {
  int64_t samples = 0, steps = 0;
  int64_t real_aha_before = 0, real_aha_after = 0;
  bool stopped = false;
};

// Throws DbError for an unknown run or one that is still being written (db/run_lock.h).
AnalysisRewriteResult rewrite_run_analysis(const std::string& db_path, int64_t run_id, const AnalysisRewrite& how);

}  // namespace aha::db
