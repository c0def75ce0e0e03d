#include "core/tasks/corpus.h"

#include "core/tasks/arithmetic_task.h"

namespace aha {

CorpusGenerator::CorpusGenerator(const Task& task, CorpusOptions options, uint64_t seed)
    : task_(task), opt_(std::move(options)), rng_(seed) {}

std::string CorpusGenerator::next() {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  if (task_.name() == "arithmetic" && u(rng_) < opt_.fact_drill_rate) {
    // Several facts per line, written exactly as a check writes its columns.
    std::string line;
    for (int i = 0; i < 8; ++i) {
      const int a = static_cast<int>(rng_() % 10), b = static_cast<int>(rng_() % 10), carry = static_cast<int>(rng_() % 2);
      if (i) line += ' ';
      line += std::to_string(a) + "+" + std::to_string(b) + (carry ? "+1" : "") + "=" + std::to_string(a + b + carry);
    }
    return line;
  }
  Problem p = task_.sample(rng_);
  if (task_.name() == "arithmetic" && u(rng_) < opt_.drill_rate) {
    // A drill: one addition, always checked, with the corpus's rate of slips.
    Problem step = p;
    step.numbers.resize(2);
    step.question = std::to_string(step.numbers[0]) + "+" + std::to_string(step.numbers[1]) + "=";
    SolutionStyle drill{opt_.style.mistake_rate, 1.0};
    auto [think, answer] = task_.worked_solution(step, drill, rng_);
    return render_prompt(opt_.prompt_template, step) + think + "</think><answer>" + answer + "</answer>";
  }
  auto [think, answer] = task_.worked_solution(p, opt_.style, rng_);
  return render_prompt(opt_.prompt_template, p) + think + "</think><answer>" + answer + "</answer>";
}

}  // namespace aha
