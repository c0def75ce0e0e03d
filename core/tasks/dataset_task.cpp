#include "core/tasks/dataset_task.h"

#include <stdexcept>

#include <spdlog/spdlog.h>

#include "core/tasks/countdown_task.h"

namespace aha {

DatasetTask::DatasetTask(const TaskOptions& options) : opt_(options) {
  auto load = load_dataset(opt_);
  problems_ = std::move(load.problems);
  if (opt_.name == "countdown") verifier_ = std::make_unique<CountdownTask>(opt_);
  const size_t shown = std::min<size_t>(load.errors.size(), 10);
  for (size_t i = 0; i < shown; ++i) spdlog::warn("skipped {}", load.errors[i]);
  if (load.errors.size() > shown) spdlog::warn("... and {} more bad lines skipped", load.errors.size() - shown);
  spdlog::info("{}: {} problems from {} records ({} skipped)", opt_.data_file, problems_.size(), load.lines,
               load.errors.size());
}

Problem DatasetTask::sample(std::mt19937_64& rng) const {
  std::uniform_int_distribution<size_t> pick(0, problems_.size() - 1);
  return problems_[pick(rng)];
}

bool DatasetTask::is_correct(const Problem& p, std::string_view answer) const {
  if (verifier_) return verifier_->is_correct(p, answer);
  return answers_match(answer, p.reference, opt_.answer_tolerance);
}

std::pair<std::string, std::string> DatasetTask::worked_solution(const Problem&, const SolutionStyle&,
                                                                 std::mt19937_64&) const {
  throw std::runtime_error("task '" + opt_.name + "' from " + opt_.data_file +
                           " has no worked solutions; pretraining needs a generated task (arithmetic, countdown)");
}

}  // namespace aha
