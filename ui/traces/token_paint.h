#pragma once
// The token lens drawn on a trace: each token's background by its entropy, its
// log-probability or the push the update gives it, forking tokens in bold, and a tooltip
// with its numbers. Pure functions, so tests can read the colours.
#include <QColor>
#include <QList>
#include <QString>

#include <vector>

#include "core/analysis/token_trace.h"

namespace aha::ui {

enum class LensMode { Reflection, Entropy, LogProbability, Advantage, Covariance };

// The covariance lens's batch means (Cui et al. 2025): a token's covariance is
// (A - mean_advantage)(log p - mean_logp), both means over the step's completion tokens.
struct StepMeans {
  double advantage = 0, logp = 0;
};

constexpr double kHalfRedEntropy = 0.3;  // nats

struct TokenPaint {
  int begin = 0, end = 0;  // code points of the completion
  QColor background;
  bool fork = false;  // entropy at or above the run's forking threshold
  QString tip;
};

// Entropy: white (certain) to red, half red at kHalfRedEntropy: one scale for every run,
// so that a collapsed run (whose forking threshold may be 0.01 nats) looks as certain as
// it is. Log-probability:
// white (p = 1) to purple (p = 0). Advantage: the sample's advantage times 1 - p, green
// when the update raises the token, red when it lowers it, white where p is near 1 (the
// gradient of log p through the token's logit is 1 - p: a certain token barely moves).
// Covariance: orange where it is positive (the update lowers entropy through the token),
// blue where negative (raises it), half-strength at 0.5.
QColor lensColor(LensMode mode, float logprob, float entropy, double forkThreshold, double advantage,
                 const StepMeans& means = {});

// A token as text in a tooltip or a list: spaces and newlines made visible.
QString visibleToken(QString text);

// One paint per token of `trace` over `completion` (its code points), in `mode`.
std::vector<TokenPaint> paintTokens(const TokenTrace& trace, const QList<uint>& completion, LensMode mode,
                                    double forkThreshold, double advantage, const StepMeans& means = {});

}  // namespace aha::ui
