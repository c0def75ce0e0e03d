#include "core/tasks/countdown_task.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <numeric>

namespace aha {

namespace {

struct Fraction {
  long n = 0, d = 1;
};

Fraction reduce(long n, long d) {
  if (d < 0) n = -n, d = -d;
  long g = std::gcd(n < 0 ? -n : n, d);
  return g ? Fraction{n / g, d / g} : Fraction{0, 1};
}

// Recursive-descent parser: expr := term (('+'|'-') term)*; term := factor (('*'|'/') factor)*;
// factor := number | '(' expr ')'.
class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}
  CountdownTask::Evaluation run() {
    CountdownTask::Evaluation ev;
    try {
      Fraction f = expr();
      skip();
      if (pos_ < s_.size() && s_[pos_] != '=') throw std::runtime_error("unexpected '" + std::string(1, s_[pos_]) + "'");
      ev.ok = true;
      ev.num = f.n;
      ev.den = f.d;
    } catch (const std::exception& e) {
      ev.error = e.what();
    }
    ev.numbers_used = used_;
    return ev;
  }

 private:
  void skip() {
    while (pos_ < s_.size() && s_[pos_] == ' ') ++pos_;
  }
  bool eat(char c) {
    skip();
    if (pos_ < s_.size() && s_[pos_] == c) return ++pos_, true;
    return false;
  }
  Fraction expr() {
    Fraction a = term();
    for (;;) {
      if (eat('+')) { Fraction b = term(); a = reduce(a.n * b.d + b.n * a.d, a.d * b.d); }
      else if (eat('-')) { Fraction b = term(); a = reduce(a.n * b.d - b.n * a.d, a.d * b.d); }
      else return a;
    }
  }
  Fraction term() {
    Fraction a = factor();
    for (;;) {
      if (eat('*')) { Fraction b = factor(); a = reduce(a.n * b.n, a.d * b.d); }
      else if (eat('/')) {
        Fraction b = factor();
        if (b.n == 0) throw std::runtime_error("division by zero");
        a = reduce(a.n * b.d, a.d * b.n);
      } else return a;
    }
  }
  Fraction factor() {
    if (++depth_ > 64) throw std::runtime_error("expression nested too deeply");
    if (eat('(')) {
      Fraction f = expr();
      if (!eat(')')) throw std::runtime_error("missing ')'");
      --depth_;
      return f;
    }
    skip();
    size_t start = pos_;
    while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    if (start == pos_) throw std::runtime_error("expected a number");
    if (pos_ - start > 6) throw std::runtime_error("number too long");
    int v = std::stoi(std::string(s_.substr(start, pos_ - start)));
    used_.push_back(v);
    --depth_;
    return {v, 1};
  }
  std::string_view s_;
  size_t pos_ = 0;
  int depth_ = 0;
  std::vector<int> used_;
};

}  // namespace

CountdownTask::Evaluation CountdownTask::evaluate(std::string_view expression) {
  // Models write × ÷ − · as often as * / -: the same operators.
  std::string ascii;
  for (size_t i = 0; i < expression.size(); ++i) {
    const auto rest = expression.substr(i);
    if (rest.starts_with("\xC3\x97") || rest.starts_with("\xC2\xB7")) ascii += '*', ++i;
    else if (rest.starts_with("\xC3\xB7")) ascii += '/', ++i;
    else if (rest.starts_with("\xE2\x88\x92")) ascii += '-', i += 2;
    else ascii += expression[i];
  }
  return Parser(ascii).run();
}

Problem CountdownTask::sample(std::mt19937_64& rng) const {
  // Combine the numbers in a random order with random operations until an integer target
  // in range comes out, so that every problem has at least one solution.
  std::uniform_int_distribution<int> small(1, 25);
  for (;;) {
    Problem p;
    for (int i = 0; i < opt_.countdown_numbers; ++i) p.numbers.push_back(small(rng));
    std::vector<int> order = p.numbers;
    std::shuffle(order.begin(), order.end(), rng);
    const int used = 2 + static_cast<int>(rng() % (order.size() - 1));
    long value = order[0];
    bool ok = true;
    for (int i = 1; i < used && ok; ++i) {
      switch (rng() % 4) {
        case 0: value += order[i]; break;
        case 1: value -= order[i]; break;
        case 2: value *= order[i]; break;
        default:
          if (order[i] != 0 && value % order[i] == 0) value /= order[i];
          else value += order[i];
      }
      ok = value > 0 && value <= opt_.countdown_max_target;
    }
    if (!ok) continue;
    p.target = static_cast<int>(value);
    p.reference = std::to_string(value);
    p.question = "Use";
    for (int v : p.numbers) p.question += " " + std::to_string(v);
    p.question += " to make " + p.reference + ".";
    return p;
  }
}

bool CountdownTask::is_correct(const Problem& p, std::string_view answer) const {
  auto ev = evaluate(answer);
  if (!ev.ok || ev.den != 1 || ev.num != p.target) return false;
  std::vector<int> pool = p.numbers;
  for (int v : ev.numbers_used) {
    auto it = std::find(pool.begin(), pool.end(), v);
    if (it == pool.end()) return false;  // reused or not among the given numbers
    pool.erase(it);
  }
  return true;
}

std::pair<std::string, std::string> CountdownTask::worked_solution(const Problem& p, const SolutionStyle& style,
                                                                   std::mt19937_64& rng) const {
  // A small exhaustive search over pairs, written as the steps of the found solution.
  struct Item { long v; std::string expr; };
  std::function<bool(std::vector<Item>&, std::string&, std::string&)> search =
      [&](std::vector<Item>& items, std::string& steps, std::string& answer) -> bool {
    for (const auto& it : items)
      if (it.v == p.target) { answer = it.expr; return true; }
    for (size_t i = 0; i < items.size(); ++i)
      for (size_t j = 0; j < items.size(); ++j) {
        if (i == j) continue;
        const Item a = items[i], b = items[j];
        const std::pair<char, long> ops[] = {{'+', a.v + b.v}, {'-', a.v - b.v}, {'*', a.v * b.v},
                                             {'/', (b.v && a.v % b.v == 0) ? a.v / b.v : -1}};
        for (auto [op, v] : ops) {
          if (v <= 0 || v > 10000) continue;
          std::vector<Item> next;
          for (size_t k = 0; k < items.size(); ++k)
            if (k != i && k != j) next.push_back(items[k]);
          next.push_back({v, "(" + a.expr + op + b.expr + ")"});
          std::string more = steps + (steps.empty() ? "" : " ") + std::to_string(a.v) + op + std::to_string(b.v) + "=" + std::to_string(v);
          if (search(next, more, answer)) { steps = more; return true; }
        }
      }
    return false;
  };
  std::vector<Item> items;
  for (int v : p.numbers) items.push_back({v, std::to_string(v)});
  std::string steps, answer;
  (void)style;
  (void)rng;
  if (!search(items, steps, answer)) return {"no solution found", "0"};
  if (answer.size() > 2 && answer.front() == '(' && answer.back() == ')') answer = answer.substr(1, answer.size() - 2);
  return {steps, answer};
}

}  // namespace aha
