#pragma once
// Checkpoint probes as the rows the store keeps (db/probe_rows.h, db/probe_store.h) and
// back: a pass@k probe with every completion, a resample with its continuations judged
// one by one and what it asked (the prefix, the point) in its settings. Torch-free, so the
// CLI and the studio store and read the same.
#include <cstdint>
#include <string>
#include <vector>

#include "core/analysis/pass_at_k.h"
#include "core/run/continuations.h"
#include "db/probe_rows.h"

namespace aha {

struct ProbeRecord {
  db::ProbeRow probe;
  std::vector<db::ProbeProblemRow> problems;
  std::vector<db::ProbeCompletionRow> completions;
};

// weights_step: the checkpoint after that step; 0 for the base model.
ProbeRecord passk_record(int64_t run_id, int64_t weights_step, const PassAtKProbe& probe, const ProbeSet& set,
                         double temperature);
// A stored pass@k probe's problems, with their completions when given.
std::vector<ProbeProblem> probe_problems(const std::vector<db::ProbeProblemRow>& problems,
                                         const std::vector<db::ProbeCompletionRow>& completions = {});
// What a stored pass@k probe was drawn with; probes of equal settings probed the same
// problems (another seed or count, another problem set).
struct PassAtKSettings {
  int problems = 0, samples = 0;
  uint64_t seed = 0;
  double temperature = 0;
  std::string file;  // the probe set's data file; empty: drawn from the run's task
  bool operator==(const PassAtKSettings&) const = default;
};
PassAtKSettings passk_settings(const db::ProbeRow& probe);

// Continuations of sample `sample_id` from `point` (a byte of request.prefix, as in
// judge_continuations); each judged against `reference`.
ProbeRecord resample_record(int64_t run_id, int64_t sample_id, const ResampleRequest& request, size_t point,
                            const ResampleResult& result, const std::string& reference);

struct StoredResample {
  std::string prefix;
  size_t point = 0;
  uint64_t seed = 0;
  std::vector<std::string> continuations;
  std::vector<bool> truncated;
};
StoredResample stored_resample(const db::ProbeRow& probe, const std::vector<db::ProbeCompletionRow>& completions);

// "the base model" or "the checkpoint after step 99", for a stored probe.
std::string weights_label(int64_t weights_step);

}  // namespace aha
