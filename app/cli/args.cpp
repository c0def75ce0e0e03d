#include "app/cli/args.h"

#include <algorithm>

namespace aha::cli {

Args::Args(int argc, char** argv, int first, const std::vector<std::string>& flags) {
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) != 0 || a == "--") {
      positional_.push_back(a);
      continue;
    }
    std::string key = a.substr(2), value;
    if (auto eq = key.find('='); eq != std::string::npos) {
      value = key.substr(eq + 1);
      key = key.substr(0, eq);
    } else if (std::find(flags.begin(), flags.end(), key) == flags.end()) {
      if (i + 1 >= argc) throw UsageError("option --" + key + " needs a value");
      value = argv[++i];
    }
    options_.emplace(key, value);
  }
}

std::string Args::get(const std::string& key, const std::string& fallback) const {
  auto it = options_.find(key);
  return it == options_.end() ? fallback : it->second;
}

std::string Args::require(const std::string& key) const {
  auto it = options_.find(key);
  if (it == options_.end()) throw UsageError("missing required option --" + key);
  return it->second;
}

std::vector<std::string> Args::all(const std::string& key) const {
  std::vector<std::string> out;
  auto [b, e] = options_.equal_range(key);
  for (auto it = b; it != e; ++it) out.push_back(it->second);
  return out;
}

int Args::get_int(const std::string& key, int fallback) const {
  if (!has(key)) return fallback;
  try {
    size_t used = 0;
    int v = std::stoi(get(key), &used);
    if (used == get(key).size()) return v;
  } catch (const std::exception&) {
  }
  throw UsageError("option --" + key + " expects an integer, got '" + get(key) + "'");
}

double Args::get_real(const std::string& key, double fallback) const {
  if (!has(key)) return fallback;
  try {
    size_t used = 0;
    double v = std::stod(get(key), &used);
    if (used == get(key).size()) return v;
  } catch (const std::exception&) {
  }
  throw UsageError("option --" + key + " expects a number, got '" + get(key) + "'");
}

void Args::allow_only(const std::vector<std::string>& known) const {
  for (const auto& [k, v] : options_)
    if (std::find(known.begin(), known.end(), k) == known.end())
      throw UsageError("unknown option --" + k);
}

}  // namespace aha::cli
