#include "db/probe_source.h"

#include "db/probe_store.h"
#include "db/run_reader.h"

namespace aha::db {
namespace {

class StoredProbes : public ProbeSource {
 public:
  explicit StoredProbes(const std::string& path) : store_(path), reader_(path, Access::ReadOnly) {}
  std::vector<RunSummary> runs() override { return reader_.runs(); }
  RunSummary require_run(const std::string& name) override { return reader_.require_run(name); }
  std::vector<std::pair<int64_t, std::string>> checkpoints(int64_t run_id) override { return reader_.checkpoints(run_id); }
  std::vector<ProbeRow> probes(int64_t run_id, const std::string& kind) override { return store_.probes(run_id, kind); }
  std::vector<ProbeProblemRow> problems(int64_t probe_id) override { return store_.problems(probe_id); }
  std::vector<ProbeCompletionRow> completions(int64_t probe_id) override { return store_.completions(probe_id); }
  int64_t add(const ProbeRow& probe, const std::vector<ProbeProblemRow>& problems,
              const std::vector<ProbeCompletionRow>& completions) override {
    return store_.add(probe, problems, completions);
  }

 private:
  ProbeStore store_;  // first: it upgrades an older schema before the reader opens
  RunReader reader_;
};

}  // namespace

std::unique_ptr<ProbeSource> open_probe_source(const std::string& path) { return std::make_unique<StoredProbes>(path); }

}  // namespace aha::db
