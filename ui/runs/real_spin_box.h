#pragma once
// A spin box for real settings that can be tiny (a learning rate of 5e-7): it shows the
// shortest form that reads back the same ("5e-07", "0.2") and accepts scientific
// notation, where QDoubleSpinBox rounds to a fixed count of decimals (5e-7 -> 0.000000).
#include <QDoubleSpinBox>

namespace aha::ui {

class RealSpinBox : public QDoubleSpinBox {
  Q_OBJECT
 public:
  RealSpinBox(double lo, double hi, double step, const QString& tip, QWidget* parent = nullptr);

  QString textFromValue(double value) const override;
  double valueFromText(const QString& text) const override;
  QValidator::State validate(QString& text, int& pos) const override;
  // Steps multiply and divide by 10 below 1e-3, where adding a fixed step would jump to 0.
  void stepBy(int steps) override;
};

}  // namespace aha::ui
