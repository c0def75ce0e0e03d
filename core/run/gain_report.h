#pragma once
// Is the gain real? A run's accuracy gain on a held-out probe set beside the gains of its
// controls (core/run/sweep_controls.h: the same config trained on random, wrong-label or
// format-only rewards, same seeds), as Shao et al. 2025 ("Spurious Rewards") read RLVR
// gains: how much of the truth's gain no control reaches, with 95% intervals over seeds,
// and how much of it is the model learning to give a parseable answer. docs/OBJECTIVES.md.
// Torch-free: the probes come in as their problems (core/analysis/pass_at_k.h).
#include <string>
#include <vector>

#include "core/analysis/pass_at_k.h"

namespace aha {

// One set of weights on the probe set.
struct ProbeScore {
  double pass1 = 0;     // mean@n: the share of all samples that are right (pass@1)
  double maj = 0;       // maj@n: the share of problems whose most frequent answer is right
  double answered = 0;  // the share of samples with a parseable answer (<answer>...</answer>)
  // pass@1 = answered x right_when_answered: a gain is split into more answers (format)
  // and more right answers among them (content).
  double right_when_answered = 0;
};
ProbeScore probe_score(const std::vector<ProbeProblem>& problems);  // needs each problem's completions

struct ArmRun {
  std::string arm;  // "truth", "random", ... (the sweep's arm label)
  int seed = 0;
  ProbeScore before, after;  // the base model (step 0) and the final weights
};

// A mean over seeds with its 95% interval (Student's t; no interval from one seed).
struct Estimate {
  double mean = 0, low = 0, high = 0;
  int n = 0;
};

struct ArmGain {
  std::string arm;
  Estimate pass1, maj;  // final - base, per seed
  // The share of the pass@1 gain that is more parseable answers: sum over seeds of
  // right_when_answered(base) x (answered(final) - answered(base)) over the sum of the
  // gains; NaN when the arm gained nothing.
  double format_share = 0;
};

struct GainReport {
  std::string truth;
  std::vector<ArmGain> arms;  // the truth first, then the controls in the order given
  // The truth's gain that the best control (by mean pass@1 gain) does not reach: the
  // difference of the two means, its interval by Welch's t. Empty best_control: no controls.
  std::string best_control;
  Estimate unique_pass1, unique_maj;
};

// Throws std::invalid_argument when no run is of the truth arm.
GainReport gain_report(const std::vector<ArmRun>& runs, const std::string& truth_arm);
std::string gain_report_text(const GainReport& report);

// Student's t quantile for a two-sided 95% interval with `df` degrees of freedom (>= 1).
double t_quantile_95(double df);

}  // namespace aha
