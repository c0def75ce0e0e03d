#pragma once
#include <optional>

#include "core/tasks/task.h"

namespace aha {

// Reach the target with the given numbers, each used at most once, and + - * /.
// The verifier parses and evaluates the equation itself (exact rational arithmetic):
// a reused or foreign number, a division by zero or a syntax error is simply wrong.
class CountdownTask : public Task {
 public:
  explicit CountdownTask(const TaskOptions& o) : opt_(o) {}
  std::string name() const override { return "countdown"; }
  Problem sample(std::mt19937_64& rng) const override;
  bool is_correct(const Problem& p, std::string_view answer) const override;
  bool answers_are_expressions() const override { return true; }
  std::pair<std::string, std::string> worked_solution(const Problem& p, const SolutionStyle& style,
                                                      std::mt19937_64& rng) const override;

  struct Evaluation {
    bool ok = false;
    long num = 0, den = 1;  // the value, as a reduced fraction
    std::vector<int> numbers_used;
    std::string error;
  };
  // Parses "(25-3)*5" (an optional "... = value" tail is ignored).
  static Evaluation evaluate(std::string_view expression);

 private:
  TaskOptions opt_;
};

}  // namespace aha
