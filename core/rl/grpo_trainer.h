#pragma once
// The GRPO training loop of R1-Zero: sample G completions per prompt with the KV cache,
// score them with rule-based rewards, turn rewards into advantages (core/run/advantages.h),
// update the policy with the configured objective (core/rl/grpo.h; plus a k3 KL penalty
// to a frozen reference when beta > 0), and hand every sample and metric to the RunSink.
// Torch-free header.
#include <filesystem>
#include <memory>

#include "core/run/engine.h"

namespace aha {

class GrpoTrainer : public Trainer {
 public:
  // `checkpoint_root`/<run name>/step-N/ holds checkpoints.
  GrpoTrainer(RunConfig config, RunSink& sink, std::filesystem::path checkpoint_root);
  ~GrpoTrainer() override;

  // Also loads the reference model when beta > 0.
  void prepare(bool resume) override;
  StepSummary train_step() override;
  void save_checkpoint() override;
  bool finished() const override;
  int64_t next_step() const;  // the number of the step train_step() trains next (from 1)
  const RunConfig& config() const;

 private:
  struct Round;
  Round sample_round(int prompts, int first_group);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace aha
