#pragma once
// The subcommands of `aha probe` (app/cli/cmd_probe.cpp reads the first word and the
// usage): continuations from a point, the probes stored in a database, and the
// contamination check.
#include <cstdint>
#include <string>
#include <vector>

#include "core/analysis/pass_at_k.h"
#include "core/run/run_config.h"
#include "core/run/token_alternatives.h"
#include "db/run_reader.h"

namespace aha::cli {

class Args;

// The probe set of --problems (32), --problems-file (all of it when --problems is not given)
// and --seed (1234), checked: a usage error names the option.
ProbeSet probe_set_option(const Args& args);  // probe_set_option.cpp

// --weights nearest (to the sample's step), base, final or a step, of a stored run's
// checkpoints; a usage error names what is not on disk.  probe_options.cpp
WeightsOnDisk probe_weights(const std::string& which, const RunConfig& cfg, const std::string& run_name,
                            const std::vector<WeightsOnDisk>& stored, int64_t sample_step);

// The sample of --sample with its run and stored config; a usage error names what is missing.
struct StoredSample {
  db::SampleRow sample;
  db::RunSummary run;
  RunConfig config;
};
StoredSample sample_option(db::RunReader& reader, const Args& args);

int probe_resample(const Args& args);  // probe_resample.cpp
int probe_anchors(const Args& args);   // probe_anchors.cpp
int probe_causal(const Args& args);
int probe_list(const Args& args);      // probe_stored.cpp
int probe_show(const Args& args);
int probe_diff(const Args& args);
int probe_contamination(const Args& args);  // probe_contamination.cpp

}  // namespace aha::cli
