#include "ui/traces/token_paint.h"

#include <algorithm>
#include <cmath>

namespace aha::ui {

namespace {

QColor mix(const QColor& a, const QColor& b, double t) {
  t = std::clamp(t, 0.0, 1.0);
  return QColor::fromRgbF(a.redF() + (b.redF() - a.redF()) * t, a.greenF() + (b.greenF() - a.greenF()) * t,
                          a.blueF() + (b.blueF() - a.blueF()) * t);
}

}  // namespace

QString visibleToken(QString s) {
  s.replace('\n', QString::fromUtf8("\u21B5")).replace(' ', QString::fromUtf8("\u2423"));
  return s;
}

QColor lensColor(LensMode mode, float logprob, float entropy, double forkThreshold, double advantage,
                 const StepMeans& means) {
  const QColor white(Qt::white);
  switch (mode) {
    case LensMode::Entropy: {
      const double h = std::max(0.0f, entropy);
      return mix(white, QColor("#d7301f"), h / (h + kHalfRedEntropy));
    }
    case LensMode::LogProbability:
      return mix(white, QColor("#6a3d9a"), 1.0 - std::exp(std::min(0.0f, logprob)));
    case LensMode::Advantage: {
      const double push = advantage * (1.0 - std::exp(std::min(0.0f, logprob)));
      return mix(white, push >= 0 ? QColor("#1a9850") : QColor("#d73027"), std::min(1.0, std::abs(push)));
    }
    case LensMode::Covariance: {
      const double cov = (advantage - means.advantage) * (logprob - means.logp);
      return mix(white, cov >= 0 ? QColor("#e66101") : QColor("#5e3c99"), std::abs(cov) / (std::abs(cov) + 0.5));
    }
    case LensMode::Reflection:
      break;
  }
  return white;
}

std::vector<TokenPaint> paintTokens(const TokenTrace& t, const QList<uint>& completion, LensMode mode,
                                    double forkThreshold, double advantage, const StepMeans& means) {
  std::vector<TokenPaint> out;
  if (mode == LensMode::Reflection) return out;
  const int length = static_cast<int>(completion.size());
  out.reserve(t.size());
  for (size_t i = 0; i < t.size(); ++i) {
    TokenPaint p;
    p.begin = std::min<int>(t.begins[i], length);
    p.end = std::clamp<int>(t.end_of(i, length), p.begin, length);
    p.background = lensColor(mode, t.logprobs[i], t.entropies[i], forkThreshold, advantage, means);
    p.fork = t.entropies[i] >= forkThreshold;
    const QString text = QString::fromUcs4(reinterpret_cast<const char32_t*>(completion.data()) + p.begin, p.end - p.begin);
    p.tip = QString("token %1 \u201C%2\u201D, id %3\nlog p %4 (p %5)\nentropy %6 nats%7")
                .arg(i + 1)
                .arg(visibleToken(text))
                .arg(t.ids[i])
                .arg(t.logprobs[i], 0, 'f', 3)
                .arg(std::exp(t.logprobs[i]), 0, 'f', 3)
                .arg(t.entropies[i], 0, 'f', 3)
                .arg(p.fork ? QString("\nforking token (entropy %1 nats or more)").arg(forkThreshold, 0, 'f', 2)
                            : QString());
    if (mode == LensMode::Covariance)
      p.tip += QString("\ncovariance %1 = (A %2 - step mean %3)(log p - step mean %4)")
                   .arg((advantage - means.advantage) * (t.logprobs[i] - means.logp), 0, 'f', 3)
                   .arg(advantage, 0, 'f', 3)
                   .arg(means.advantage, 0, 'f', 3)
                   .arg(means.logp, 0, 'f', 3);
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace aha::ui
