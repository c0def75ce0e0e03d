#include "core/analysis/answer_trajectory.h"

#include <algorithm>
#include <array>

#include "core/analysis/arithmetic.h"
#include "core/analysis/prefix_index.h"
#include "core/analysis/reflection_lexicon.h"

namespace aha {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

constexpr size_t kMaxExpression = 96;  // bytes: longer runs are prose, not one expression

// Bytes of the operator at `p` (+ - * / ^ x × ÷ · − ² ³), 0 when there is none.
size_t operator_at(std::string_view t, size_t p) {
  if (p >= t.size()) return 0;
  const char c = t[p];
  if (c == '+' || c == '-' || c == '*' || c == '/' || c == 'x' || c == 'X' || c == '^') return 1;
  if (c == '!' && p > 0 && is_digit(t[p - 1])) return 1;  // 5! (a factorial, after a digit)
  if (c == 'o' && t.substr(p, 3) == "of " && p >= 2 && t[p - 1] == ' ' && t[p - 2] == '%') return 2;  // 25% of 24
  const auto two = t.substr(p, 2);
  if (two == "\xC3\x97" || two == "\xC3\xB7" || two == "\xC2\xB7" || two == "\xC2\xB2" || two == "\xC2\xB3") return 2;
  return t.substr(p, 3) == "\xE2\x88\x92" ? 3 : 0;
}

bool plain_expression_char(char c) {
  return is_digit(c) || c == ' ' || c == '.' || c == ',' || c == '(' || c == ')' || c == '%';
}

// Bytes of the expression character that starts at `p` (0: none).
size_t expression_char_at(std::string_view t, size_t p) {
  if (p >= t.size()) return 0;
  return plain_expression_char(t[p]) ? 1 : operator_at(t, p);
}

// Bytes of the expression character that ends just before `p` (0: none).
size_t expression_char_before(std::string_view t, size_t p) {
  if (p == 0) return 0;
  if (plain_expression_char(t[p - 1]) || operator_at(t, p - 1) == 1) return 1;
  if (p >= 2 && operator_at(t, p - 2) == 2) return 2;
  if (p >= 3 && operator_at(t, p - 3) == 3) return 3;
  return 0;
}

bool has_operator(std::string_view expr) {
  for (size_t i = 1; i < expr.size(); ++i) {  // (a leading '-' is a sign)
    const char c = expr[i];
    if (c == '+' || c == '-' || c == '*' || c == '/' || c == 'x' || c == 'X' || c == '^' ||
        static_cast<unsigned char>(c) >= 0xC2)
      return true;
  }
  return false;
}

std::string without_spaces(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != ' ') out += c;
  return out;
}

// The left side of the equation whose '=' is at `eq`: the longest run of expression
// characters before it that evaluates as one expression with an operator ("6+5" in
// "1+3=4 6+5=11").
struct LeftSide {
  size_t begin, end;
  double value;
};
std::optional<LeftSide> left_side(std::string_view t, size_t eq) {
  size_t start = eq;
  while (start > 0 && eq - start < kMaxExpression) {
    const size_t n = expression_char_before(t, start);
    if (!n) break;
    start -= n;
  }
  size_t end = eq;
  while (end > start && t[end - 1] == ' ') --end;
  for (size_t b = start; b < end; ++b) {
    const bool token_start = is_digit(t[b]) ? (b == 0 || (!is_digit(t[b - 1]) && t[b - 1] != '.' && t[b - 1] != ','))
                                            : (t[b] == '(' || t[b] == '-' || t.substr(b, 3) == "\xE2\x88\x92");
    if (!token_start) continue;
    const auto expr = t.substr(b, end - b);
    if (!has_operator(expr)) continue;
    if (const auto v = evaluate(expr)) return LeftSide{b, end, *v};
  }
  return std::nullopt;
}

// One side after an '=': a number, or an expression up to the next '='. Returns its end
// and whether another '=' follows it.
struct Side {
  size_t begin = 0, end = 0;
  std::optional<WrittenNumber> number;  // when the side is one written number
  bool continues = false;
};

std::optional<Side> right_side(std::string_view t, size_t after_eq) {
  size_t p = after_eq;
  while (p < t.size() && t[p] == ' ') ++p;
  auto n = number_at(t, p, /*fractions=*/true);
  if (!n) return std::nullopt;
  Side s{p, n->end, n, false};
  size_t q = n->end;
  while (q < t.size() && t[q] == ' ') ++q;
  if (q < t.size() && t[q] == '=') return s.continues = true, s;
  // An operator next: the side is an expression that another '=' must end.
  if (!operator_at(t, q) || (t[q] == 'x' || t[q] == 'X')) return s;
  size_t e = q;
  while (e < t.size() && e - p < kMaxExpression && t[e] != '=')
    if (const size_t n_bytes = expression_char_at(t, e)) e += n_bytes;
    else break;
  if (e >= t.size() || t[e] != '=') return s;  // "5 + 3 apples": the number stands alone
  size_t end = e;
  while (end > p && t[end - 1] == ' ') --end;
  if (!evaluate(t.substr(p, end - p))) return s;
  return Side{p, end, std::nullopt, true};
}

// An equation from `begin` that states `value` for `expression`.
Claim equation_claim(size_t begin, const WrittenNumber& value, std::string expression) {
  Claim c;
  c.kind = ClaimKind::Equation;
  c.begin = begin;
  c.end = value.end;
  c.value_begin = value.begin;
  c.value = value.text;
  c.expression = std::move(expression);
  return c;
}

void find_equations(std::string_view t, std::vector<Claim>& out) {
  size_t chain_end = 0;  // a chain "a = b = c" is one claim
  std::vector<std::string_view> sides;  // (one vector for all: an import reads a million texts)
  for (size_t eq = t.find('='); eq != std::string_view::npos; eq = t.find('=', eq + 1)) {
    if (eq < chain_end) continue;
    const auto lhs = left_side(t, eq);
    if (!lhs) continue;
    sides.assign(1, t.substr(lhs->begin, lhs->end - lhs->begin));
    std::optional<WrittenNumber> value;
    size_t p = eq;
    while (true) {
      const auto s = right_side(t, p + 1);
      if (!s) break;
      if (!s->continues) {
        value = s->number;
        break;
      }
      sides.push_back(t.substr(s->begin, s->end - s->begin));  // "= 36/5 = 7.2": a side in the middle
      p = t.find('=', s->end);
    }
    if (!value) continue;
    Claim c = equation_claim(lhs->begin, *value, without_spaces(sides.front()));
    c.worked = sides.size() > 1;
    bool holds = same_number(lhs->value, *value);
    for (size_t k = 1; k < sides.size() && holds; ++k) {
      const auto v = evaluate(sides[k]);
      holds = v && same_number(*v, *value);
    }
    c.holds = holds;
    out.push_back(std::move(c));
    chain_end = value->end;
  }
}

bool clause_end(std::string_view t, size_t p) {
  const char c = t[p];
  if (c == '!' || c == '?' || c == '\n' || c == ';' || c == '<') return true;
  if (c == '.' && !(p + 1 < t.size() && is_digit(t[p + 1]))) return true;
  const auto rest = t.substr(p);
  return rest.substr(0, 3) == "\xE3\x80\x82" || rest.substr(0, 3) == "\xEF\xBC\x9B" ||  // 。 ；
         rest.substr(0, 3) == "\xEF\xBC\x81" || rest.substr(0, 3) == "\xEF\xBC\x9F";    // ！ ？
}

// Words after a number that make it a retraction, not a conclusion ("So 18 is wrong"),
// after the spaces that follow the number.
constexpr std::array<std::string_view, 9> kRetractedAfter = {
    "was wrong", "is wrong", "was incorrect", "is incorrect", "is not right", "isn't right", "is not correct",
    "\xE6\x98\xAF\xE9\x94\x99\xE7\x9A\x84" /* 是错的 */, "\xE4\xB8\x8D\xE5\xAF\xB9" /* 不对 */};

bool retracted_after(std::string_view lower, size_t p) {
  while (p < lower.size() && lower[p] == ' ') ++p;
  for (const auto w : kRetractedAfter)
    if (lower.substr(p, w.size()) == w) return true;
  return false;
}

struct Marker {
  std::string_view text;
  bool words_between;  // "so the pencils cost 8.40": words may come before the number
};
// Markers of a concluded value. ASCII ones match at a word start.
constexpr std::array<Marker, 26> kConclusionMarkers = {{
    {"so", true},          {"thus", true},        {"therefore", true}, {"hence", true},      {"answer is", false},
    {"it's", false},       {"that's", false},     {"that is", false},
    {"answer:", false},    {"answer =", false},   {"result is", false}, {"total is", false}, {"gives", false},
    {"get", false},        {"equals", false},     {"makes", false},     {"it is", false},
    {"\xE6\x89\x80\xE4\xBB\xA5", true} /* 所以 */, {"\xE5\x9B\xA0\xE6\xAD\xA4", true} /* 因此 */,
    {"\xE7\xAD\x94\xE6\xA1\x88\xE6\x98\xAF", false} /* 答案是 */, {"\xE7\xBB\x93\xE6\x9E\x9C\xE6\x98\xAF", false} /* 结果是 */,
    {"\xE5\xBE\x97\xE5\x88\xB0", false} /* 得到 */, {"\xE5\xBA\x94\xE8\xAF\xA5\xE6\x98\xAF", false} /* 应该是 */,
    {"\xE7\xAD\x89\xE4\xBA\x8E", false} /* 等于 */, {"\xE4\xB8\x80\xE5\x85\xB1", false} /* 一共 */,
    {"\xE6\x98\xAF", false} /* 是 */,
}};
// Words before a number that retract it: "not 7.40", "不是2010".
constexpr std::array<std::string_view, 2> kRetractedBefore = {"not ", "\xE4\xB8\x8D\xE6\x98\xAF"};

// Every marker of a conclusion or a retraction, found in one pass over the text: at each
// position only the markers that start with its two bytes are compared, as the reflection
// lexicon's matcher does (one find() per phrase scanned each text some 35 times).
struct Found {
  enum Kind { Conclusion, RetractedAfter, RetractedBefore } kind;
  int index;  // into its table
  size_t at;
};

std::vector<Found> find_markers(std::string_view lower) {
  struct Entry {
    std::string_view text;
    Found::Kind kind;
    int index;
  };
  static const auto entries = [] {
    std::vector<Entry> e;
    for (size_t i = 0; i < kConclusionMarkers.size(); ++i)
      e.push_back({kConclusionMarkers[i].text, Found::Conclusion, int(i)});
    for (size_t i = 0; i < kRetractedAfter.size(); ++i)
      e.push_back({kRetractedAfter[i], Found::RetractedAfter, int(i)});
    for (size_t i = 0; i < kRetractedBefore.size(); ++i)
      e.push_back({kRetractedBefore[i], Found::RetractedBefore, int(i)});
    return e;
  }();
  static const PrefixIndex index = [] {
    std::vector<std::string_view> keys;
    for (const auto& e : entries) keys.push_back(e.text);
    return PrefixIndex(keys);
  }();
  std::vector<Found> out;
  for (size_t p = 0; p < lower.size(); ++p) {
    // Most bytes start no marker. ASCII words match at a word start ("so" is not in
    // "also"): most letters are not one.
    if (!index.may_start(lower[p]) || (p > 0 && is_letter(lower[p - 1]) && is_letter(lower[p]))) continue;
    index.for_each_match(lower, p, [&](size_t i) {
      const auto& e = entries[i];
      const size_t q = p + e.text.size();
      if (is_letter(e.text.back()) && q < lower.size() && is_letter(lower[q])) return;
      out.push_back({e.kind, e.index, p});
    });
  }
  return out;
}

// With words between a marker and its number ("so the pencils cost 8.40"), the last word
// before the number must say that the number is the value ("so the 3 dozen" is not one).
bool states_a_value(std::string_view lower, size_t from, size_t number) {
  size_t e = number;
  while (e > from && (lower[e - 1] == ' ' || lower[e - 1] == '$' || lower[e - 1] == ':' || lower[e - 1] == ','))
    --e;
  if (e == from) return true;  // no words: "so 1614"
  size_t b = e;
  while (b > from && is_letter(lower[b - 1])) --b;
  static const std::array<std::string_view, 26> verbs = {
      "is", "are", "was", "were", "be", "cost", "costs", "get", "gets", "has", "have", "gives", "makes", "equals", "to",
      "of", "about", "takes", "need", "needs", "leaves", "left", "remain", "remains", "becomes", "total"};
  const auto word = lower.substr(b, e - b);
  if (word.empty()) {
    // Chinese: a verb of being or amount between the marker and the number ("所以还剩 26",
    // "所以现价是原价的 96%", "因此总共 682").
    static const std::array<std::string_view, 9> zh = {
        "\xE6\x98\xAF" /* 是 */, "\xE4\xB8\xBA" /* 为 */, "\xE7\xAD\x89\xE4\xBA\x8E" /* 等于 */,
        "\xE5\x85\xB1" /* 共 */, "\xE5\x89\xA9" /* 剩 */, "\xE5\xBE\x97" /* 得 */, "\xE9\x9C\x80\xE8\xA6\x81" /* 需要 */,
        "\xE6\x9C\x89" /* 有 */, "\xE8\x8A\xB1" /* 花 */};
    const auto between = lower.substr(from, e - from);
    if (between.ends_with("=")) return true;
    return std::any_of(zh.begin(), zh.end(), [&](std::string_view w) { return between.find(w) != std::string_view::npos; });
  }
  return std::find(verbs.begin(), verbs.end(), word) != verbs.end();
}

void add_conclusion(std::string_view t, std::string_view lower, const Marker& m, size_t at,
                    const std::vector<Claim>& equations, std::vector<Claim>& out) {
  size_t p = at + m.text.size();
  const size_t limit = std::min(t.size(), p + (m.words_between ? 40 : 12));
  std::optional<WrittenNumber> n;
  for (; p < limit && !clause_end(t, p); ++p) {
    if (is_digit(t[p]) && (p == 0 || !is_digit(t[p - 1]))) {
      n = number_at(t, p, true);
      break;
    }
    // Only spaces, punctuation and "$" before the number, unless words may come between.
    if (!m.words_between && t[p] != ' ' && t[p] != ':' && t[p] != ',' && t[p] != '$' && t[p] != '=') break;
  }
  if (!n || retracted_after(lower, n->end) || (m.words_between && !states_a_value(lower, at + m.text.size(), n->begin)))
    return;
  const Claim* restated = nullptr;  // "so 144 / 16 = 9" concludes the equation's value
  for (const auto& e : equations)
    if (e.begin == n->begin) restated = &e;
  if (!restated && n->end < t.size() && is_letter(t[n->end])) return;  // "so 4x = 24": a term, not a value
  size_t next = n->end;
  while (next < t.size() && t[next] == ' ') ++next;
  if (!restated && next < t.size() && (t[next] == '=' || (operator_at(t, next) && t[next] != 'x' && t[next] != 'X')))
    return;  // "so 9 + w = 15": an expression, not a value
  Claim c;
  c.kind = ClaimKind::Conclusion;
  c.begin = at;
  c.end = n->end;
  c.value_begin = n->begin;
  c.value = n->text;
  if (restated) c.end = restated->end, c.value_begin = restated->value_begin, c.value = restated->value;
  out.push_back(std::move(c));
}

// "622 was wrong", "18 is wrong", "2010是错的": the number before the words.
void add_retraction_after(std::string_view t, std::string_view w, size_t at, std::vector<Claim>& out) {
  size_t e = at;
  while (e > 0 && t[e - 1] == ' ') --e;
  size_t b = e;
  while (b > 0 && (is_digit(t[b - 1]) || t[b - 1] == '.' || t[b - 1] == '/' ||
                   (t[b - 1] == ',' && b >= 2 && is_digit(t[b - 2]))))  // "2,135 was wrong"
    --b;
  if (b > 0 && t[b - 1] == '-') --b;
  auto n = number_at(t, b, true);
  if (b == e || !n || n->end != e) return;
  out.push_back({ClaimKind::Retraction, b, at + w.size(), b, n->text, "", std::nullopt, std::nullopt});
}

// "not 7.40", "不是2010": the number after the words.
void add_retraction_before(std::string_view t, std::string_view w, size_t at, std::vector<Claim>& out) {
  size_t p = at + w.size();
  while (p < t.size() && (t[p] == ' ' || t[p] == '$')) ++p;
  auto n = number_at(t, p, true);
  if (!n) return;
  out.push_back({ClaimKind::Retraction, at, n->end, n->begin, n->text, "", std::nullopt, std::nullopt});
}

void find_conclusions_and_retractions(std::string_view t, std::string_view lower, std::vector<Claim>& claims) {
  std::vector<Claim> found;  // (claims holds the equations so far)
  for (const auto& f : find_markers(lower)) {
    if (f.kind == Found::Conclusion)
      add_conclusion(t, lower, kConclusionMarkers[f.index], f.at, claims, found);
    else if (f.kind == Found::RetractedAfter)
      add_retraction_after(t, kRetractedAfter[f.index], f.at, found);
    else
      add_retraction_before(t, kRetractedBefore[f.index], f.at, found);
  }
  for (auto& c : found) claims.push_back(std::move(c));
}

// "x = 5", "w = 6": a value given to a variable concludes it.
void find_assignments(std::string_view t, std::vector<Claim>& out) {
  for (size_t eq = t.find('='); eq != std::string_view::npos; eq = t.find('=', eq + 1)) {
    size_t v = eq;
    while (v > 0 && t[v - 1] == ' ') --v;
    if (v == 0 || !is_letter(t[v - 1]) || (v >= 2 && (is_letter(t[v - 2]) || is_digit(t[v - 2]) || t[v - 2] == '-')))
      continue;  // ("-x = -4" states -x, not x)
    size_t p = eq + 1;
    while (p < t.size() && t[p] == ' ') ++p;
    auto n = number_at(t, p, true);
    if (!n) continue;
    size_t next = n->end;
    while (next < t.size() && t[next] == ' ') ++next;
    if (next < t.size() && (t[next] == '=' || operator_at(t, next))) continue;  // "x = 27 / 3 = 9"
    out.push_back({ClaimKind::Conclusion, v - 1, n->end, n->begin, n->text, "", std::nullopt, std::nullopt});
  }
}

// Units a conversion can state, with their size in the smallest unit of their kind.
struct Unit {
  std::string_view name;
  char kind;  // m(ass) l(ength) t(ime) v(olume) c(urrency)
  double size;
};
constexpr std::array<Unit, 42> kUnits = {{
    {"kg", 'm', 1e6}, {"g", 'm', 1e3}, {"mg", 'm', 1}, {"\xE5\x85\xAC\xE6\x96\xA4" /* 公斤 */, 'm', 1e6},
    {"\xE5\x8D\x83\xE5\x85\x8B" /* 千克 */, 'm', 1e6}, {"\xE5\x85\x8B" /* 克 */, 'm', 1e3},
    {"km", 'l', 1e6}, {"m", 'l', 1e3}, {"cm", 'l', 10}, {"mm", 'l', 1}, {"\xE5\x85\xAC\xE9\x87\x8C" /* 公里 */, 'l', 1e6},
    {"\xE5\x8D\x83\xE7\xB1\xB3" /* 千米 */, 'l', 1e6}, {"\xE7\xB1\xB3" /* 米 */, 'l', 1e3},
    {"\xE5\x8E\x98\xE7\xB1\xB3" /* 厘米 */, 'l', 10}, {"\xE5\x88\x86\xE7\xB1\xB3" /* 分米 */, 'l', 100},
    {"\xE6\xAF\xAB\xE7\xB1\xB3" /* 毫米 */, 'l', 1},
    {"hours", 't', 3600}, {"hour", 't', 3600}, {"hrs", 't', 3600}, {"hr", 't', 3600}, {"h", 't', 3600},
    {"\xE5\xB0\x8F\xE6\x97\xB6" /* 小时 */, 't', 3600}, {"minutes", 't', 60}, {"minute", 't', 60}, {"min", 't', 60},
    {"\xE5\x88\x86\xE9\x92\x9F" /* 分钟 */, 't', 60}, {"seconds", 't', 1}, {"second", 't', 1}, {"s", 't', 1},
    {"\xE7\xA7\x92" /* 秒 */, 't', 1}, {"days", 't', 86400}, {"day", 't', 86400}, {"\xE5\xA4\xA9" /* 天 */, 't', 86400},
    {"liters", 'v', 1000}, {"litres", 'v', 1000}, {"l", 'v', 1000}, {"ml", 'v', 1},
    {"\xE5\x8D\x87" /* 升 */, 'v', 1000}, {"\xE6\xAF\xAB\xE5\x8D\x87" /* 毫升 */, 'v', 1},
    {"dollars", 'c', 100}, {"cents", 'c', 1}, {"\xE5\x85\x83" /* 元 */, 'c', 100},
}};

// The unit written at `p` (after spaces), or nothing; the longest name that ends a word.
std::optional<std::pair<Unit, size_t>> unit_at(std::string_view lower, size_t p) {
  while (p < lower.size() && lower[p] == ' ') ++p;
  std::optional<std::pair<Unit, size_t>> best;
  for (const auto& u : kUnits) {
    if (lower.substr(p, u.name.size()) != u.name) continue;
    const size_t end = p + u.name.size();
    if (is_letter(u.name.back()) && end < lower.size() && is_letter(lower[end])) continue;
    if (!best || u.name.size() > best->first.name.size()) best = {{u, end}};
  }
  return best;
}

// "3.2 公斤 = 3200 克", "1.5 hours = 90 minutes": a conversion states a value whose role
// is the left number times the ratio of the units ("3.2*1000"), so that a restated
// conversion is the same expression and a wrong one ("= 320 克") does not hold.
void find_conversions(std::string_view t, std::string_view lower, std::vector<Claim>& out) {
  for (size_t eq = t.find('='); eq != std::string_view::npos; eq = t.find('=', eq + 1)) {
    // The unit just before '=', then the number before it. (Most '=' follow a digit or an
    // operator: no unit, nothing to look up.)
    size_t u_end = eq;
    while (u_end > 0 && t[u_end - 1] == ' ') --u_end;
    if (u_end == 0 || !(is_letter(t[u_end - 1]) || static_cast<unsigned char>(t[u_end - 1]) >= 0x80)) continue;
    size_t n_end = u_end;
    std::optional<std::pair<Unit, size_t>> from;
    for (size_t back = std::min<size_t>(12, u_end); back >= 1 && !from; --back) {  // the longest name first
      const auto u = unit_at(lower, u_end - back);
      if (u && u->second == u_end) {
        from = u;
        n_end = u_end - back;
      }
    }
    if (!from) continue;
    while (n_end > 0 && t[n_end - 1] == ' ') --n_end;
    size_t n_begin = n_end;
    while (n_begin > 0 && (is_digit(t[n_begin - 1]) || t[n_begin - 1] == '.' || t[n_begin - 1] == ',')) --n_begin;
    const auto left = number_at(t, n_begin, true);
    if (n_begin == n_end || !left || left->end != n_end) continue;
    size_t p = eq + 1;
    while (p < t.size() && t[p] == ' ') ++p;
    const auto right = number_at(t, p, true);
    if (!right) continue;
    const auto to = unit_at(lower, right->end);
    if (!to || to->first.kind != from->first.kind || to->first.size == from->first.size) continue;
    Claim c = equation_claim(left->begin, *right, left->text + "*" + format_number(from->first.size / to->first.size));
    c.holds = same_number(left->value * from->first.size / to->first.size, *right);
    out.push_back(std::move(c));
  }
}

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\n')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\n' || s[e - 1] == '.')) --e;
  return std::string(s.substr(b, e - b));
}

// <answer>X</answer> and \boxed{X}: the whole content, or its number when it is one.
void find_answers(std::string_view t, std::vector<Claim>& out) {
  auto add = [&](size_t begin, size_t content, size_t content_end, size_t end) {
    const std::string body = trim(t.substr(content, content_end - content));
    if (body.empty()) return;
    const size_t lead = t.substr(content, content_end - content).find(body.front());
    Claim c;
    c.kind = ClaimKind::Answer;
    c.begin = begin;
    c.end = end;
    c.value_begin = content + lead;
    auto n = number_at(body, 0, true);
    c.value = n && n->end == body.size() ? n->text : body;
    // An expression as the answer (Countdown's "25 + 19 + 3"): its value, and the
    // expression for a judge that reads it.
    if (!(n && n->end == body.size()) && has_operator(body))
      if (const auto v = evaluate(body)) c.value = format_number(*v), c.expression = without_spaces(body);
    out.push_back(std::move(c));
  };
  for (size_t at = t.find("\\boxed{"); at != std::string_view::npos; at = t.find("\\boxed{", at + 1)) {
    const size_t close = t.find('}', at);
    if (close != std::string_view::npos) add(at, at + 7, close, close + 1);
  }
  const size_t open = t.find("<answer>");
  if (open != std::string_view::npos) {
    const size_t close = std::min(t.find("</answer>", open), t.size());
    add(open, open + 8, close, std::min(t.size(), close + 9));
  }
}

}  // namespace

const char* to_string(ClaimKind k) {
  switch (k) {
    case ClaimKind::Equation: return "equation";
    case ClaimKind::Conclusion: return "conclusion";
    case ClaimKind::Retraction: return "retraction";
    case ClaimKind::Answer: return "answer";
  }
  return "?";
}

const Claim* AnswerTrajectory::candidate_before(size_t pos) const {
  const Claim* last_equation = nullptr;
  const Claim* last_candidate = nullptr;
  for (const auto& c : claims) {
    if (c.end > pos) break;
    if (c.candidate()) last_candidate = &c;
    if (c.kind == ClaimKind::Equation) last_equation = &c;
  }
  return last_candidate ? last_candidate : last_equation;
}

const Claim* AnswerTrajectory::final_answer() const {
  for (auto it = claims.rbegin(); it != claims.rend(); ++it)
    if (it->kind == ClaimKind::Answer) return &*it;
  return nullptr;
}

AnswerJudge numeric_judge(std::string_view reference) {
  auto ref = number_at(reference, 0, true);
  if (!ref || ref->end != reference.size()) return {};
  const double want = ref->value;
  return [want](std::string_view value, std::string_view) -> std::optional<bool> {
    auto n = number_at(value, 0, true);
    if (!n || n->end != value.size()) return false;
    return std::abs(n->value - want) <= 1e-6 * std::max(1.0, std::abs(want));
  };
}

AnswerTrajectory answer_trajectory(std::string_view text, const AnswerJudge& judge, std::string_view lowered) {
  AnswerTrajectory tr;
  tr.claims.reserve(64);
  const std::string own = lowered.empty() ? lower_ascii(text) : std::string();
  const std::string_view lower = lowered.empty() ? std::string_view(own) : lowered;
  find_equations(text, tr.claims);
  find_conclusions_and_retractions(text, lower, tr.claims);
  find_assignments(text, tr.claims);
  find_conversions(text, lower, tr.claims);
  find_answers(text, tr.claims);
  std::vector<size_t> order(tr.claims.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return tr.claims[a].value_begin < tr.claims[b].value_begin; });
  // One claim per written value: a conclusion that restates an equation ("so 144 / 16 =
  // 9") keeps the conclusion; a retraction wins over a conclusion of the same number.
  std::vector<Claim> unique;
  unique.reserve(order.size());
  for (const size_t i : order) {
    auto& c = tr.claims[i];
    if (!unique.empty() && unique.back().value_begin == c.value_begin) {
      auto rank = [](ClaimKind k) { return k == ClaimKind::Retraction ? 3 : k == ClaimKind::Conclusion ? 2 : 1; };
      if (rank(c.kind) > rank(unique.back().kind)) {
        if (c.expression.empty()) c.expression = unique.back().expression, c.holds = unique.back().holds;
        unique.back() = std::move(c);
      }
      continue;
    }
    unique.push_back(std::move(c));
  }
  tr.claims = std::move(unique);
  if (judge)
    for (auto& c : tr.claims)
      if (c.candidate()) c.right = judge(c.value, c.expression);
  return tr;
}

}  // namespace aha
