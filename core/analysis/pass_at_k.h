#pragma once
// pass@k, mean@n and maj@n of a probe set: n samples per problem, some correct. Whether
// RL taught new reasoning or sharpened what the base could sample (Yue et al. 2025, "Does
// Reinforcement Learning Really Incentivize Reasoning Capacity in LLMs Beyond the Base
// Model?") reads from the curves of pass@k over k for the base and a trained model.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace aha {

// The unbiased estimate from n samples of which c are correct (Chen et al. 2021):
// 1 - C(n-c, k) / C(n, k), computed as a product (no overflow at n = 1024).
double pass_at_k(int n, int c, int k);

// One sampled completion of a probe problem, kept so that a problem gained or lost
// between two checkpoints can be read.
struct ProbeCompletion {
  std::string text, answer;  // answer: what its <answer> said, empty when none
  bool correct = false, truncated = false;
};

struct ProbeProblem {
  int samples = 0, correct = 0;
  bool majority_correct = false;  // the most frequent answer is right (maj@n)
  std::string prompt, reference;  // as rendered for the model; the right answer
  std::vector<ProbeCompletion> completions;  // empty when only the counts are known
};

// The probe set: held out from training, the same for every set of weights probed.
struct ProbeSet {
  int problems = 32;   // drawn from the run's task; from a file: its first ones (0: all)
  uint64_t seed = 1234;  // draws the problems (the trainer draws with the run's seed) and the samples
  std::string file;    // a JSONL or CSV data file (the run's field mapping) instead of the task
};

// A probe of one set of weights: each problem's samples and correct ones.
struct PassAtKProbe {
  std::vector<ProbeProblem> problems;
  double seconds = 0;  // wall time of the sampling
};

struct PassAtKCurve {
  std::vector<int> ks;       // 1, 2, 4, ..., n (n last even when not a power of two)
  std::vector<double> pass;  // mean over problems of pass@k at each k
  double mean_at_n = 0;      // share of all samples that are correct (pass@1 too)
  double maj_at_n = 0;       // share of problems whose majority answer is right
  int problems = 0, samples = 0;
};

// Every problem must have the same number of samples.
PassAtKCurve pass_at_k_curve(const std::vector<ProbeProblem>& problems);

// The smallest k from which `base` is ahead of `trained` and stays ahead to the largest k
// measured (their crossover, Yue et al.'s finding); none when `trained` is ahead or level
// (both at 1 once every problem is solved). Both curves must have the same ks.
std::optional<int> crossover_k(const PassAtKCurve& trained, const PassAtKCurve& base);

// Problems that some sample solved in `after` and none in `before` (gained), and the
// reverse (lost), by index: what training added to and took from what can be sampled.
// Throws std::invalid_argument when the two were not probed on the same problems.
struct SolvedDifference {
  std::vector<int> gained, lost;
};
SolvedDifference solved_difference(const std::vector<ProbeProblem>& before, const std::vector<ProbeProblem>& after);

}  // namespace aha
