#pragma once
// Ticks on whole steps: a run of 12 steps is labelled 3, 6, 9, 12, never 2.5 and 7.5.
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace aha::ui {

class StepTicker : public QCPAxisTicker {
 protected:
  double getTickStep(const QCPRange& range) override {
    return std::max(1.0, std::round(QCPAxisTicker::getTickStep(range)));
  }
  int getSubTickCount(double tickStep) override {  // sub ticks on whole steps too, or none
    const int between = static_cast<int>(tickStep) - 1;
    return between >= 1 && between <= 4 ? between : 0;
  }
};

// The x axis's ticker: whole steps, or plain numbers for wall time.
inline void setStepTicks(QCPAxis* x, bool steps) {
  x->setTicker(steps ? QSharedPointer<QCPAxisTicker>(new StepTicker) : QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
}

}  // namespace aha::ui
