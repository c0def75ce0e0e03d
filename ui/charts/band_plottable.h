#pragma once
// A shaded band between a lower and an upper series (reward +-std, length p10-p90),
// drawn as one polygon. QCustomPlot's channel fill between two graphs does the same
// but costs ~6 ms per band at 1000 points; this costs a fraction of a millisecond.
#include <qcustomplot.h>

namespace aha::ui {

class BandPlottable : public QCPAbstractPlottable {
  Q_OBJECT
 public:
  BandPlottable(QCPAxis* keyAxis, QCPAxis* valueAxis);
  // x ascending; low and high of the same length as x.
  void setData(QVector<double> x, QVector<double> low, QVector<double> high);

  double selectTest(const QPointF&, bool, QVariant*) const override { return -1; }
  QCPRange getKeyRange(bool& foundRange, QCP::SignDomain inSignDomain = QCP::sdBoth) const override;
  QCPRange getValueRange(bool& foundRange, QCP::SignDomain inSignDomain = QCP::sdBoth,
                         const QCPRange& inKeyRange = QCPRange()) const override;

 protected:
  void draw(QCPPainter* painter) override;
  void drawLegendIcon(QCPPainter*, const QRectF&) const override {}

 private:
  QVector<double> x_, low_, high_;
};

}  // namespace aha::ui
