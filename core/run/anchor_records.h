#pragma once
// An anchor map (core/run/anchor_map.h) as the probe rows the store keeps, and back: a
// probe of kind "anchors" with the sample it maps, one problem row per boundary (its
// continuations' totals) and every continuation, judged; the steps and the options in its
// settings. Read back, the map's figures are recomputed from the continuations, so a
// stored map and a fresh one say the same. Torch-free.
#include <cstdint>
#include <string>

#include "core/run/anchor_map.h"
#include "core/run/probe_records.h"

namespace aha {

ProbeRecord anchors_record(int64_t run_id, int64_t sample_id, int64_t weights_step, const AnchorMap& map,
                           const AnchorOptions& options, const std::string& reference);

// The stored map of probe `probe` (kind "anchors") over the sample's completion.
AnchorMap stored_anchors(const db::ProbeRow& probe, const std::vector<db::ProbeCompletionRow>& completions,
                         const std::string& completion);

}  // namespace aha
