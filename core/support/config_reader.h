#pragma once
// Typed, validated reads from a TOML table. Every error names the file, the key, the
// value and what is allowed; an unknown key suggests the nearest known one.
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <toml++/toml.h>

namespace aha {

struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// "a, b, c": the allowed values of a key, for messages.
std::string join_names(const std::vector<std::string>& names);

// The known key closest to `key` by edit distance ("" when none is close).
std::string nearest_name(const std::string& key, const std::vector<std::string>& known);
// "no metric 'rewrd'; the nearest: reward, reward_std; known: ..." (known names nearest
// first), for a name the user typed that is not among `known`.
std::string unknown_name_message(const std::string& what, const std::string& name, std::vector<std::string> known);

class ConfigReader {
 public:
  // `prefix` is the table's dotted path ("" for the root), used in messages.
  ConfigReader(const toml::table& table, std::string origin, std::string prefix = "");

  double real(const std::string& key, double fallback, double lo, double hi);
  int integer(const std::string& key, int fallback, int lo, int hi);
  bool boolean(const std::string& key, bool fallback);
  std::string text(const std::string& key, const std::string& fallback,
                   const std::vector<std::string>& allowed = {});
  // A string among `allowed`, or a boolean read as `if_true` / `if_false` (an older
  // spelling kept as an alias, e.g. scale_rewards = true for "group").
  std::string text_or_bool(const std::string& key, const std::string& fallback, const std::vector<std::string>& allowed,
                           const std::string& if_true, const std::string& if_false);
  std::vector<std::string> text_list(const std::string& key, const std::vector<std::string>& fallback);
  std::vector<double> real_list(const std::string& key, const std::vector<double>& fallback);
  bool has_table(const std::string& key) const;
  ConfigReader table(const std::string& key);  // an empty table when absent
  // An array of tables ([[key]] or key = [{...}, ...]); empty when absent.
  std::vector<ConfigReader> table_list(const std::string& key);
  // Declares a key as known without reading it (a sub-table read elsewhere).
  void known(const std::string& key) { seen_.insert(key); }
  // Throws for the first key that was never read.
  void reject_unknown() const;
  const std::string& origin() const { return origin_; }

 private:
  [[noreturn]] void fail(const std::string& key, const std::string& why) const;
  const toml::node* find(const std::string& key);
  const toml::table& table_;
  std::string origin_, prefix_;
  std::set<std::string> seen_;
  std::vector<std::string> all_known_;
};

// Parses a TOML file, turning a syntax error into a ConfigError with file:line:column.
toml::table parse_toml_file(const std::string& path);
toml::table parse_toml_text(const std::string& text, const std::string& origin);

}  // namespace aha
