#pragma once
// A RunSink that keeps everything in memory: for tests and dry runs.
#include <algorithm>
#include <string>
#include <vector>

#include "db/run_sink.h"

namespace aha {

class MemorySink : public RunSink {
 public:
  int64_t begin_run(const RunInfo& info, bool resume) override {
    if (!resume) steps.clear();
    this->info = info;
    return 1;
  }
  void write_step(const StepRecord& step) override { steps.push_back(step); }
  void add_metrics(int64_t step, const std::vector<std::pair<std::string, double>>& metrics) override {
    for (auto& s : steps)
      if (s.step == step) add_missing_metrics(s.metrics, metrics);
  }
  void set_status(RunStatus s, const std::string& message) override {
    status = s;
    this->message = message;
  }
  void record_checkpoint(int64_t step, const std::string& path) override { checkpoints.emplace_back(step, path); }
  int64_t last_step() const override {
    int64_t last = -1;
    for (const auto& s : steps) last = std::max(last, s.step);
    return last;
  }
  bool has_step(int64_t step) const override {
    for (const auto& s : steps)
      if (s.step == step) return true;
    return false;
  }

  double metric(size_t step_index, const std::string& name) const {
    for (const auto& [n, v] : steps.at(step_index).metrics)
      if (n == name) return v;
    return 0.0 / 0.0;
  }

  RunInfo info;
  std::vector<StepRecord> steps;
  RunStatus status = RunStatus::Created;
  std::string message;
  std::vector<std::pair<int64_t, std::string>> checkpoints;
};

}  // namespace aha
