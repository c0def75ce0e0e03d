#include "core/interop/generic_import.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/tasks/dataset_file.h"

namespace aha {

namespace {

std::optional<double> number_of(const nlohmann::json& v) {
  if (v.is_number()) return v.get<double>();
  if (v.is_boolean()) return v.get<bool>() ? 1.0 : 0.0;
  if (v.is_string()) return as_number(v.get<std::string>());  // CSV cells are text
  return std::nullopt;
}

// One record (a JSON object, or a CSV row as an object of strings) into a sample.
RolloutSample sample_of(const nlohmann::json& rec, const GenericMapping& m, int64_t& step) {
  auto need = [&](const std::string& field) -> const nlohmann::json& {
    if (!rec.contains(field)) throw std::runtime_error("no \"" + field + "\" field");
    return rec.at(field);
  };
  auto text = [&](const std::string& field) {
    const auto& v = need(field);
    return v.is_string() ? v.get<std::string>() : v.dump();
  };
  RolloutSample s;
  s.prompt = text(m.prompt);
  s.completion = text(m.completion);
  if (!m.reference.empty() && rec.contains(m.reference)) s.reference = text(m.reference);
  const auto score = number_of(need(m.score));
  if (!score) throw std::runtime_error("\"" + m.score + "\" is not a number");
  s.score = *score;
  for (const auto& r : m.rewards) {
    const auto v = number_of(need(r));
    if (!v) throw std::runtime_error("\"" + r + "\" is not a number");
    s.rewards.emplace_back(r, *v);
    if (r == "accuracy" || r == "acc") s.correct = *v > 0.5;
  }
  step = 1;  // steps count from 1 (the N-th update)
  if (!m.step.empty() && rec.contains(m.step)) {
    const auto v = number_of(rec.at(m.step));
    if (!v || *v < 0 || *v != static_cast<int64_t>(*v)) throw std::runtime_error("\"" + m.step + "\" is not a step number");
    step = static_cast<int64_t>(*v);
  }
  if (!m.group.empty() && rec.contains(m.group)) s.group = text(m.group);
  std::set<std::string> mapped = {m.prompt, m.completion, m.reference, m.score, m.step, m.group};
  mapped.insert(m.rewards.begin(), m.rewards.end());
  nlohmann::json extra = nlohmann::json::object();
  for (const auto& [k, v] : rec.items())
    if (!mapped.count(k)) extra[k] = v;
  if (!extra.empty()) s.extra = extra.dump();
  return s;
}

}  // namespace

std::map<int64_t, std::vector<RolloutSample>> read_generic_rollouts(
    const std::filesystem::path& file, const GenericMapping& m, const std::function<void(const std::string&)>& report) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open '" + file.string() + "'");
  std::map<int64_t, std::vector<RolloutSample>> steps;
  auto add = [&](long line, const nlohmann::json& rec) {
    try {
      int64_t step = 0;
      auto s = sample_of(rec, m, step);
      steps[step].push_back(std::move(s));
    } catch (const std::exception& e) {
      report(file.string() + ":" + std::to_string(line) + ": " + e.what() + "; record skipped");
    }
  };
  if (file.extension() == ".csv") {
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);  // a byte order mark (spreadsheets write one)
    const auto rows = parse_csv(text, file.string());
    if (rows.empty()) return steps;
    const auto& header = rows[0].fields;
    for (size_t r = 1; r < rows.size(); ++r) {
      if (rows[r].fields.size() != header.size()) {
        report(file.string() + ":" + std::to_string(rows[r].line) + ": " + std::to_string(rows[r].fields.size()) +
               " fields where the header has " + std::to_string(header.size()) + "; record skipped");
        continue;
      }
      nlohmann::json rec = nlohmann::json::object();
      for (size_t c = 0; c < header.size(); ++c) rec[header[c]] = rows[r].fields[c];
      add(rows[r].line, rec);
    }
    return steps;
  }
  std::string line;
  for (long n = 1; std::getline(in, line); ++n) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    nlohmann::json rec;
    try {
      rec = nlohmann::json::parse(line);
    } catch (const nlohmann::json::parse_error& e) {
      report(file.string() + ":" + std::to_string(n) + ": not JSON (" + e.what() + "); line skipped");
      continue;
    }
    if (!rec.is_object()) {
      report(file.string() + ":" + std::to_string(n) + ": not a JSON object; line skipped");
      continue;
    }
    add(n, rec);
  }
  return steps;
}

}  // namespace aha
