#include <QDockWidget>
#include <QListWidget>
#include <qcustomplot.h>

#include "tests/ui/ui_tests.h"
#include "ui/main_window.h"

void MainWindowTest::constructsWithPanels() {
  aha::ui::MainWindow w;
  w.show();
  QVERIFY(QTest::qWaitForWindowExposed(&w));
  QVERIFY(w.runsPanel() != nullptr);
  QVERIFY(w.dashboard() != nullptr);
  QCOMPARE(w.findChildren<QDockWidget*>().size(), 2);
  QVERIFY(w.windowTitle().contains("Aha Studio"));
}
