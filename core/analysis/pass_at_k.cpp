#include "core/analysis/pass_at_k.h"

#include <stdexcept>

namespace aha {

double pass_at_k(int n, int c, int k) {
  if (n <= 0 || k <= 0 || k > n || c < 0 || c > n)
    throw std::invalid_argument("pass@k needs 0 < k <= n and 0 <= c <= n");
  if (n - c < k) return 1.0;  // every draw of k holds a correct one
  // C(n-c, k) / C(n, k) = prod_{i = n-c+1}^{n} (1 - k / i)
  double none = 1.0;
  for (int i = n - c + 1; i <= n; ++i) none *= 1.0 - double(k) / i;
  return 1.0 - none;
}

PassAtKCurve pass_at_k_curve(const std::vector<ProbeProblem>& problems) {
  PassAtKCurve curve;
  if (problems.empty()) return curve;
  const int n = problems.front().samples;
  for (const auto& p : problems)
    if (p.samples != n) throw std::invalid_argument("pass@k curve: problems with different sample counts");
  for (int k = 1; k < n; k *= 2) curve.ks.push_back(k);
  curve.ks.push_back(n);
  for (int k : curve.ks) {
    double sum = 0;
    for (const auto& p : problems) sum += pass_at_k(n, p.correct, k);
    curve.pass.push_back(sum / problems.size());
  }
  double correct = 0, majority = 0;
  for (const auto& p : problems) correct += p.correct, majority += p.majority_correct;
  curve.problems = static_cast<int>(problems.size());
  curve.samples = n;
  curve.mean_at_n = correct / (double(n) * problems.size());
  curve.maj_at_n = majority / problems.size();
  return curve;
}

std::optional<int> crossover_k(const PassAtKCurve& trained, const PassAtKCurve& base) {
  if (trained.ks != base.ks) throw std::invalid_argument("crossover: the curves were measured at different k");
  std::optional<int> from;
  for (size_t i = 0; i < trained.ks.size(); ++i) {
    if (base.pass[i] > trained.pass[i] + 1e-9) {
      if (!from) from = trained.ks[i];
    } else {
      from.reset();  // trained is ahead again: not a crossover yet
    }
  }
  return from;
}

SolvedDifference solved_difference(const std::vector<ProbeProblem>& before, const std::vector<ProbeProblem>& after) {
  bool same = before.size() == after.size();
  for (size_t i = 0; same && i < before.size(); ++i) same = before[i].prompt == after[i].prompt;
  if (!same)
    throw std::invalid_argument("the two probes were drawn on different problems (another probe seed or count): "
                                "compare probes of the same set");
  SolvedDifference d;
  for (size_t i = 0; i < before.size(); ++i) {
    const bool was = before[i].correct > 0, is = after[i].correct > 0;
    if (is && !was) d.gained.push_back(static_cast<int>(i));
    if (was && !is) d.lost.push_back(static_cast<int>(i));
  }
  return d;
}

}  // namespace aha
