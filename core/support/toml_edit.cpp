#include "core/support/toml_edit.h"

#include <charconv>

#include <toml++/toml.h>
#include <cstdio>
#include <sstream>
#include <vector>

namespace aha {

namespace {

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

// "[task]  # comment" -> "task"; anything else -> nullopt-like empty flag.
bool table_header(const std::string& line, std::string& name) {
  const std::string t = trim(line);
  if (t.size() < 3 || t[0] != '[' || t[1] == '[') return false;
  const size_t close = t.find(']');
  if (close == std::string::npos) return false;
  name = trim(t.substr(1, close - 1));
  return true;
}

// Where the value of "key = value # comment" starts and ends (the comment stays).
bool key_value(const std::string& line, const std::string& key, size_t& begin, size_t& end) {
  size_t p = line.find_first_not_of(" \t");
  if (p == std::string::npos || line.compare(p, key.size(), key) != 0) return false;
  p += key.size();
  while (p < line.size() && (line[p] == ' ' || line[p] == '\t')) ++p;
  if (p >= line.size() || line[p] != '=') return false;
  ++p;
  while (p < line.size() && (line[p] == ' ' || line[p] == '\t')) ++p;
  begin = p;
  if (p < line.size() && (line[p] == '"' || line[p] == '\'')) {  // a string may hold '#'
    const char q = line[p];
    for (++p; p < line.size() && line[p] != q; ++p)
      if (q == '"' && line[p] == '\\') ++p;
    end = std::min(line.size(), p + 1);
  } else {
    end = line.find('#', p);
    if (end == std::string::npos) end = line.size();
    while (end > begin && (line[end - 1] == ' ' || line[end - 1] == '\t' || line[end - 1] == '\r')) --end;
  }
  return true;
}

}  // namespace

std::string set_toml_value(const std::string& text, const std::string& table, const std::string& key,
                           const std::string& literal) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  std::string current;
  int last_in_table = -1;  // the last key line of `table`, to add after
  bool table_seen = table.empty();
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string name;
    if (table_header(lines[i], name)) {
      current = name;
      if (current == table) table_seen = true, last_in_table = static_cast<int>(i);
      continue;
    }
    if (current != table) continue;
    size_t b, e;
    if (key_value(lines[i], key, b, e)) {
      lines[i] = lines[i].substr(0, b) + literal + lines[i].substr(e);
      std::string out;
      for (const auto& l : lines) out += l + "\n";
      return out;
    }
    const std::string t = trim(lines[i]);
    if (!t.empty() && t[0] != '#') last_in_table = static_cast<int>(i);
  }
  const std::string added = key + " = " + literal;
  if (!table_seen) {
    lines.push_back("");
    lines.push_back("[" + table + "]");
    lines.push_back(added);
  } else {
    lines.insert(lines.begin() + (last_in_table + 1), added);
  }
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

std::string toml_value_text(const std::string& text, const std::string& dotted_key) {
  toml::table t;
  try {
    t = toml::parse(text);
  } catch (const toml::parse_error&) {
    return {};
  }
  const auto node = t.at_path(dotted_key);
  if (const auto s = node.value_exact<std::string>()) return *s;
  if (const auto d = node.value_exact<double>()) return toml_number(*d);
  if (const auto i = node.value_exact<int64_t>()) return toml_integer(*i);
  if (const auto b = node.value_exact<bool>()) return *b ? "true" : "false";
  return {};
}

std::string toml_string(const std::string& s) {
  std::string out = "\"";
  for (const unsigned char c : s) {
    if (c == '"' || c == '\\') out += '\\', out += static_cast<char>(c);
    else if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c < 0x20 || c == 0x7F) {
      char u[8];
      std::snprintf(u, sizeof u, "\\u%04X", c);
      out += u;
    } else out += static_cast<char>(c);
  }
  return out + "\"";
}

std::string toml_number(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);  // shortest form that reads back the same
  std::string s(buf, r.ptr);
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";  // a TOML float needs a point or exponent
  return s;
}

std::string toml_integer(long long v) { return std::to_string(v); }

}  // namespace aha
