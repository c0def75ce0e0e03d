#pragma once
// Verifiable tasks: a seeded generator of problems with a rule-based checker, and a
// writer of worked solutions for the pretraining corpus. Torch-free.
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace aha {

struct Problem {
  std::string question;    // e.g. "347+285+419=" or "Use 3 7 25 50 to make 125."
  std::string reference;   // the correct final answer, as text
  std::vector<int> numbers;  // operands (countdown: the numbers that may be used)
  int target = 0;            // countdown's target
};

// How the pretraining corpus writes a solution (see notes in corpus.h).
struct SolutionStyle {
  double mistake_rate = 0.0;  // chance that a step states a wrong result
  double check_rate = 0.0;    // chance that a solution checks each of its steps explicitly
};

class Task {
 public:
  virtual ~Task() = default;
  virtual std::string name() const = 0;
  virtual Problem sample(std::mt19937_64& rng) const = 0;
  // Whether the text inside <answer>...</answer> is a correct answer to `p`.
  virtual bool is_correct(const Problem& p, std::string_view answer) const = 0;
  // Whether an answer is an expression judged by a rule (Countdown), not a value: the
  // reflection detector then judges each stated expression as a candidate answer.
  virtual bool answers_are_expressions() const { return false; }
  // The body of <think> for `p` and the final answer it reaches (which is wrong when a
  // mistaken step is not caught).
  virtual std::pair<std::string, std::string> worked_solution(const Problem& p, const SolutionStyle& style,
                                                              std::mt19937_64& rng) const = 0;
};

struct TaskOptions {
  std::string name = "arithmetic";
  int min_terms = 3, max_terms = 3;      // arithmetic: numbers in the sum
  int min_value = 10, max_value = 999;   // arithmetic: range of each number
  int countdown_numbers = 4;             // countdown: how many numbers are given
  int countdown_max_target = 100;

  // Problems from a file instead of a generator: name = "dataset" (question/answer
  // records) or "countdown" (records with the numbers and the target).
  std::string data_file;              // JSONL or CSV; relative paths: to the config file
  std::string data_format = "auto";   // auto (by extension) | jsonl | csv
  std::string question_field = "question";
  std::string answer_field = "answer";  // "... #### 42" (GSM8K) keeps what follows ####
  std::string nums_field = "nums";
  std::string target_field = "target";
  std::string on_bad_line = "skip";   // skip (reported with line numbers) | reject
  double answer_tolerance = 1e-6;     // numeric answers: |given - ref| <= tol * max(1, |ref|)
};

// Throws std::invalid_argument for an unknown task name.
std::unique_ptr<Task> make_task(const TaskOptions& options);

}  // namespace aha
