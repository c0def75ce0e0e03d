#include "ui/charts/band_plottable.h"

namespace aha::ui {

BandPlottable::BandPlottable(QCPAxis* keyAxis, QCPAxis* valueAxis) : QCPAbstractPlottable(keyAxis, valueAxis) {
  setPen(Qt::NoPen);
}

void BandPlottable::setData(QVector<double> x, QVector<double> low, QVector<double> high) {
  const int n = std::min({x.size(), low.size(), high.size()});
  x.resize(n), low.resize(n), high.resize(n);
  x_ = std::move(x), low_ = std::move(low), high_ = std::move(high);
}

QCPRange BandPlottable::getKeyRange(bool& found, QCP::SignDomain) const {
  found = !x_.isEmpty();
  return found ? QCPRange(x_.first(), x_.last()) : QCPRange();
}

QCPRange BandPlottable::getValueRange(bool& found, QCP::SignDomain, const QCPRange& inKeyRange) const {
  QCPRange range;
  found = false;
  for (int i = 0; i < x_.size(); ++i) {
    if (inKeyRange != QCPRange() && !inKeyRange.contains(x_[i])) continue;
    for (double v : {low_[i], high_[i]}) {
      if (!std::isfinite(v)) continue;
      if (!found) range = QCPRange(v, v), found = true;
      range.expand(v);
    }
  }
  return range;
}

void BandPlottable::draw(QCPPainter* painter) {
  if (x_.size() < 2) return;
  // Upper edge left to right, then the lower edge back: one simple polygon.
  QPolygonF polygon;
  polygon.reserve(2 * x_.size());
  for (int i = 0; i < x_.size(); ++i) polygon << coordsToPixels(x_[i], high_[i]);
  for (int i = x_.size() - 1; i >= 0; --i) polygon << coordsToPixels(x_[i], low_[i]);
  applyFillAntialiasingHint(painter);
  painter->setPen(Qt::NoPen);
  painter->setBrush(mBrush);
  painter->drawPolygon(polygon);
}

}  // namespace aha::ui
