#pragma once
// `aha reanalyse --answers`: the model's verdicts on the reflection events of a stored run
// (early answering, core/rl/forced_answer.h), a step at a time, from the weights nearest
// those that sampled the step (a run keeps only some checkpoints). Torch-free header.
#include <memory>
#include <vector>

#include "core/run/run_config.h"
#include "core/run/token_alternatives.h"
#include "db/run_sink.h"

namespace aha {

class StoredRunJudge {
 public:
  // `run`: the run's stored config (its model, task, prompt format and lexicon).
  StoredRunJudge(RunConfig run, std::vector<WeightsOnDisk> checkpoints, int events_per_step);
  ~StoredRunJudge();
  struct StepResult {
    WeightsOnDisk weights;  // what judged it
    int events = 0, judged = 0;
  };
  // Analyses one stored step's samples again, with the model's verdict on up to
  // events_per_step of their events (drawn at random beyond it).
  StepResult judge_step(int64_t step, std::vector<SampleRecord>& samples);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace aha
