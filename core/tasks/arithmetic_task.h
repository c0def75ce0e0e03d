#pragma once
#include "core/tasks/task.h"

namespace aha {

// Sums of several integers, solved left to right as partial sums ("347+285=632 632+419=1051").
// A check recomputes one step column by column, least significant digit first, each
// column a one-digit fact with its carry, and restates the result:
// "check 7+5=12 4+8+1=13 3+2+1=6 so 632"; when the stated result was wrong it adds
// "wait, 622 was wrong". The solution always carries on with the checked result.
class ArithmeticTask : public Task {
 public:
  explicit ArithmeticTask(const TaskOptions& o) : opt_(o) {}
  std::string name() const override { return "arithmetic"; }
  Problem sample(std::mt19937_64& rng) const override;
  bool is_correct(const Problem& p, std::string_view answer) const override;
  std::pair<std::string, std::string> worked_solution(const Problem& p, const SolutionStyle& style,
                                                      std::mt19937_64& rng) const override;

  // "7+5=12 4+8+1=13 3+2+1=6" for 347+285: the column-by-column recomputation.
  static std::string column_check(long a, long b);
  // A plausible slip for a+b: a dropped or extra carry, or one digit off by one.
  static long mistaken_sum(long a, long b, std::mt19937_64& rng);

 private:
  TaskOptions opt_;
};

}  // namespace aha
