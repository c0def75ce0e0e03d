#include "core/run/sweep.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include "core/run/run_config.h"
#include "core/support/config_reader.h"
#include "core/support/paths.h"
#include "core/support/toml_edit.h"

namespace aha {

namespace {

// A value as a TOML literal, floats in their shortest form ("0.2", not toml++'s 17 digits).
std::string literal_of(const toml::node& n) {
  if (const auto d = n.value_exact<double>()) return toml_number(*d);
  if (const auto i = n.value_exact<int64_t>()) return toml_integer(*i);
  if (const auto s = n.value_exact<std::string>()) return toml_string(*s);
  if (const auto b = n.value_exact<bool>()) return *b ? "true" : "false";
  std::ostringstream o;
  n.visit([&](const auto& v) { o << v; });
  return o.str();
}

// Leaves of `t` as (dotted key, node), tables descended ("task.max_terms"), in the order
// they are written (toml++ keeps a table's keys sorted).
void leaves(const toml::table& t, const std::string& prefix, std::vector<std::pair<std::string, const toml::node*>>& out) {
  for (const auto& [k, v] : t) {
    const std::string key = prefix + std::string(k.str());
    if (const auto* sub = v.as_table()) leaves(*sub, key + ".", out);
    else out.emplace_back(key, &v);
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    const auto pa = a.second->source().begin, pb = b.second->source().begin;
    return pa.line != pb.line ? pa.line < pb.line : pa.column < pb.column;
  });
}

// "grpo" for a string literal, the literal itself otherwise; safe in a run name.
}  // namespace

std::string sweep_name_part(const std::string& literal) {
  std::string v = literal;
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) v = v.substr(1, v.size() - 2);
  for (char& c : v)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_') c = '_';
  return v;
}

namespace {

std::string set_dotted(const std::string& text, const std::string& key, const std::string& literal) {
  const size_t dot = key.rfind('.');
  return dot == std::string::npos ? set_toml_value(text, "", key, literal)
                                  : set_toml_value(text, key.substr(0, dot), key.substr(dot + 1), literal);
}

std::string read_text(const std::filesystem::path& file, const std::string& what) {
  std::ifstream in(file);
  if (!in)
    throw ConfigError("cannot open " + what + " '" + file.string() + "': " +
                      (std::filesystem::exists(file) ? "permission denied" : "no such file"));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

SweepSpec SweepSpec::load(const std::filesystem::path& given) {
  const auto file = std::filesystem::absolute(expand_user_path(given.string()));
  auto spec = from_toml(read_text(file, "sweep file"), file.string(), file.parent_path());
  spec.file = file;
  return spec;
}

SweepSpec SweepSpec::from_toml(const std::string& text, const std::string& origin, const std::filesystem::path& dir) {
  const auto root = parse_toml_text(text, origin);
  ConfigReader r(root, origin);
  SweepSpec s;
  s.name = r.text("name", "");
  if (s.name.empty()) throw ConfigError(origin + ": name: a sweep needs a name (its runs are called <name>-...)");
  const std::string base = r.text("base", "");
  if (base.empty())
    throw ConfigError(origin + ": base: the run config every member starts from (e.g. base = \"" +
                      (resources_dir() / "presets" / "demo-arithmetic.toml").string() + "\")");
  s.base = expand_user_path(base);
  if (s.base.is_relative()) s.base = (dir / s.base).lexically_normal();
  s.parallel = r.integer("parallel", s.parallel, 1, 64);
  const auto seeds = r.real_list("seeds", {1.0});
  if (seeds.empty()) throw ConfigError(origin + ": seeds: give at least one seed");
  s.seeds.clear();
  for (double v : seeds) {
    if (v != static_cast<int>(v) || v < 0) throw ConfigError(origin + ": seeds: every seed is a whole number >= 0");
    if (std::find(s.seeds.begin(), s.seeds.end(), int(v)) != s.seeds.end())
      throw ConfigError(origin + ": seeds: " + std::to_string(int(v)) + " is listed twice");
    s.seeds.push_back(int(v));
  }
  r.known("set");
  r.known("grid");
  r.known("arms");
  r.reject_unknown();

  // A table's values as (dotted key, node); a member's name and seed come from the sweep.
  const auto values_of = [&](const toml::node* node, const std::string& where) {
    std::vector<std::pair<std::string, const toml::node*>> found;
    if (!node) return found;
    if (!node->as_table()) throw ConfigError(origin + ": " + where + ": expected a table ([" + where + "])");
    leaves(*node->as_table(), "", found);
    for (const auto& [k, v] : found)
      if (k == "name" || k == "seed")
        throw ConfigError(origin + ": " + where + "." + k + ": a member's " + k + " comes from the sweep (" +
                          (k == "name" ? "its name and values" : "seeds = [...]") + ")");
    return found;
  };
  for (const auto& [k, v] : values_of(root.get("set"), "set")) s.set.emplace_back(k, literal_of(*v));
  for (const auto& [k, v] : values_of(root.get("grid"), "grid")) {
    const auto* arr = v->as_array();
    if (!arr || arr->empty())
      throw ConfigError(origin + ": grid." + k + ": expected a non-empty list of values (e.g. " + k + " = [a, b])");
    std::vector<std::string> values;
    for (const auto& e : *arr) values.push_back(literal_of(e));
    s.grid.emplace_back(k, std::move(values));
  }
  if (const auto* node = root.get("arms")) {
    const auto* arms = node->as_array();
    if (!arms) throw ConfigError(origin + ": arms: expected [[arms]] tables, each with the values of one arm");
    for (size_t i = 0; i < arms->size(); ++i) {
      const std::string where = "arms[" + std::to_string(i + 1) + "]";
      std::vector<std::pair<std::string, std::string>> arm;
      std::string label;
      for (const auto& [k, v] : values_of(&(*arms)[i], where)) {
        if (k != "label") arm.emplace_back(k, literal_of(*v));
        else if (!v->is_string() || v->value_or(std::string()).empty())
          throw ConfigError(origin + ": " + where + ".label: a label is a non-empty string (the arm's name in its runs' names)");
        else label = v->value_or(std::string());
      }
      // A labelled arm with no keys is the base as it is (a sweep's "baseline").
      if (arm.empty() && label.empty())
        throw ConfigError(origin + ": " + where + ": an arm needs at least one key, or a label to run the base as it is");
      s.arms.push_back(std::move(arm));
      s.arm_labels.push_back(label);
    }
  }
  return s;
}

std::string SweepMember::values_json() const {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  if (!arm.empty()) j["arm"] = arm;
  for (const auto& [k, literal] : values) {
    // Numbers and booleans as JSON values, strings as strings.
    auto parsed = nlohmann::ordered_json::parse(literal, nullptr, false);
    if (parsed.is_discarded()) {
      const auto t = toml::parse("v = " + literal);
      if (const auto* list = t["v"].as_array()) {  // ['accuracy', 'format'] as a JSON list
        std::ostringstream json;
        json << toml::json_formatter{*list};
        parsed = nlohmann::ordered_json::parse(json.str());
      } else {
        parsed = t["v"].value_or(literal);
      }
    }
    j[k] = parsed;
  }
  j["seed"] = seed;
  return j.dump();
}

std::string sweep_value(const std::string& values_json, const std::string& key) {
  const auto j = nlohmann::json::parse(values_json, nullptr, false);
  if (!j.is_object() || !j.contains(key)) return {};
  const auto& v = j[key];
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

std::string SweepSpec::to_toml() const {
  std::ostringstream o;
  o << "name = " << toml_string(name) << "\nbase = " << toml_string(base.string()) << "\nseeds = [";
  for (size_t i = 0; i < seeds.size(); ++i) o << (i ? ", " : "") << seeds[i];
  o << "]\nparallel = " << parallel << "\n";
  // Dotted keys ("task.max_value = 9") are TOML's own way to write a nested table's key.
  if (!set.empty()) o << "\n[set]\n";
  for (const auto& [k, v] : set) o << k << " = " << v << "\n";
  if (!grid.empty()) o << "\n[grid]\n";
  for (const auto& [k, values] : grid) {
    o << k << " = [";
    for (size_t i = 0; i < values.size(); ++i) o << (i ? ", " : "") << values[i];
    o << "]\n";
  }
  for (size_t a = 0; a < arms.size(); ++a) {
    o << "\n[[arms]]\n";
    if (a < arm_labels.size() && !arm_labels[a].empty()) o << "label = " << toml_string(arm_labels[a]) << "\n";
    for (const auto& [k, v] : arms[a]) o << k << " = " << v << "\n";
  }
  return o.str();
}

std::vector<SweepMember> sweep_members(const SweepSpec& spec) {
  const std::string base_text = read_text(spec.base, "base run config");
  const std::string origin = spec.file.empty() ? spec.name : spec.file.string();
  std::string common = base_text;
  for (const auto& [k, v] : spec.set) common = set_dotted(common, k, v);

  size_t combinations = 1;
  for (const auto& g : spec.grid) combinations *= g.second.size();
  const auto arms = spec.arms.empty() ? decltype(spec.arms){{}} : spec.arms;
  std::vector<SweepMember> out;
  std::set<std::string> names;
  for (size_t c = 0; c < arms.size() * combinations; ++c) {
    // Mixed radix: the arm slowest, then the grid's first key.
    std::vector<std::pair<std::string, std::string>> values(spec.grid.size());
    size_t rest = c % combinations;
    for (size_t i = spec.grid.size(); i-- > 0;) {
      const auto& [key, list] = spec.grid[i];
      values[i] = {key, list[rest % list.size()]};
      rest /= list.size();
    }
    const auto& arm = arms[c / combinations];
    const std::string label = c / combinations < spec.arm_labels.size() ? spec.arm_labels[c / combinations] : "";
    values.insert(values.begin(), arm.begin(), arm.end());
    for (int seed : spec.seeds) {
      SweepMember m;
      m.values = values;
      m.arm = label;
      m.seed = seed;
      m.run_name = spec.name;
      if (!label.empty()) m.run_name += "-" + sweep_name_part(label);
      for (size_t v = label.empty() ? 0 : arm.size(); v < values.size(); ++v) m.run_name += "-" + sweep_name_part(values[v].second);
      m.run_name += "-s" + std::to_string(seed);
      if (!names.insert(m.run_name).second)
        throw ConfigError(origin + ": grid: two members would both be named '" + m.run_name +
                          "' (values that differ only in characters a run name cannot hold)");
      std::string text = common;
      for (const auto& [k, v] : values) text = set_dotted(text, k, v);
      text = set_toml_value(text, "", "name", toml_string(m.run_name));
      text = set_toml_value(text, "", "seed", toml_integer(seed));
      text = set_toml_value(text, "sweep", "name", toml_string(spec.name));
      text = set_toml_value(text, "sweep", "values", toml_string(m.values_json()));
      text = set_toml_value(text, "sweep", "members",
                            toml_integer(static_cast<int64_t>(arms.size() * combinations * spec.seeds.size())));
      // Every member is a valid run config before the first one trains.
      auto cfg = RunConfig::from_toml(text, origin + " (member " + m.run_name + ", base " + spec.base.string() + ")");
      // A data file is found next to the base config that names it, as RunConfig::load does.
      if (!cfg.task.data_file.empty()) {
        auto data = expand_user_path(cfg.task.data_file);
        if (data.is_relative()) data = (spec.base.parent_path() / data).lexically_normal();
        text = set_toml_value(text, "task", "data_file", toml_string(data.string()));
      }
      m.config_toml = std::move(text);
      out.push_back(std::move(m));
    }
  }
  return out;
}

}  // namespace aha
