#include "core/run/gain_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <stdexcept>

namespace aha {
namespace {

struct Moments {
  double mean = 0, var = 0;  // sample variance (n - 1)
  int n = 0;
};

Moments moments(const std::vector<double>& xs) {
  Moments m;
  m.n = int(xs.size());
  for (double x : xs) m.mean += x / m.n;
  if (m.n > 1)
    for (double x : xs) m.var += (x - m.mean) * (x - m.mean) / (m.n - 1);
  return m;
}

Estimate estimate(const std::vector<double>& xs) {
  const Moments m = moments(xs);
  Estimate e{m.mean, m.mean, m.mean, m.n};
  if (m.n > 1) {
    const double half = t_quantile_95(m.n - 1) * std::sqrt(m.var / m.n);
    e.low = m.mean - half;
    e.high = m.mean + half;
  } else {
    e.low = -std::numeric_limits<double>::infinity();  // one seed: no interval
    e.high = std::numeric_limits<double>::infinity();
  }
  return e;
}

// a - b with Welch's interval.
Estimate difference(const std::vector<double>& a, const std::vector<double>& b) {
  const Moments x = moments(a), y = moments(b);
  Estimate e{x.mean - y.mean, 0, 0, std::min(x.n, y.n)};
  const double va = x.n > 1 ? x.var / x.n : 0, vb = y.n > 1 ? y.var / y.n : 0;
  if (x.n < 2 || y.n < 2) {
    e.low = -std::numeric_limits<double>::infinity();
    e.high = std::numeric_limits<double>::infinity();
    return e;
  }
  const double se = std::sqrt(va + vb);
  // Welch-Satterthwaite degrees of freedom (both spreads zero: the smaller n - 1).
  const double df = se > 0 ? (va + vb) * (va + vb) / (va * va / (x.n - 1) + vb * vb / (y.n - 1)) : std::min(x.n, y.n) - 1;
  e.low = e.mean - t_quantile_95(df) * se;
  e.high = e.mean + t_quantile_95(df) * se;
  return e;
}

std::string interval_text(const Estimate& e) {
  char buf[96];
  if (std::isinf(e.low)) std::snprintf(buf, sizeof buf, "%+.3f (one seed)", e.mean);
  else std::snprintf(buf, sizeof buf, "%+.3f [%+.3f, %+.3f]", e.mean, e.low, e.high);
  return buf;
}

}  // namespace

double t_quantile_95(double df) {
  // Two-sided 95% (the 0.975 quantile) for df = 1..30; beyond, the normal's 1.96 with
  // the first-order correction (within 0.001 of the exact value from df 30 on).
  static constexpr double kT[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                                  2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                                  2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
  if (!(df >= 1)) throw std::invalid_argument("t_quantile_95: degrees of freedom below 1");
  if (df <= 30) {
    // Between whole degrees of freedom (Welch's are fractional): linear in 1/df.
    const int lo = int(std::floor(df)), hi = std::min(30, lo + 1);
    if (lo == hi || df == lo) return kT[lo - 1];
    const double w = (1.0 / lo - 1.0 / df) / (1.0 / lo - 1.0 / hi);
    return kT[lo - 1] + w * (kT[hi - 1] - kT[lo - 1]);
  }
  return 1.95996 + 2.4 / df;
}

ProbeScore probe_score(const std::vector<ProbeProblem>& problems) {
  ProbeScore s;
  int samples = 0, correct = 0, answered = 0, majority = 0;
  for (const auto& p : problems) {
    samples += p.samples;
    correct += p.correct;
    majority += p.majority_correct;
    if (p.completions.size() != size_t(p.samples))
      throw std::invalid_argument("probe_score: a problem's completions were not kept (" +
                                  std::to_string(p.completions.size()) + " of " + std::to_string(p.samples) + ")");
    for (const auto& c : p.completions) answered += !c.answer.empty();
  }
  if (samples == 0) throw std::invalid_argument("probe_score: an empty probe");
  s.pass1 = double(correct) / samples;
  s.maj = double(majority) / double(problems.size());
  s.answered = double(answered) / samples;
  s.right_when_answered = answered ? double(correct) / answered : 0.0;
  return s;
}

GainReport gain_report(const std::vector<ArmRun>& runs, const std::string& truth_arm) {
  std::vector<std::string> order = {truth_arm};
  std::map<std::string, std::vector<const ArmRun*>> by_arm;
  for (const auto& r : runs) {
    if (!by_arm.count(r.arm) && r.arm != truth_arm) order.push_back(r.arm);
    by_arm[r.arm].push_back(&r);
  }
  if (!by_arm.count(truth_arm))
    throw std::invalid_argument("gain report: no run of the arm '" + truth_arm + "' (the truth) among " +
                                std::to_string(runs.size()) + " runs");
  GainReport report;
  report.truth = truth_arm;
  std::map<std::string, std::pair<std::vector<double>, std::vector<double>>> gains;  // pass@1, maj@n
  for (const auto& arm : order) {
    auto& [pass1, maj] = gains[arm];
    double format_part = 0, total = 0;
    for (const ArmRun* r : by_arm[arm]) {
      pass1.push_back(r->after.pass1 - r->before.pass1);
      maj.push_back(r->after.maj - r->before.maj);
      format_part += r->before.right_when_answered * (r->after.answered - r->before.answered);
      total += r->after.pass1 - r->before.pass1;
    }
    ArmGain g{arm, estimate(pass1), estimate(maj),
              std::abs(total) > 1e-12 ? format_part / total : std::numeric_limits<double>::quiet_NaN()};
    report.arms.push_back(g);
  }
  double best = -std::numeric_limits<double>::infinity();
  for (const auto& g : report.arms)
    if (g.arm != truth_arm && g.pass1.mean > best) best = g.pass1.mean, report.best_control = g.arm;
  if (!report.best_control.empty()) {
    report.unique_pass1 = difference(gains[truth_arm].first, gains[report.best_control].first);
    report.unique_maj = difference(gains[truth_arm].second, gains[report.best_control].second);
  }
  return report;
}

std::string gain_report_text(const GainReport& r) {
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, "%-22s %5s  %-30s  %-30s  %s\n", "arm", "seeds", "pass@1 gain [95% CI]",
                "maj@n gain [95% CI]", "format share");
  out += line;
  for (const auto& g : r.arms) {
    const std::string share = std::isnan(g.format_share) ? "-" : std::to_string(int(std::lround(100 * g.format_share))) + "%";
    std::snprintf(line, sizeof line, "%-22s %5d  %-30s  %-30s  %s\n", g.arm.c_str(), g.pass1.n,
                  interval_text(g.pass1).c_str(), interval_text(g.maj).c_str(), share.c_str());
    out += line;
  }
  if (r.best_control.empty()) return out + "\nno control arm: the gain cannot be read against a control\n";
  out += "\nthe truth's gain that no control reaches (against " + r.best_control + ", the best control):\n";
  out += "  pass@1 " + interval_text(r.unique_pass1) + "   maj@n " + interval_text(r.unique_maj) + "\n";
  return out;
}

}  // namespace aha
