#pragma once
// What a run needs from the torch side, handed in by the executable: the trainer, and
// how to word its failures. TrainingJob and the studio see only this interface, so that
// run/ and ui/ build and link without libtorch; rl/torch_engine.h provides the engine.
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "core/run/run_config.h"
#include "core/run/step_summary.h"
#include "core/analysis/pass_at_k.h"
#include "core/run/anchor_map.h"
#include "core/run/continuations.h"
#include "core/run/token_alternatives.h"
#include "db/run_sink.h"

namespace aha {

// One GRPO run's steps (rl/grpo_trainer.h implements it).
class Trainer {
 public:
  virtual ~Trainer() = default;
  // Loads the model, opens the run in the sink; with `resume`, restores the latest
  // checkpoint and continues after the last stored step.
  virtual void prepare(bool resume) = 0;
  virtual StepSummary train_step() = 0;  // runs and stores the next step
  virtual void save_checkpoint() = 0;
  virtual bool finished() const = 0;
};

struct Engine {
  // `checkpoint_root`/<run name>/step-N/ holds the run's checkpoints.
  std::function<std::unique_ptr<Trainer>(const RunConfig&, RunSink&, const std::filesystem::path& checkpoint_root)>
      make_trainer;
  // The message a failed run stores: the engine's own errors without their C++ backtrace,
  // out-of-memory errors with advice.
  std::function<std::string(const std::exception&)> explain_failure;
  // The top next tokens at a position of a stored completion (the token lens), from
  // weights on disk; slow (it loads them): call it off the GUI thread.
  std::function<TokenAlternatives(const AlternativesRequest&)> token_alternatives;
  // pass@k of weights on a held-out probe set (rl/probe.h's probe_pass_at_k); slow.
  std::function<PassAtKProbe(const RunConfig&, const std::string& weights_dir, const ProbeSet& set, int samples,
                             const std::function<bool(int, int)>& progress)>
      probe_pass_at_k;
  // Continuations of a stored completion from a point (rl/resample.h); slow.
  std::function<ResampleResult(const ResampleRequest&)> resample_from;
  // The anchor map of a stored sample (rl/resample.h's anchor_map_from); slow; nullopt
  // when progress (continuations done, the budget) returned false.
  std::function<std::optional<AnchorMap>(const AnchorRequest&, const std::function<bool(int, int)>&)> anchor_map;
  std::string description;  // "libtorch 1.13.1, CPU (2 threads)", for About and --version
};

}  // namespace aha
