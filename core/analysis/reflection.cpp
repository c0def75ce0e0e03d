#include "core/analysis/reflection.h"

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

// A number token starting at or after `pos` (spaces skipped), or nothing.
std::optional<std::pair<size_t, std::string>> number_at(const std::string& t, size_t pos) {
  while (pos < t.size() && t[pos] == ' ') ++pos;
  size_t b = pos;
  if (pos < t.size() && t[pos] == '-' && pos + 1 < t.size() && is_digit(t[pos + 1])) ++pos;
  if (pos >= t.size() || !is_digit(t[pos])) return std::nullopt;
  while (pos < t.size() && (is_digit(t[pos]) || (t[pos] == '.' && pos + 1 < t.size() && is_digit(t[pos + 1])))) ++pos;
  return std::make_pair(b, t.substr(b, pos - b));
}

bool same_value(const std::string& a, const std::string& b) {
  return a == b || std::abs(std::strtod(a.c_str(), nullptr) - std::strtod(b.c_str(), nullptr)) < 1e-9;
}

// The last number that ends before `pos`, looking back at most `window` bytes.
std::optional<std::string> number_before(const std::string& t, size_t pos, size_t window) {
  const size_t stop = pos > window ? pos - window : 0;
  size_t p = pos;
  while (p > stop && !is_digit(t[p - 1])) --p;
  if (p == stop) return std::nullopt;
  size_t e = p;
  while (p > 0 && (is_digit(t[p - 1]) || t[p - 1] == '.')) --p;
  if (p > 0 && t[p - 1] == '-') --p;
  return t.substr(p, e - p);
}

// What a stretch of reasoning concludes: the number after its last "so"/"answer is"/...
// marker, or the result of the equation that follows the marker ("so 100 mod 7 = 2").
// After a backtracking phrase a lone equation also concludes ("not right, 12*3 = 36");
// after a verification it is the check itself (42-27=15), not a new value.
std::optional<std::string> conclusion_in(const std::string& t, size_t b, size_t e, bool lone_equation_concludes) {
  static const std::vector<std::string> markers = {"so ", "so,", "answer is", "answer:", "therefore", "thus", "gives",
                                                   "get ", "所以是", "应该是", "所以", "答案是", "得到"};
  std::optional<std::string> best;
  size_t best_pos = 0;
  const std::string_view window = std::string_view(t).substr(0, e);  // searches stop at e, not at the text's end
  for (const auto& m : markers) {
    for (size_t p = window.find(m, b); p != std::string_view::npos; p = window.find(m, p + 1)) {
      auto n = number_at(t, p + m.size());
      if (!n || n->first >= e || (best && p < best_pos)) continue;
      best = n->second, best_pos = p;
      // The clause goes on to an equation unless the next thing is another number.
      const size_t after_number = t.find_first_not_of(' ', n->first + n->second.size());
      if (after_number == std::string::npos || is_digit(t[after_number])) continue;
      const size_t clause_end = std::min(e, t.find_first_of(".;\n", after_number));
      const size_t eq = t.rfind('=', clause_end);
      if (eq != std::string::npos && eq > n->first)
        if (auto r = number_at(t, eq + 1); r && r->first < clause_end) best = r->second;
    }
  }
  if (best || !lone_equation_concludes) return best;
  const auto region = std::string_view(t).substr(b, e - b);
  if (std::count(region.begin(), region.end(), '=') == 1) {
    auto n = number_at(t, b + region.find('=') + 1);
    if (n && n->first < e) return n->second;
  }
  return std::nullopt;
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
    auto value = number_at(t, eq + 1);
    if (!value) continue;
    auto [it, inserted] = seen.emplace(lhs, value->second);
    if (!inserted && !same_value(it->second, value->second)) {
      revs.push_back({it->second, value->second});
      spans.emplace_back(b, value->first + value->second.size());
      it->second = value->second;
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
  // Events need the trajectory; most samples have no phrase and skip it.
  if (!phrases.empty()) r.events = reflection_events(original, phrases, answer_trajectory(original, judge), judge);
  const size_t think_end = std::min(t.find("</think>"), t.size());
  for (size_t i = 0; i < kept.size(); ++i) {
    const size_t region_end = std::min(i + 1 < kept.size() ? kept[i + 1].b : t.size(), think_end);
    if (kept[i].e >= region_end) continue;
    auto before = number_before(t, kept[i].b, 120);
    auto after = conclusion_in(t, kept[i].e, region_end, kept[i].cat != Cat::Verification);
    if (before && after && !same_value(*before, *after)) r.revisions.push_back({*before, *after});
  }
  std::vector<std::pair<size_t, size_t>> restated;
  restated_equations(t.substr(0, think_end), restated, r.revisions);
  for (auto [b, e] : restated) {
    const bool covered = std::any_of(kept.begin(), kept.end(), [&](const Hit& h) { return h.b < e && b < h.e; });
    if (!covered) kept.push_back({b, e, Cat::Backtracking});
  }
  std::sort(kept.begin(), kept.end(), [](const Hit& a, const Hit& b) { return a.b < b.b; });

  // The first answer the trace states, against the final one.
  for (const std::string_view m : {"answer is", "answer:", "\\boxed{", "答案是"}) {
    const size_t p = t.find(m);
    if (p == std::string::npos || p >= think_end) continue;
    if (auto n = number_at(t, p + m.size())) {
      r.first_answer = n->second;
      break;
    }
  }
  if (!r.first_answer.empty() && !final_answer.empty()) {
    auto fin = number_at(std::string(final_answer), 0);
    if (fin && !same_value(fin->second, r.first_answer)) r.revisions.push_back({r.first_answer, fin->second});
  }

  double keep_out = 1.0;
  if (!kept.empty()) {  // most samples have no span: skip the offset table
    const auto chars = char_offsets(original);
    for (const auto& h : kept) {
      r.spans.push_back({chars[h.b], chars[h.e], h.cat});
      keep_out *= h.cat == Cat::Verification ? 0.5 : 0.4;
    }
    for (auto& e : r.events) e.begin = chars[e.begin], e.end = chars[e.end];
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
  for (size_t i = 0; i < spans.size(); ++i) {
    if (i) out += ',';
    out += "{\"begin\":" + std::to_string(spans[i].begin) + ",\"end\":" + std::to_string(spans[i].end) +
           ",\"category\":\"" + to_string(spans[i].category) + "\"}";
  }
  return out + "]";
}

}  // namespace aha
