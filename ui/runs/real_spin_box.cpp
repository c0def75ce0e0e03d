#include "ui/runs/real_spin_box.h"

#include <QRegularExpression>

#include "core/support/toml_edit.h"

namespace aha::ui {

RealSpinBox::RealSpinBox(double lo, double hi, double step, const QString& tip, QWidget* parent)
    : QDoubleSpinBox(parent) {
  setDecimals(300);  // no rounding of the value: the text decides what is shown
  setRange(lo, hi);
  setSingleStep(step);
  setToolTip(tip + tr(" (%1 to %2)").arg(lo).arg(hi));
}

QString RealSpinBox::textFromValue(double value) const {
  // The config's own form (core/support/toml_edit.h): what the TOML text will say.
  QString s = QString::fromStdString(toml_number(value));
  if (s.endsWith(".0")) s.chop(2);
  return s;
}

double RealSpinBox::valueFromText(const QString& text) const { return text.trimmed().toDouble(); }

QValidator::State RealSpinBox::validate(QString& text, int&) const {
  const QString t = text.trimmed();
  static const QRegularExpression whole(R"(^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$)");
  static const QRegularExpression partial(R"(^[+-]?(\d*\.?\d*)([eE][+-]?\d*)?$)");
  if (whole.match(t).hasMatch()) {
    const double v = t.toDouble();
    return v >= minimum() && v <= maximum() ? QValidator::Acceptable : QValidator::Intermediate;
  }
  return partial.match(t).hasMatch() ? QValidator::Intermediate : QValidator::Invalid;
}

void RealSpinBox::stepBy(int steps) {
  if (value() > 0 && value() < 1e-3) {
    double v = value();
    for (int i = 0; i < std::abs(steps); ++i) v = steps > 0 ? v * 10 : v / 10;
    setValue(v);
    return;
  }
  QDoubleSpinBox::stepBy(steps);
}

}  // namespace aha::ui
