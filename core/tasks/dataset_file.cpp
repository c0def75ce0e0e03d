#include "core/tasks/dataset_file.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/support/paths.h"

namespace aha {

namespace {

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  return std::string(s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1));
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::optional<double> as_number(std::string_view text) {
  std::string s = trim(text);
  if (s.rfind("\\boxed{", 0) == 0 && !s.empty() && s.back() == '}') s = trim(s.substr(7, s.size() - 8));
  std::string clean;
  for (char c : s)
    if (c != ',' && c != '$' && c != ' ') clean += c;
  if (!clean.empty() && (clean.back() == '.' || clean.back() == '%')) clean.pop_back();
  if (clean.empty()) return std::nullopt;
  auto parse = [](const std::string& t) -> std::optional<double> {
    size_t used = 0;
    try {
      const double v = std::stod(t, &used);
      if (used == t.size() && std::isfinite(v)) return v;
    } catch (const std::exception&) {
    }
    return std::nullopt;
  };
  if (const auto slash = clean.find('/'); slash != std::string::npos) {
    const auto num = parse(clean.substr(0, slash)), den = parse(clean.substr(slash + 1));
    if (num && den && *den != 0) return *num / *den;
    return std::nullopt;
  }
  if (!std::isdigit(static_cast<unsigned char>(clean.back()))) return std::nullopt;  // "1e" or "inf"
  return parse(clean);
}

namespace {

std::string format_of(const TaskOptions& o) {
  if (o.data_format != "auto") return o.data_format;
  const auto ext = lower(std::filesystem::path(o.data_file).extension().string());
  if (ext == ".csv") return "csv";
  if (ext == ".jsonl" || ext == ".json" || ext == ".ndjson") return "jsonl";
  throw std::runtime_error(o.data_file + ": cannot tell the format from the extension '" + ext +
                           "'; set task.data_format = \"jsonl\" or \"csv\"");
}

// A record's fields by name, from either a JSON object or a CSV row.
using FieldGetter = std::function<std::optional<nlohmann::json>(const std::string&)>;

// Integers in "3 7 25 50", "[3, 7, 25, 50]" or a JSON array.
std::vector<int> integers_of(const nlohmann::json& v) {
  std::vector<int> out;
  if (v.is_array()) {
    for (const auto& x : v) {
      if (!x.is_number_integer()) throw std::runtime_error("is not a list of whole numbers");
      out.push_back(x.get<int>());
    }
    return out;
  }
  if (!v.is_string()) throw std::runtime_error("is not a list of numbers");
  std::istringstream in(v.get<std::string>());
  std::string tok;
  for (char c; in.get(c);) {
    if (std::isdigit(static_cast<unsigned char>(c)) || (c == '-' && tok.empty())) {
      tok += c;
    } else if (!tok.empty()) {
      out.push_back(std::stoi(tok));
      tok.clear();
    }
  }
  if (!tok.empty()) out.push_back(std::stoi(tok));
  return out;
}

std::string text_of(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number()) return v.dump();
  throw std::runtime_error("is neither text nor a number");
}

Problem problem_from(const TaskOptions& o, const FieldGetter& field) {
  auto need = [&](const std::string& name) {
    auto v = field(name);
    if (!v || v->is_null()) throw std::runtime_error("has no field \"" + name + "\"");
    return *v;
  };
  auto in_field = [](const std::string& name, auto&& f) {
    try {
      return f();
    } catch (const std::exception& e) {
      throw std::runtime_error("field \"" + name + "\" " + e.what());
    }
  };
  Problem p;
  if (o.name == "countdown") {
    const auto nums = need(o.nums_field);
    const auto target = need(o.target_field);
    p.numbers = in_field(o.nums_field, [&] { return integers_of(nums); });
    if (p.numbers.size() < 2) throw std::runtime_error("field \"" + o.nums_field + "\" needs at least two numbers");
    const auto t = in_field(o.target_field, [&] { return as_number(text_of(target)); });
    if (!t || *t != std::floor(*t)) throw std::runtime_error("field \"" + o.target_field + "\" is not a whole number");
    p.target = static_cast<int>(*t);
    p.reference = std::to_string(p.target);
    p.question = "Use";
    for (int v : p.numbers) p.question += " " + std::to_string(v);
    p.question += " to make " + p.reference + ".";
    return p;
  }
  const auto question = need(o.question_field), answer = need(o.answer_field);
  p.question = in_field(o.question_field, [&] { return text_of(question); });
  p.reference = final_answer_of(in_field(o.answer_field, [&] { return text_of(answer); }));
  if (trim(p.question).empty()) throw std::runtime_error("field \"" + o.question_field + "\" is empty");
  // A prompt is a few hundred tokens; one of megabytes would exhaust memory in the batch.
  constexpr size_t kMaxQuestionBytes = 64 * 1024;
  if (p.question.size() > kMaxQuestionBytes)
    throw std::runtime_error("field \"" + o.question_field + "\" has " + std::to_string(p.question.size()) +
                             " bytes; a question has at most " + std::to_string(kMaxQuestionBytes));
  if (p.reference.empty()) throw std::runtime_error("field \"" + o.answer_field + "\" has no answer");
  return p;
}

// "a.b" reads nested objects ({"a": {"b": ...}}), as veRL and HF datasets nest fields.
std::optional<nlohmann::json> json_field(const nlohmann::json& j, const std::string& name) {
  const nlohmann::json* at = &j;
  size_t start = 0;
  while (true) {
    const auto dot = name.find('.', start);
    const std::string key = name.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!at->is_object() || !at->contains(key)) return std::nullopt;
    at = &(*at)[key];
    if (dot == std::string::npos) return *at;
    start = dot + 1;
  }
}

}  // namespace

std::string final_answer_of(std::string_view reference) {
  const auto mark = reference.rfind("####");
  if (mark == std::string_view::npos) return trim(reference);
  std::string out;
  for (char c : trim(reference.substr(mark + 4)))
    if (c != ',') out += c;
  return out;
}

bool answers_match(std::string_view given, std::string_view reference, double tolerance) {
  const auto ref = as_number(reference);
  if (ref) {
    const auto got = as_number(given);
    return got && std::fabs(*got - *ref) <= tolerance * std::max(1.0, std::fabs(*ref));
  }
  return lower(trim(given)) == lower(trim(reference));
}

std::vector<CsvRecord> parse_csv(std::string_view text, const std::string& origin) {
  std::vector<CsvRecord> out;
  CsvRecord rec{{}, 1};
  std::string field;
  bool quoted = false, field_started = false;
  long line = 1, quote_line = 0;
  auto end_field = [&] {
    rec.fields.push_back(std::move(field));
    field.clear();
    field_started = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"' && !field_started) {
      quoted = field_started = true;
      quote_line = line;
    } else if (c == ',') {
      end_field();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      end_field();
      if (!(rec.fields.size() == 1 && rec.fields[0].empty())) out.push_back(std::move(rec));  // blank lines
      rec = CsvRecord{{}, ++line};
    } else {
      field += c;
      field_started = true;
    }
  }
  if (quoted) throw std::runtime_error(origin + ":" + std::to_string(quote_line) + ": a quoted field is never closed");
  if (field_started || !rec.fields.empty()) {
    end_field();
    out.push_back(std::move(rec));
  }
  return out;
}

DatasetLoad load_dataset(const TaskOptions& o) {
  const std::string path = expand_user_path(o.data_file).string();
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open the task's data file '" + path + "' (task.data_file)");
  DatasetLoad load;
  auto bad = [&](long line, const std::string& what) {
    const std::string msg = path + ":" + std::to_string(line) + ": " + what;
    if (o.on_bad_line == "reject")
      throw std::runtime_error(msg + " (task.on_bad_line = \"skip\" skips such lines)");
    load.errors.push_back(msg);
  };
  auto add = [&](long line, const FieldGetter& field) {
    try {
      load.problems.push_back(problem_from(o, field));
    } catch (const std::exception& e) {
      bad(line, std::string("record ") + e.what());
    }
  };

  if (format_of(o) == "jsonl") {
    std::string text;
    long line_no = 0;
    while (std::getline(in, text)) {
      ++line_no;
      if (trim(text).empty()) continue;
      ++load.lines;
      nlohmann::json j;
      try {
        j = nlohmann::json::parse(text);
      } catch (const nlohmann::json::parse_error& e) {
        bad(line_no, std::string("not a JSON object (") + e.what() + ")");
        continue;
      }
      if (!j.is_object()) {
        bad(line_no, "not a JSON object");
        continue;
      }
      add(line_no, [&](const std::string& name) { return json_field(j, name); });
    }
  } else {
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);  // a byte order mark (spreadsheets write one)
    const auto records = parse_csv(text, path);
    if (records.empty()) throw std::runtime_error(path + ": the CSV file is empty (it needs a header row)");
    const auto& header = records[0].fields;
    for (size_t r = 1; r < records.size(); ++r) {
      ++load.lines;
      const auto& rec = records[r];
      if (rec.fields.size() != header.size()) {
        bad(rec.line, std::to_string(rec.fields.size()) + " fields where the header has " + std::to_string(header.size()));
        continue;
      }
      add(rec.line, [&](const std::string& name) -> std::optional<nlohmann::json> {
        const auto it = std::find(header.begin(), header.end(), name);
        if (it == header.end()) return std::nullopt;
        return nlohmann::json(rec.fields[it - header.begin()]);
      });
    }
  }
  if (load.problems.empty())
    throw std::runtime_error(path + ": no usable problem in " + std::to_string(load.lines) + " records" +
                             (load.errors.empty() ? std::string() : " (first: " + load.errors.front() + ")"));
  return load;
}

}  // namespace aha
