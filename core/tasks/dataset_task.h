#pragma once
// Problems drawn (seeded, uniformly) from a data file. Question/answer records are
// checked by numeric or text match; Countdown records by the Countdown verifier.
#include <memory>

#include "core/tasks/dataset_file.h"

namespace aha {

class DatasetTask : public Task {
 public:
  // Loads options.data_file; skipped lines are logged (file:line) as warnings.
  explicit DatasetTask(const TaskOptions& options);
  std::string name() const override { return opt_.name; }
  Problem sample(std::mt19937_64& rng) const override;
  bool is_correct(const Problem& p, std::string_view answer) const override;
  // Files hold no worked solutions: pretraining needs a generated task.
  std::pair<std::string, std::string> worked_solution(const Problem& p, const SolutionStyle& style,
                                                      std::mt19937_64& rng) const override;
  size_t size() const { return problems_.size(); }

 private:
  TaskOptions opt_;
  std::vector<Problem> problems_;
  std::unique_ptr<Task> verifier_;  // countdown records; null for question/answer
};

}  // namespace aha
