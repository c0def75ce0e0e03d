#pragma once
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace aha::cli {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// "--key value", "--key=value" and bare "--flag"; everything else is positional.
// Options may repeat (--run a --run b).
class Args {
 public:
  Args(int argc, char** argv, int first, const std::vector<std::string>& flags);
  const std::vector<std::string>& positional() const { return positional_; }
  bool has(const std::string& key) const { return options_.count(key) > 0; }
  std::string get(const std::string& key, const std::string& fallback = "") const;
  std::string require(const std::string& key) const;
  std::vector<std::string> all(const std::string& key) const;
  int get_int(const std::string& key, int fallback) const;
  double get_real(const std::string& key, double fallback) const;
  // Fails on options the command does not know, naming them.
  void allow_only(const std::vector<std::string>& known) const;

 private:
  std::vector<std::string> positional_;
  std::multimap<std::string, std::string> options_;
};

}  // namespace aha::cli
