// The options of the probes that continue a stored sample (resample, anchors): --sample, --weights.
#include <climits>
#include <filesystem>

#include "app/cli/args.h"
#include "app/cli/probe_commands.h"

namespace aha::cli {

WeightsOnDisk probe_weights(const std::string& which, const RunConfig& cfg, const std::string& run_name,
                            const std::vector<WeightsOnDisk>& stored, int64_t sample_step) {
  if (which == "nearest") return nearest_weights(cfg, stored, sample_step);
  if (which == "base") return {0, resolve_model_path(cfg.model).string()};
  int64_t want = INT64_MAX;
  if (which != "final") {
    try {
      want = std::stoll(which);
    } catch (const std::exception&) {
      throw UsageError("--weights " + which + ": nearest, base, final or a step with a checkpoint");
    }
  }
  WeightsOnDisk found;
  for (const auto& w : stored)
    if (std::filesystem::exists(std::filesystem::path(w.path) / "config.json") &&
        (w.step == want || (want == INT64_MAX && w.step > found.step)))
      found = w;
  if (found.path.empty()) throw UsageError("--weights " + which + ": no such checkpoint of run '" + run_name + "' on disk");
  return found;
}

StoredSample sample_option(db::RunReader& reader, const Args& args) {
  const std::string text = args.require("sample");
  int64_t id = 0;
  try {
    id = std::stoll(text);
  } catch (const std::exception&) {
    throw UsageError("--sample " + text + ": a sample id (the trace browser and `aha probe list` show them)");
  }
  auto sample = reader.sample(id);
  if (!sample) throw UsageError("no sample " + text + " in this database");
  auto run = reader.run(sample->run_id);
  RunConfig cfg = RunConfig::from_toml(run->config_toml, "run '" + run->name + "' (stored config)");
  return {std::move(*sample), std::move(*run), std::move(cfg)};
}

}  // namespace aha::cli
