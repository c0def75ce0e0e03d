#include "core/interop/trl_import.h"

#include <map>
#include <regex>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/support/json_file.h"

namespace aha {

namespace fs = std::filesystem;

fs::path trl_state_file(const fs::path& dir) {
  if (fs::exists(dir / "trainer_state.json")) return dir / "trainer_state.json";
  fs::path newest;
  long best = -1;
  std::error_code ec;
  static const std::regex checkpoint("checkpoint-([0-9]+)");
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::smatch m;
    const auto name = e.path().filename().string();
    if (std::regex_match(name, m, checkpoint) && fs::exists(e.path() / "trainer_state.json") &&
        std::stol(m[1]) > best) {
      best = std::stol(m[1]);
      newest = e.path() / "trainer_state.json";
    }
  }
  if (newest.empty())
    throw std::runtime_error("no trainer_state.json in '" + dir.string() +
                             "' or its checkpoint-N/ folders (the output_dir of a TRL run)");
  return newest;
}

std::vector<StepRecord> read_trl_log_history(const fs::path& file) {
  const nlohmann::json state = read_json_file(file, "trainer state");
  if (!state.contains("log_history") || !state["log_history"].is_array())
    throw std::runtime_error(file.string() + ": no log_history array (is this a Hugging Face trainer_state.json?)");
  std::map<int64_t, StepRecord> steps;
  for (const auto& entry : state["log_history"]) {
    if (!entry.is_object() || !entry.contains("step") || !entry["step"].is_number_integer()) continue;
    if (entry.contains("train_runtime")) continue;  // the end-of-training summary
    auto& rec = steps[entry["step"].get<int64_t>()];
    rec.step = entry["step"].get<int64_t>();
    for (const auto& [key, v] : entry.items()) {
      if (key == "step" || !v.is_number()) continue;
      // TRL's "clip_ratio/region_mean" is what our engine calls "clip_ratio".
      rec.metrics.emplace_back(key == "clip_ratio/region_mean" ? "clip_ratio" : key, v.get<double>());
    }
  }
  std::vector<StepRecord> out;
  for (auto& [step, rec] : steps) out.push_back(std::move(rec));
  return out;
}

}  // namespace aha
