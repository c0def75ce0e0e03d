#include "core/analysis/reflection.h"

#include "core/analysis/arithmetic.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>

namespace aha {
namespace {

using Cat = ReflectionCategory;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A number written at or after `pos` (spaces skipped), or nothing.
std::optional<WrittenNumber> number_after(std::string_view t, size_t pos) {
  while (pos < t.size() && t[pos] == ' ') ++pos;
  return number_at(t, pos);
}

// Code-point offset of every byte offset, so spans index characters, not bytes.
std::vector<int> char_offsets(std::string_view s) {
  std::vector<int> out(s.size() + 1);
  int c = 0;  // characters that start before byte i
  for (size_t i = 0; i < s.size(); ++i) {
    const bool continuation = (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80;
    out[i] = continuation ? c - 1 : c;  // a byte inside a character maps to that character
    if (!continuation) ++c;
  }
  out[s.size()] = c;
  return out;
}

// Equations "lhs=value" whose left side comes back later with another value.
void restated_equations(const std::string& t, std::vector<std::pair<size_t, size_t>>& spans, std::vector<Revision>& revs) {
  std::map<std::string, std::string> seen;
  for (size_t eq = t.find('='); eq != std::string::npos; eq = t.find('=', eq + 1)) {
    size_t b = eq;
    while (b > 0 && std::string_view("0123456789+-*/x() ").find(t[b - 1]) != std::string_view::npos) --b;
    std::string lhs;
    for (size_t i = b; i < eq; ++i)
      if (t[i] != ' ') lhs += t[i];
    // Only real expressions: an operator between two operands.
    if (lhs.size() < 3 || lhs.find_first_of("+-*/x") == std::string::npos || !is_digit(lhs.back())) continue;
    auto value = number_after(t, eq + 1);
    if (!value) continue;
    auto [it, inserted] = seen.emplace(lhs, value->text);
    if (!inserted && !same_value(it->second, value->text)) {
      revs.push_back({it->second, value->text});
      spans.emplace_back(b, value->end);
      it->second = value->text;
    }
  }
}

}  // namespace

ReflectionDetector::ReflectionDetector(std::vector<LexiconEntry> lexicon) : matcher_(std::move(lexicon)) {}

Reflection ReflectionDetector::analyse(std::string_view original, std::string_view final_answer,
                                       const AnswerJudge& judge) const {
  const std::string t = lower_ascii(original);
  struct Hit {
    size_t b, e;
    Cat cat;
  };
  const auto phrases = matcher_.find(t);
  std::vector<Hit> kept;
  for (const auto& h : phrases) kept.push_back({h.begin, h.end, h.category});

  Reflection r;
  const size_t think_end = std::min(t.find("</think>"), t.size());
  std::vector<std::pair<size_t, size_t>> restated;  // "lhs=a ... lhs=b": a value stated again, changed
  if (!phrases.empty()) {
    // Events need the trajectory; most samples have no phrase and skip it. Their changed
    // values are the revisions; its equations give the restatements.
    const auto tr = answer_trajectory(original, {}, t);
    r.events = reflection_events(original, phrases, tr, judge);
    for (const auto& e : r.events) {
      if (e.after.empty() || same_value(e.before, e.after)) continue;
      const Revision rev{e.before, e.after};
      if (std::none_of(r.revisions.begin(), r.revisions.end(),
                       [&](const Revision& x) { return x.from == rev.from && x.to == rev.to; }))
        r.revisions.push_back(rev);
    }
    std::map<std::string_view, const Claim*> seen;
    for (const auto& c : tr.claims) {
      if (c.kind != ClaimKind::Equation || c.end > think_end) continue;
      auto [it, inserted] = seen.emplace(c.expression, &c);
      if (!inserted && !same_value(it->second->value, c.value)) {
        r.revisions.push_back({it->second->value, c.value});
        restated.emplace_back(c.begin, c.end);
        it->second = &c;
      }
    }
  } else {
    restated_equations(t.substr(0, think_end), restated, r.revisions);
  }
  for (auto [b, e] : restated) {
    const bool covered = std::any_of(kept.begin(), kept.end(), [&](const Hit& h) { return h.b < e && b < h.e; });
    if (!covered) kept.push_back({b, e, Cat::Backtracking});
  }
  std::sort(kept.begin(), kept.end(), [](const Hit& a, const Hit& b) { return a.b < b.b; });

  // The first answer the trace states, against the final one.
  for (const std::string_view m : {"answer is", "answer:", "\\boxed{", "答案是"}) {
    const size_t p = t.find(m);
    if (p == std::string::npos || p >= think_end) continue;
    if (auto n = number_after(t, p + m.size())) {
      r.first_answer = n->text;
      break;
    }
  }
  if (!r.first_answer.empty() && !final_answer.empty()) {
    auto fin = number_after(final_answer, 0);
    if (fin && !same_value(fin->text, r.first_answer)) r.revisions.push_back({r.first_answer, fin->text});
  }

  double keep_out = 1.0;
  if (!kept.empty()) {  // most samples have no span: skip the offset table
    const auto chars = char_offsets(original);
    for (const auto& h : kept) {
      r.spans.push_back({chars[h.b], chars[h.e], h.cat});
      keep_out *= h.cat == Cat::Verification ? 0.5 : 0.4;
    }
    for (auto& e : r.events) e.begin = chars[e.begin], e.end = chars[e.end], e.settled = chars[e.settled];
  }
  for (size_t i = 0; i < r.revisions.size(); ++i) keep_out *= 0.5;
  r.score = r.spans.empty() && r.revisions.empty() ? 0.0 : 1.0 - keep_out;
  r.language_mixing = has_language_mixing(original);
  return r;
}

bool has_language_mixing(std::string_view s) {
  // ASCII alone holds one script at most: most completions end their check here.
  if (std::all_of(s.begin(), s.end(), [](char ch) { return static_cast<unsigned char>(ch) < 0x80; })) return false;
  enum Script { None, Latin, Han, Kana, Hangul, Cyrillic, Greek, Arabic, Hebrew, Devanagari, Thai, Count };
  auto script_of = [](char32_t c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7))
      return Latin;
    if ((c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF)) return Han;
    if (c >= 0x3040 && c <= 0x30FF) return Kana;
    if (c >= 0xAC00 && c <= 0xD7AF) return Hangul;
    if (c >= 0x400 && c <= 0x4FF) return Cyrillic;
    if (c >= 0x370 && c <= 0x3FF) return Greek;
    if (c >= 0x600 && c <= 0x6FF) return Arabic;
    if (c >= 0x590 && c <= 0x5FF) return Hebrew;
    if (c >= 0x900 && c <= 0x97F) return Devanagari;
    if (c >= 0xE00 && c <= 0xE7F) return Thai;
    return None;
  };
  // Names that appear in any language's maths.
  static const std::set<std::string> math_words = {"sin", "cos", "tan", "log", "ln", "exp", "max", "min", "mod", "gcd",
                                                   "lcm", "sqrt", "cm", "mm", "km", "kg", "ml", "pi", "abs"};
  bool present[Count] = {};
  Script run_script = None;
  std::string run;  // the Latin run so far, lower-cased
  size_t run_chars = 0;
  auto close_run = [&] {
    if (run_script == Latin) {
      if (run_chars >= 2 && !math_words.count(run)) present[Latin] = true;
    } else if (run_script != None) {
      present[run_script] = true;
    }
    run.clear();
    run_chars = 0;
    run_script = None;
  };
  for (size_t i = 0; i < s.size();) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 == '<') {  // skip tags such as <think>
      const size_t close = s.find('>', i);
      if (close != std::string_view::npos && close - i < 16) {
        close_run();
        i = close + 1;
        continue;
      }
    }
    const int len = b0 < 0x80 ? 1 : (b0 >> 5) == 6 ? 2 : (b0 >> 4) == 14 ? 3 : (b0 >> 3) == 30 ? 4 : 1;
    char32_t c = len == 1 ? b0 : (b0 & (0x7F >> len));
    for (int k = 1; k < len && i + k < s.size(); ++k) c = (c << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    i += len;
    const Script sc = script_of(c);
    if (sc != run_script) close_run();
    run_script = sc;
    ++run_chars;
    // Only short runs can be one of the maths words: longer ones are not kept.
    if (sc == Latin && c < 0x80 && run.size() < 5) run += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  }
  close_run();
  return std::count(std::begin(present), std::end(present), true) >= 2;
}

std::string spans_to_json(const std::vector<ReflectionSpan>& spans) {
  std::string out = "[";
  // Rows, appended in place: an import writes a million of these, and keys were half the bytes.
  out.reserve(28 * spans.size() + 2);
  for (size_t i = 0; i < spans.size(); ++i) {
    if (i) out += ',';
    out.append("[").append(std::to_string(spans[i].begin)).append(",");
    out.append(std::to_string(spans[i].end)).append(",\"").append(to_string(spans[i].category)).append("\"]");
  }
  out += ']';
  return out;
}

std::vector<ReflectionSpan> spans_from_json(std::string_view json) {
  std::vector<ReflectionSpan> out;
  const auto j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_array()) return out;
  try {
    for (const auto& x : j) {
      const bool row = x.is_array();  // else an object, as older databases hold
      out.push_back({(row ? x.at(0) : x.at("begin")).get<int>(), (row ? x.at(1) : x.at("end")).get<int>(),
                     reflection_category_from_string((row ? x.at(2) : x.at("category")).get<std::string>())});
    }
  } catch (const std::exception&) {
    return {};
  }
  return out;
}

}  // namespace aha
