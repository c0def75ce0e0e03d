#include "core/tasks/arithmetic_task.h"

#include <charconv>
#include <vector>


namespace aha {

Problem ArithmeticTask::sample(std::mt19937_64& rng) const {
  std::uniform_int_distribution<int> nterms(opt_.min_terms, opt_.max_terms);
  std::uniform_int_distribution<int> value(opt_.min_value, opt_.max_value);
  Problem p;
  const int n = nterms(rng);
  long sum = 0;
  for (int i = 0; i < n; ++i) {
    int v = value(rng);
    p.numbers.push_back(v);
    sum += v;
    p.question += (i ? "+" : "") + std::to_string(v);
  }
  p.question += "=";
  p.reference = std::to_string(sum);
  return p;
}

bool ArithmeticTask::is_correct(const Problem& p, std::string_view answer) const {
  while (!answer.empty() && answer.front() == ' ') answer.remove_prefix(1);
  while (!answer.empty() && answer.back() == ' ') answer.remove_suffix(1);
  long v = 0;
  auto [end, ec] = std::from_chars(answer.data(), answer.data() + answer.size(), v);
  return ec == std::errc() && end == answer.data() + answer.size() && std::to_string(v) == p.reference;
}

std::string ArithmeticTask::column_check(long a, long b) {
  std::string out;
  int carry = 0;
  while (a > 0 || b > 0) {
    const int da = a % 10, db = b % 10;
    // Terms of this column: the digits that exist, then the carry.
    std::vector<int> terms;
    if (a > 0) terms.push_back(da);
    if (b > 0) terms.push_back(db);
    if (carry) terms.push_back(carry);
    int sum = 0;
    if (!out.empty()) out += ' ';
    for (size_t i = 0; i < terms.size(); ++i) {
      if (i) out += '+';
      out += std::to_string(terms[i]);
      sum += terms[i];
    }
    out += '=';
    out += std::to_string(sum);
    carry = sum / 10;
    a /= 10;
    b /= 10;
  }
  return out;  // the last column writes its full sum, carry included
}

long ArithmeticTask::mistaken_sum(long a, long b, std::mt19937_64& rng) {
  const long right = a + b;
  for (int attempt = 0; attempt < 8; ++attempt) {
    long wrong = right;
    std::string digits = std::to_string(right);
    std::uniform_int_distribution<size_t> pos(0, digits.size() - 1);
    const size_t i = pos(rng);
    const long place = [&] { long p = 1; for (size_t k = i + 1; k < digits.size(); ++k) p *= 10; return p; }();
    switch (rng() % 3) {
      case 0: wrong = right - place; break;   // a carry dropped into this column
      case 1: wrong = right + place; break;   // an extra carry
      default: wrong = right + (rng() % 2 ? place : -place) * (1 + long(rng() % 2)); break;
    }
    if (wrong > 0 && wrong != right) return wrong;
  }
  return right + 1;
}

std::pair<std::string, std::string> ArithmeticTask::worked_solution(const Problem& p, const SolutionStyle& style,
                                                                    std::mt19937_64& rng) const {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::string think;
  // Checking is a habit of the whole solution, as in a base model's text: a solution
  // either checks every step or none, so the choice to check is made once, up front.
  const bool checking = u(rng) < style.check_rate;
  long acc = p.numbers.at(0);
  for (size_t i = 1; i < p.numbers.size(); ++i) {
    const long b = p.numbers[i], right = acc + b;
    const long stated = u(rng) < style.mistake_rate ? mistaken_sum(acc, b, rng) : right;
    const std::string step = std::to_string(acc) + "+" + std::to_string(b);
    if (!think.empty()) think += ' ';
    think += step + "=" + std::to_string(stated);
    long carried = stated;
    if (checking) {
      // The check always restates its own result and the solution carries on with it,
      // so using a check needs no comparison, only the column facts and a copy.
      think += " check " + column_check(acc, b) + " so " + std::to_string(right);
      if (stated != right) think += " wait, " + std::to_string(stated) + " was wrong";
      carried = right;
    }
    acc = carried;
  }
  return {think, std::to_string(acc)};
}

}  // namespace aha
