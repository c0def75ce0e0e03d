#pragma once
// Checkpoint probes kept with their run (schema v9): pass@k probes of some weights on a
// held-out probe set, and continuations of a stored sample from a point in its text
// ("resample from here"), each with every completion sampled. Written from the CLI or the
// studio on their own connection (WAL lets them interleave with a training writer); they
// go with their run, and a resample with its sample.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "db/probe_rows.h"
#include "db/schema.h"

namespace aha::db {

class ProbeStore {
 public:
  explicit ProbeStore(const std::string& path, Access access = Access::Existing);

  // The probe with its problems and completions, in one transaction; returns its id.
  int64_t add(const ProbeRow& probe, const std::vector<ProbeProblemRow>& problems,
              const std::vector<ProbeCompletionRow>& completions);
  void remove(int64_t probe_id);

  // A run's probes of a kind (all kinds when empty), oldest first, with their totals.
  std::vector<ProbeRow> probes(int64_t run_id, const std::string& kind = "");
  std::vector<ProbeRow> resamples_of(int64_t sample_id);
  std::vector<ProbeRow> anchor_maps_of(int64_t sample_id);  // kind "anchors" (core/run/anchor_records.h)
  std::optional<ProbeRow> probe(int64_t probe_id);
  std::vector<ProbeProblemRow> problems(int64_t probe_id);
  // Completions of one problem, or of every problem when none is given.
  std::vector<ProbeCompletionRow> completions(int64_t probe_id, std::optional<int> problem = std::nullopt);

 private:
  std::vector<ProbeRow> read(const std::string& where, int64_t key, const std::string& kind);
  std::unique_ptr<Connection> db_;
};

}  // namespace aha::db
