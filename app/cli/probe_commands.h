#pragma once
// The subcommands of `aha probe` (app/cli/cmd_probe.cpp reads the first word and the
// usage): continuations from a point, the probes stored in a database, and the
// contamination check.
#include "core/analysis/pass_at_k.h"

namespace aha::cli {

class Args;

// The probe set of --problems (32), --problems-file (all of it when --problems is not given)
// and --seed (1234), checked: a usage error names the option.
ProbeSet probe_set_option(const Args& args);  // probe_set_option.cpp

int probe_resample(const Args& args);  // probe_resample.cpp
int probe_list(const Args& args);      // probe_stored.cpp
int probe_show(const Args& args);
int probe_diff(const Args& args);
int probe_contamination(const Args& args);  // probe_contamination.cpp

}  // namespace aha::cli
