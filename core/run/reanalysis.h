#pragma once
// How a stored run is analysed again (db/analysis_rewrite.h): the detector with the
// run's own lexicon and, for a local run, its task's checker of right answers; an
// imported run's answers are matched against their reference. Torch-free.
#include <functional>
#include <string>

#include "db/run_sink.h"

namespace aha {

// For the run whose stored config is `config_toml` (empty or not ours: an imported run).
std::function<void(SampleRecord&)> reflection_reanalyser(const std::string& config_toml);

}  // namespace aha
