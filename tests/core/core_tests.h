#pragma once
#include <QtTest/QtTest>

class RuntimeTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void tensorMatmulMatchesHandResult();
  void versionStringsAreFilled();
};
