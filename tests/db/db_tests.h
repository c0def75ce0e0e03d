#pragma once
#include <QtTest/QtTest>

class SqliteTest : public QObject {
  Q_OBJECT
 private slots:
  void roundTripsRows();
  void rollsBackUncommittedTransaction();
  void namesFileInErrors();
};
