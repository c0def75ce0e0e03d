#include "core/support/config_reader.h"

#include <cmath>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace aha {

namespace {
size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string format_number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}
}  // namespace

std::string join_names(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

std::string nearest_name(const std::string& key, const std::vector<std::string>& known) {
  std::string best;
  size_t best_d = std::max<size_t>(3, key.size() / 2) + 1;
  for (const auto& k : known) {
    size_t d = edit_distance(key, k);
    if (d < best_d) best_d = d, best = k;
  }
  return best;
}

std::string unknown_name_message(const std::string& what, const std::string& name, std::vector<std::string> known) {
  std::stable_sort(known.begin(), known.end(), [&](const std::string& a, const std::string& b) {
    return edit_distance(name, a) < edit_distance(name, b);
  });
  std::string out = "no " + what + " '" + name + "'";
  if (known.empty()) return out + " (there is none)";
  out += "; known, nearest first: ";
  for (size_t i = 0; i < known.size() && i < 12; ++i) out += (i ? ", " : "") + known[i];
  if (known.size() > 12) out += ", ... (" + std::to_string(known.size()) + " in all)";
  return out;
}

ConfigReader::ConfigReader(const toml::table& table, std::string origin, std::string prefix)
    : table_(table), origin_(std::move(origin)), prefix_(std::move(prefix)) {}

void ConfigReader::fail(const std::string& key, const std::string& why) const {
  throw ConfigError(origin_ + ": " + prefix_ + key + ": " + why);
}

const toml::node* ConfigReader::find(const std::string& key) {
  seen_.insert(key);
  all_known_.push_back(key);
  return table_.get(key);
}

double ConfigReader::real(const std::string& key, double fallback, double lo, double hi) {
  const auto* n = find(key);
  if (!n) return fallback;
  double v;
  if (auto d = n->value<double>()) v = *d;
  else fail(key, "expected a number, got " + std::string(toml::impl::node_type_friendly_names[static_cast<int>(n->type())]));
  if (!std::isfinite(v))
    fail(key, "value " + format_number(v) + " is not a finite number; give one in [" + format_number(lo) + ", " +
                  format_number(hi) + "]");
  if (v < lo || v > hi)
    fail(key, "value " + format_number(v) + " is out of range [" + format_number(lo) + ", " + format_number(hi) + "]");
  return v;
}

int ConfigReader::integer(const std::string& key, int fallback, int lo, int hi) {
  const auto* n = find(key);
  if (!n) return fallback;
  auto v = n->value_exact<int64_t>();
  if (!v) fail(key, "expected an integer");
  if (*v < lo || *v > hi)
    fail(key, "value " + std::to_string(*v) + " is out of range [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return static_cast<int>(*v);
}

bool ConfigReader::boolean(const std::string& key, bool fallback) {
  const auto* n = find(key);
  if (!n) return fallback;
  auto v = n->value_exact<bool>();
  if (!v) fail(key, "expected true or false");
  return *v;
}

std::string ConfigReader::text(const std::string& key, const std::string& fallback,
                               const std::vector<std::string>& allowed) {
  const auto* n = find(key);
  if (!n) return fallback;
  auto v = n->value_exact<std::string>();
  if (!v) fail(key, "expected a string");
  if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), *v) == allowed.end())
    fail(key, "value '" + *v + "' is not one of: " + join_names(allowed));
  return *v;
}

std::string ConfigReader::text_or_bool(const std::string& key, const std::string& fallback,
                                       const std::vector<std::string>& allowed, const std::string& if_true,
                                       const std::string& if_false) {
  const auto* n = find(key);
  if (n && n->is_boolean()) return *n->value_exact<bool>() ? if_true : if_false;
  if (n && !n->is_string())
    fail(key, "expected one of: " + join_names(allowed) + " (or true for \"" + if_true + "\", false for \"" +
                  if_false + "\")");
  return text(key, fallback, allowed);
}

std::vector<std::string> ConfigReader::text_list(const std::string& key, const std::vector<std::string>& fallback) {
  const auto* n = find(key);
  if (!n) return fallback;
  const auto* arr = n->as_array();
  if (!arr) fail(key, "expected a list of strings");
  std::vector<std::string> out;
  for (const auto& e : *arr) {
    auto s = e.value_exact<std::string>();
    if (!s) fail(key, "expected a list of strings");
    out.push_back(*s);
  }
  return out;
}

std::vector<double> ConfigReader::real_list(const std::string& key, const std::vector<double>& fallback) {
  const auto* n = find(key);
  if (!n) return fallback;
  const auto* arr = n->as_array();
  if (!arr) fail(key, "expected a list of numbers");
  std::vector<double> out;
  for (const auto& e : *arr) {
    auto d = e.value<double>();
    if (!d) fail(key, "expected a list of numbers");
    out.push_back(*d);
  }
  return out;
}

bool ConfigReader::has_table(const std::string& key) const { return table_.get_as<toml::table>(key) != nullptr; }

ConfigReader ConfigReader::table(const std::string& key) {
  static const toml::table empty;
  const auto* n = find(key);
  if (n && !n->is_table()) fail(key, "expected a table [" + prefix_ + key + "]");
  return ConfigReader(n ? *n->as_table() : empty, origin_, prefix_ + key + ".");
}

std::vector<ConfigReader> ConfigReader::table_list(const std::string& key) {
  std::vector<ConfigReader> out;
  const auto* n = find(key);
  if (!n) return out;
  const auto* arr = n->as_array();
  if (!arr) fail(key, "expected a list of tables");
  for (size_t i = 0; i < arr->size(); ++i) {
    const auto* t = (*arr)[i].as_table();
    if (!t) fail(key, "entry " + std::to_string(i + 1) + " is not a table");
    out.emplace_back(*t, origin_, prefix_ + key + "[" + std::to_string(i + 1) + "].");
  }
  return out;
}

void ConfigReader::reject_unknown() const {
  for (const auto& [k, v] : table_) {
    const std::string key(k.str());
    if (seen_.count(key)) continue;
    std::string hint = nearest_name(key, all_known_);
    std::string msg = "unknown key";
    if (!hint.empty()) msg += " (did you mean '" + hint + "'?)";
    fail(key, msg);
  }
}

toml::table parse_toml_text(const std::string& text, const std::string& origin) {
  try {
    return toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    throw ConfigError(origin + ":" + std::to_string(where.line) + ":" + std::to_string(where.column) +
                      ": TOML syntax error: " + std::string(e.description()));
  }
}

toml::table parse_toml_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError("cannot open config file '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_toml_text(ss.str(), path);
}

}  // namespace aha
