#include "core/interop/trl_completions.h"

#include <algorithm>
#include <cmath>
#include <regex>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/interop/parquet_file.h"

namespace aha {

namespace fs = std::filesystem;

std::vector<TrlCompletionFile> list_trl_completion_files(const fs::path& output_dir) {
  std::vector<TrlCompletionFile> out;
  std::error_code ec;
  static const std::regex name("completions_([0-9]{1,15})\\.parquet");
  for (const auto& e : fs::directory_iterator(output_dir / "completions", ec)) {
    std::smatch m;
    const auto file = e.path().filename().string();
    if (std::regex_match(file, m, name)) out.push_back({std::stoll(m[1]), e.path()});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.step < b.step; });
  return out;
}

std::vector<RolloutSample> read_trl_completions(const fs::path& file,
                                                const std::vector<std::pair<std::string, double>>& reward_weights) {
  const ParquetTable table = read_parquet(file);
  const auto* prompt = table.column("prompt");
  const auto* completion = table.column("completion");
  for (const auto* c : {prompt, completion})
    if (!c || c->kind != ParquetColumn::Kind::Text)
      throw std::runtime_error(file.string() + ": no text column '" + std::string(c == prompt ? "prompt" : "completion") +
                               "' (is this a TRL completions file?)");
  std::vector<std::pair<const ParquetColumn*, double>> rewards;
  if (reward_weights.empty()) {
    for (const auto& c : table.columns)
      if (c.kind == ParquetColumn::Kind::Number && c.name != "step" && c.name != "advantage") rewards.emplace_back(&c, 1.0);
  } else {
    for (const auto& [name, weight] : reward_weights) {
      const auto* c = table.column(name);
      if (!c || c->kind != ParquetColumn::Kind::Number)
        throw std::runtime_error(file.string() + ": no numeric column for the reward function '" + name + "'");
      rewards.emplace_back(c, weight);
    }
  }
  const auto* advantage = table.column("advantage");
  std::vector<RolloutSample> out(table.rows);
  for (int64_t r = 0; r < table.rows; ++r) {
    auto& s = out[r];
    s.prompt = prompt->texts[r];
    s.completion = completion->texts[r];
    for (const auto& [c, weight] : rewards) {
      if (!c->present[r] || std::isnan(c->numbers[r])) continue;  // not applicable to this sample
      s.rewards.emplace_back(c->name, c->numbers[r]);
      s.score += weight * c->numbers[r];
      if (c->name == "accuracy") s.correct = c->numbers[r] > 0.5;
    }
    if (advantage && advantage->kind == ParquetColumn::Kind::Number && advantage->present[r])
      s.advantage = advantage->numbers[r];
    nlohmann::json extra = nlohmann::json::object();
    for (const auto& c : table.columns) {
      const bool used = &c == prompt || &c == completion || &c == advantage || c.name == "step" ||
                        std::any_of(rewards.begin(), rewards.end(), [&](const auto& w) { return w.first == &c; });
      if (used || !c.present[r]) continue;
      if (c.kind == ParquetColumn::Kind::Text) extra[c.name] = c.texts[r];
      else if (std::isfinite(c.numbers[r])) extra[c.name] = c.numbers[r];
    }
    if (!extra.empty()) s.extra = extra.dump();
  }
  return out;
}

}  // namespace aha
