#include "core/analysis/arithmetic.h"

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace aha {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// An operator or parenthesis at `pos`: its symbol in ASCII and its length in bytes.
std::pair<char, size_t> symbol_at(std::string_view t, size_t pos) {
  const char c = t[pos];
  if (c == '*' && pos + 1 < t.size() && t[pos + 1] == '*') return {'^', 2};  // 2**5
  if (c == '!') return {'!', 1};                                             // 5!
  if (t.substr(pos, 2) == "of") return {'*', 2};                             // 25% of 24
  if (c == '+' || c == '-' || c == '*' || c == '/' || c == '(' || c == ')' || c == 'x' || c == 'X' || c == '^')
    return {c == 'X' ? 'x' : c, 1};
  const std::string_view rest = t.substr(pos);
  if (rest.substr(0, 2) == "\xC2\xB2" || rest.substr(0, 2) == "\xC2\xB3") return {rest[1] == '\xB2' ? '2' : '3', 2};  // ² ³
  if (rest.substr(0, 2) == "\xC3\x97" || rest.substr(0, 2) == "\xC2\xB7") return {'*', 2};  // × ·
  if (rest.substr(0, 2) == "\xC3\xB7") return {'/', 2};                                   // ÷
  if (rest.substr(0, 3) == "\xE2\x88\x92") return {'-', 3};                               // −
  return {0, 0};
}

struct Token {
  char op = 0;  // 0: a number
  double value = 0;
};

// Tokens in a fixed buffer: expressions in text are short, and evaluate() runs for every
// equation of every sample.
struct Tokens {
  std::array<Token, 64> items;
  size_t n = 0;
  bool empty() const { return n == 0; }
  size_t size() const { return n; }
  Token& back() { return items[n - 1]; }
  const Token& operator[](size_t i) const { return items[i]; }
  bool push_back(Token t) {
    if (n == items.size()) return false;
    items[n++] = t;
    return true;
  }
};

std::optional<Tokens> tokenize(std::string_view t) {
  Tokens out;
  for (size_t p = 0; p < t.size();) {
    if (t[p] == ' ') {
      ++p;
      continue;
    }
    if (is_digit(t[p])) {
      // "5/36" written tight is one number: "1 ÷ 5/36" divides by the fraction.
      auto n = number_at(t, p, /*fractions=*/true);
      if (!n) return std::nullopt;
      if (!out.push_back({0, n->value})) return std::nullopt;
      p = n->end;
      continue;
    }
    auto [op, len] = symbol_at(t, p);
    if (!op) return std::nullopt;
    if (op == '!') {  // a factorial of the whole number before it
      if (out.empty() || out.back().op != 0 || out.back().value != std::floor(out.back().value) ||
          out.back().value < 0 || out.back().value > 20)
        return std::nullopt;
      double f = 1;
      for (int k = 2; k <= int(out.back().value); ++k) f *= k;
      out.back().value = f;
      p += len;
      continue;
    }
    if (op == '2' || op == '3') {  // a superscript: a power of what comes before
      if (out.empty() || (out.back().op != 0 && out.back().op != ')')) return std::nullopt;
      if (!out.push_back({'^', 0}) || !out.push_back({0, double(op - '0')})) return std::nullopt;
      p += len;
      continue;
    }
    // "5(7)" and "(2)(3)" multiply.
    if (op == '(' && !out.empty() && (out.back().op == 0 || out.back().op == ')') && !out.push_back({'*', 0}))
      return std::nullopt;
    if (op == 'x') {  // "3 x 4" multiplies; a letter x elsewhere is a variable
      if (out.empty() || out.back().op != 0) return std::nullopt;
      op = '*';
    }
    if (!out.push_back({op, 0})) return std::nullopt;
    p += len;
  }
  return out;
}

// expr := term (('+'|'-') term)*; term := factor (('*'|'/') factor)*;
// factor := '-' factor | power; power := primary ('^' factor)?; primary := number | '(' expr ')'
// (so -2^2 is -4 and 2^-1 is 0.5, as written mathematics reads them)
struct Parser {
  const Tokens& tokens;
  size_t i = 0;
  bool ok = true;

  bool at(char op) const { return i < tokens.size() && tokens[i].op == op; }
  double expr() {
    double v = term();
    while (ok && (at('+') || at('-'))) v = tokens[i++].op == '+' ? v + term() : v - term();
    return v;
  }
  double term() {
    double v = factor();
    while (ok && (at('*') || at('/'))) {
      const bool divide = tokens[i++].op == '/';
      const double f = factor();
      if (divide && f == 0) ok = false;
      v = divide ? v / f : v * f;
    }
    return v;
  }
  double factor() {
    if (i >= tokens.size()) return ok = false, 0;
    if (at('-')) return ++i, -factor();
    const double base = primary();
    if (!ok || !at('^')) return base;
    ++i;
    const double exponent = factor();
    if (std::abs(exponent) > 64) return ok = false, 0;  // "10^100" is not arithmetic the text did
    return std::pow(base, exponent);
  }
  double primary() {
    if (i >= tokens.size()) return ok = false, 0;
    if (at('(')) {
      ++i;
      const double v = expr();
      if (!at(')')) return ok = false, 0;
      ++i;
      return v;
    }
    if (tokens[i].op != 0) return ok = false, 0;
    return tokens[i++].value;
  }
};

}  // namespace

std::optional<WrittenNumber> number_at(std::string_view t, size_t pos, bool fractions) {
  if (pos >= t.size()) return std::nullopt;
  size_t p = pos;
  // "-3" and "−3" (U+2212, as typeset mathematics writes it).
  const size_t sign = t[p] == '-' ? 1 : t.substr(p, 3) == "\xE2\x88\x92" ? 3 : 0;
  const bool negative = sign > 0 && p + sign < t.size() && is_digit(t[p + sign]);
  if (negative) p += sign;
  if (p >= t.size() || !is_digit(t[p])) return std::nullopt;
  // One scan; the text is copied once, and built only when separators are dropped (rare).
  size_t group = 0, digits = 0;
  bool separated = false;
  double integer = 0;  // exact up to 15 digits
  while (p < t.size()) {
    if (is_digit(t[p])) {
      integer = integer * 10 + (t[p++] - '0');
      ++group, ++digits;
    } else if (t[p] == ',' && group >= 1 && group <= 3 && p + 3 < t.size() && is_digit(t[p + 1]) &&
               is_digit(t[p + 2]) && is_digit(t[p + 3]) && (p + 4 == t.size() || !is_digit(t[p + 4]))) {
      ++p;  // a thousands separator: "1,200" (a list "3, 7" has a space)
      group = 0;
      separated = true;
    } else {
      break;
    }
  }
  WrittenNumber n;
  n.begin = pos;
  if (p + 1 < t.size() && t[p] == '.' && is_digit(t[p + 1])) {
    ++p;
    while (p < t.size() && is_digit(t[p])) ++p, ++n.decimals;
  }
  if (negative) n.text = "-";
  const size_t digits_from = negative ? pos + sign : pos;
  if (!separated) {
    n.text.append(t.substr(digits_from, p - digits_from));
  } else {
    for (size_t i = digits_from; i < p; ++i)
      if (t[i] != ',') n.text += t[i];
  }
  if (n.decimals == 0 && digits <= 15) {  // integers exactly, without strtod
    n.value = negative ? -integer : integer;
  } else {
    n.value = std::strtod(n.text.c_str(), nullptr);
  }
  if (fractions && n.decimals == 0 && !negative && !separated && integer <= 24 && p + 2 < t.size() && t[p] == ':' &&
      is_digit(t[p + 1]) && is_digit(t[p + 2]) && t[p + 1] <= '5' && (p + 3 == t.size() || !is_digit(t[p + 3]))) {
    // A clock time, "7:38": minutes since midnight, so that times subtract ("7:40 − 7:38 = 2").
    n.text.append(t.substr(p, 3));
    n.value = integer * 60 + (t[p + 1] - '0') * 10 + (t[p + 2] - '0');
    p += 3;
  } else if (fractions && n.decimals == 0 && p + 1 < t.size() && t[p] == '/' && is_digit(t[p + 1])) {
    auto d = number_at(t, p + 1);
    if (d && d->decimals == 0 && d->value != 0) {
      n.text += "/" + d->text;
      n.value /= d->value;
      p = d->end;
    }
  } else if (fractions && n.decimals == 0 && !separated && p + 1 < t.size() && t[p] == ' ' && is_digit(t[p + 1])) {
    // A mixed number, "4 1/4": a proper fraction after the whole part.
    auto num = number_at(t, p + 1);
    if (num && num->decimals == 0 && num->end + 1 < t.size() && t[num->end] == '/' && is_digit(t[num->end + 1])) {
      auto den = number_at(t, num->end + 1);
      if (den && den->decimals == 0 && den->value > num->value && num->value > 0 &&
          (den->end == t.size() || !is_digit(t[den->end]))) {
        n.text += " " + num->text + "/" + den->text;
        n.value += (negative ? -1 : 1) * num->value / den->value;
        p = den->end;
      }
    }
  }
  if (p < t.size() && t[p] == '%') {  // 50% is 0.5: the value, as the doc compares values
    n.text += '%';
    n.value /= 100;
    n.percent = true;
    ++p;
  }
  n.end = p;
  return n;
}

std::optional<double> evaluate(std::string_view expr) {
  const auto tokens = tokenize(expr);
  if (!tokens || tokens->empty()) return std::nullopt;
  Parser parser{*tokens};
  const double v = parser.expr();
  if (!parser.ok || parser.i != tokens->size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

bool same_number(double computed, const WrittenNumber& stated) {
  if (stated.decimals == 0 && stated.text.find('/') == std::string::npos)
    return std::abs(computed - stated.value) <= 1e-9 * std::max(1.0, std::abs(computed));
  const double half_unit =
      stated.decimals > 0 ? 0.5 * std::pow(10.0, -stated.decimals) / (stated.percent ? 100 : 1) : 1e-9;
  return std::abs(computed - stated.value) <= half_unit + 1e-9 * std::abs(computed);
}

std::string format_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", std::abs(v) < 1e-12 ? 0.0 : v);
  return buf;
}

bool same_value(std::string_view a, std::string_view b) {
  if (a == b) return true;
  auto x = number_at(a, 0, true), y = number_at(b, 0, true);
  return x && y && x->end == a.size() && y->end == b.size() &&
         std::abs(x->value - y->value) <= 1e-9 * std::max(1.0, std::abs(x->value));
}

}  // namespace aha
