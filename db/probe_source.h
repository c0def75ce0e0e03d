#pragma once
// What core/ reads and writes of a database's runs and probes when it probes stored runs
// (core/run/gain_probes.h): an interface over plain rows, as db/run_sink.h is for training,
// so that core/ never sees SQLite. open_probe_source gives the database's own.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "db/probe_rows.h"
#include "db/run_rows.h"

namespace aha::db {

class ProbeSource {
 public:
  virtual ~ProbeSource() = default;
  virtual std::vector<RunSummary> runs() = 0;
  // Throws std::invalid_argument naming the run and the nearest names when none is called so.
  virtual RunSummary require_run(const std::string& name) = 0;
  virtual std::vector<std::pair<int64_t, std::string>> checkpoints(int64_t run_id) = 0;  // (step, folder), oldest first
  virtual std::vector<ProbeRow> probes(int64_t run_id, const std::string& kind) = 0;
  virtual std::vector<ProbeProblemRow> problems(int64_t probe_id) = 0;
  virtual std::vector<ProbeCompletionRow> completions(int64_t probe_id) = 0;
  virtual int64_t add(const ProbeRow& probe, const std::vector<ProbeProblemRow>& problems,
                      const std::vector<ProbeCompletionRow>& completions) = 0;
};

// The database at `path`, opened for writing first (a database that cannot take new probes
// fails here, before any sampling), and read on a connection of its own.
std::unique_ptr<ProbeSource> open_probe_source(const std::string& path);

}  // namespace aha::db
