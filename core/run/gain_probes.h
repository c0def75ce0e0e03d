#pragma once
// The gain report of a stored run (core/run/gain_report.h) from its database (through
// db/probe_source.h, db::open_probe_source for a file): its controls
// are the members of its sweep equal to it in every value but the reward; each run's final
// weights and the base model are probed on one held-out probe set, reusing stored probes
// of the same settings and storing the new ones. Shared by `aha report gain` and the
// studio's dialog. Torch-free: the sampling is the engine's probe function.
#include <functional>
#include <string>
#include <vector>

#include "core/run/engine.h"
#include "core/run/gain_report.h"
#include "db/probe_source.h"

namespace aha {

struct GainRequest {
  std::string run;
  ProbeSet set;
  int samples = 16;
};

struct GainProgress {
  std::string what;  // "the base model of 'x'", "step 120 of 'x'"
  int done = 0, total = 0;  // completions of the probe in hand
};

struct GainResult {
  GainReport report;
  std::vector<ArmRun> runs;     // each run's scores, as read or probed
  std::vector<std::string> run_names;  // beside `runs`
  std::string truth_arm, sweep;
  int probes_sampled = 0;       // probes sampled now (the rest were stored)
  std::vector<std::string> notes;  // runs skipped and why, a truth arm that is a control
};

// Throws std::invalid_argument for a run, checkpoint or probe that cannot be read (the
// message names it); std::runtime_error "... cancelled" when `progress` returns false.
GainResult gain_of_run(db::ProbeSource& source, const GainRequest& request, const decltype(Engine::probe_pass_at_k)& probe,
                       const std::function<bool(const GainProgress&)>& progress = {});

}  // namespace aha
