#pragma once
// The GRPO training loop of R1-Zero: sample G completions per prompt with the KV cache,
// score them with rule-based rewards, turn rewards into group advantages, update the
// policy with the clipped surrogate (plus a k3 KL penalty to a frozen reference when
// beta > 0), and hand every sample and metric to the RunSink. Torch-free header.
#include <filesystem>
#include <memory>

#include "core/run_config.h"
#include "core/step_summary.h"
#include "db/run_sink.h"

namespace aha {

class GrpoTrainer {
 public:
  // `checkpoint_root`/<run name>/step-N/ holds checkpoints.
  GrpoTrainer(RunConfig config, RunSink& sink, std::filesystem::path checkpoint_root);
  ~GrpoTrainer();

  // Loads the model (and the reference when beta > 0), opens the run in the sink. With
  // `resume`, restores the latest checkpoint and continues after the last stored step.
  void prepare(bool resume);
  StepSummary train_step();  // runs and stores the next step
  void save_checkpoint();
  bool finished() const;
  int64_t next_step() const;
  const RunConfig& config() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace aha
