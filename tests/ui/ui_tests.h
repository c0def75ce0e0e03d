#pragma once
#include <QtTest/QtTest>

class MainWindowTest : public QObject {
  Q_OBJECT
 private slots:
  void constructsWithPanels();
};
