#pragma once
// The synthetic pretraining corpus of the built-in base model: worked solutions of a
// task in R1-Zero form, some steps mistaken, a few followed by an explicit check that
// catches and fixes the mistake. Base models carry such reflection at a low rate; RL is
// expected to amplify it. Torch-free.
#include <random>
#include <string>

#include "core/tasks/prompt_format.h"
#include "core/tasks/task.h"

namespace aha {

struct CorpusOptions {
  SolutionStyle style{0.15, 0.08};
  // Share of lines that are a single step with its check ("347+285=632 check ... ok"),
  // so that checking is a reliable skill while the one-pass step is not.
  double drill_rate = 0.3;
  // Share of lines that are one-digit column facts with and without a carry
  // ("7+5=12", "8+9+1=18"), so that every step of a check is near-perfect.
  double fact_drill_rate = 0.0;
  std::string prompt_template = "{question}<think>";
};


class CorpusGenerator {
 public:
  CorpusGenerator(const Task& task, CorpusOptions options, uint64_t seed);
  // One training text: prompt + think + answer, ending in </answer>.
  std::string next();

 private:
  const Task& task_;
  CorpusOptions opt_;
  std::mt19937_64 rng_;
};

}  // namespace aha
