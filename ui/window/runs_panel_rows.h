#pragma once
// The runs panel's columns and row texts, shared by the main window's files.
#include <algorithm>

#include <QColor>
#include <QIcon>
#include <QObject>
#include <QPixmap>
#include <QString>

#include "ui/charts/series_math.h"

namespace aha::ui::runs_panel {

enum Column { ColName, ColStatus, ColSteps, ColDisk };
constexpr int SweepRole = Qt::UserRole + 2;  // a sweep row's sweep name
constexpr int SweepMembersRole = Qt::UserRole + 3;  // how many runs it has in all (0: not known)

// "12/120" for a local run; imported runs have no known total: "step 12".
inline QString stepsText(qint64 last_step, qint64 total) {
  if (total <= 0) return last_step < 0 ? QString("-") : QObject::tr("step %1").arg(last_step);
  return QString("%1/%2").arg(std::max<qint64>(last_step, 0)).arg(total);
}

inline QIcon swatch(int colorIndex) {
  QPixmap pm(12, 12);
  pm.fill(QColor(palette_color(colorIndex)));
  return QIcon(pm);
}

}  // namespace aha::ui::runs_panel
