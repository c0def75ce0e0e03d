#include "core/run/reference_judge.h"

#include <nlohmann/json.hpp>

#include "core/tasks/countdown_task.h"
#include "core/tasks/dataset_file.h"

namespace aha {

namespace {

// The Countdown problem a reference describes, if it is one.
std::optional<Problem> countdown_problem(std::string_view reference) {
  if (reference.empty() || reference.front() != '{') return std::nullopt;
  const auto j = nlohmann::json::parse(reference, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return std::nullopt;
  const auto nums = j.contains("nums") ? j["nums"] : j.contains("numbers") ? j["numbers"] : nlohmann::json();
  if (!nums.is_array() || !j.contains("target") || !j["target"].is_number_integer()) return std::nullopt;
  Problem p;
  for (const auto& n : nums) {
    if (!n.is_number_integer()) return std::nullopt;
    p.numbers.push_back(n.get<int>());
  }
  p.target = j["target"].get<int>();
  return p;
}

}  // namespace

AnswerJudge reference_judge(std::string_view reference) {
  if (reference.empty()) return {};
  if (auto problem = countdown_problem(reference)) {
    const CountdownTask countdown{TaskOptions{}};
    return AnswerJudge(
        [countdown, p = *problem](std::string_view value, std::string_view expression) -> std::optional<bool> {
          return countdown.is_correct(p, expression.empty() ? value : expression);
        },
        /*expressions_are_candidates=*/true);
  }
  return AnswerJudge([ref = std::string(reference)](std::string_view value, std::string_view) -> std::optional<bool> {
    return answers_match(value, ref, 1e-6);
  });
}

}  // namespace aha
