#include "core/rl/torch_engine.h"

#include "core/rl/grpo_trainer.h"
#include "core/rl/runtime_info.h"
#include "core/rl/probe.h"
#include "core/rl/resample.h"
#include "core/rl/token_alternatives.h"

namespace aha {

Engine torch_engine() {
  Engine e;
  e.make_trainer = [](const RunConfig& config, RunSink& sink, const std::filesystem::path& checkpoint_root) {
    return std::make_unique<GrpoTrainer>(config, sink, checkpoint_root);
  };
  e.explain_failure = explain_failure;
  e.token_alternatives = token_alternatives;
  e.probe_pass_at_k = probe_pass_at_k;
  e.resample_from = resample_from;
  e.anchor_map = anchor_map_from;
  e.description = "libtorch " + torch_version() + ", " + device_summary();
  return e;
}

}  // namespace aha
