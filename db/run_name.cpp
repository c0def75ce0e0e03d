#include <string>
#include <string_view>

#include "db/run_sink.h"

namespace aha {

namespace {

// Whether `s` is well-formed UTF-8 (a name is shown, searched and used as a folder name).
bool valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const int extra = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : -1;
    if (extra < 0 || i + extra >= s.size()) return false;
    for (int k = 1; k <= extra; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
    i += extra + 1;
  }
  return true;
}

}  // namespace

std::string run_name_problem(std::string_view name) {
  const std::string shown = "'" + std::string(name.substr(0, 80)) + "'";
  if (name.empty()) return "a run needs a name";
  if (name.find_first_not_of(" \t") == std::string_view::npos) return "a run's name cannot be blank";
  if (name == "." || name == "..") return shown + " names a folder, not a run: choose a name with letters or digits";
  if (name.size() > 200) return "a run's name has at most 200 bytes (this one has " + std::to_string(name.size()) + ")";
  for (const char c : name) {
    if (c == '/' || c == '\\')
      return shown + " has a slash: a run's name is also its checkpoint folder's name; use '-' or '_' instead";
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      return "a run's name cannot hold control characters (a line break, a tab, NUL)";
  }
  if (name.front() == ' ' || name.back() == ' ') return shown + " starts or ends with a space; remove it";
  if (name.front() == '-') return shown + " starts with '-', which reads as an option on a command line";
  if (!valid_utf8(name)) return "a run's name must be UTF-8 text";
  return "";
}

}  // namespace aha
