#include "core/interop/trl_import.h"

#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>


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

namespace {

// Python's json module writes NaN, Infinity and -Infinity bare (one NaN grad_norm is
// enough); JSON has no such tokens. Outside strings they become strings, read back below.
std::string quote_nonfinite(const std::string& text) {
  std::string out;
  out.reserve(text.size() + 64);
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < text.size()) out += text[++i];
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    bool replaced = false;
    for (const char* word : {"NaN", "-Infinity", "Infinity"}) {
      const size_t n = std::char_traits<char>::length(word);
      if (text.compare(i, n, word) == 0) {
        out += '"' + std::string(word) + '"';
        i += n - 1;
        replaced = true;
        break;
      }
    }
    if (!replaced) out += c;
  }
  return out;
}

bool nonfinite(const nlohmann::json& v) {
  return v.is_string() && (v == "NaN" || v == "Infinity" || v == "-Infinity");
}

// TRL logs each reward function as rewards/<name>/mean; ours are also charted under the
// engine's names, so that a TRL run's accuracy chart is not empty.
const std::map<std::string, std::string> kOurName = {{"rewards/accuracy/mean", "accuracy"},
                                                     {"rewards/format/mean", "format_rate"}};

}  // namespace

std::vector<StepRecord> read_trl_log_history(const fs::path& file, std::vector<std::string>* notes) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open trainer state '" + file.string() + "'");
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json state;
  try {
    state = nlohmann::json::parse(quote_nonfinite(text.str()));
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(file.string() + ": not valid JSON: " + e.what());
  }
  if (!state.contains("log_history") || !state["log_history"].is_array())
    throw std::runtime_error(file.string() + ": no log_history array (is this a Hugging Face trainer_state.json?)");
  std::map<int64_t, StepRecord> steps;
  std::map<std::string, std::vector<int64_t>> left_out;  // non-finite values, by metric
  for (const auto& entry : state["log_history"]) {
    if (!entry.is_object() || !entry.contains("step") || !entry["step"].is_number_integer()) continue;
    if (entry.contains("train_runtime")) continue;  // the end-of-training summary
    auto& rec = steps[entry["step"].get<int64_t>()];
    rec.step = entry["step"].get<int64_t>();
    for (const auto& [key, v] : entry.items()) {
      if (nonfinite(v)) left_out[key].push_back(rec.step);
      if (key == "step" || !v.is_number()) continue;
      rec.metrics.emplace_back(key, v.get<double>());
      if (const auto ours = kOurName.find(key); ours != kOurName.end()) rec.metrics.emplace_back(ours->second, v.get<double>());
    }
  }
  if (notes)
    for (const auto& [key, at] : left_out)
      notes->push_back(file.string() + ": " + key + " is not a finite number at " + std::to_string(at.size()) +
                       " step(s) (first: step " + std::to_string(at.front()) + "); those points are left out");
  std::vector<StepRecord> out;
  for (auto& [step, rec] : steps) out.push_back(std::move(rec));
  return out;
}

}  // namespace aha
