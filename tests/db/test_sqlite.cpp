#include <QTemporaryDir>

#include "db/sqlite.h"
#include "tests/db/db_tests.h"

using namespace aha::db;

void SqliteTest::roundTripsRows() {
  QTemporaryDir dir;
  Connection db(dir.filePath("t.db").toStdString());
  db.exec("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, x REAL)");
  Statement ins(db, "INSERT INTO t(name, x) VALUES(?, ?)");
  ins.bind(1, "alpha").bind(2, 1.5).run();
  ins.bind(1, "beta").bind(2, -2.25).run();
  Statement sel(db, "SELECT name, x FROM t ORDER BY id");
  QVERIFY(sel.step());
  QCOMPARE(QString::fromStdString(sel.column_text(0)), QString("alpha"));
  QCOMPARE(sel.column_double(1), 1.5);
  QVERIFY(sel.step());
  QCOMPARE(sel.column_double(1), -2.25);
  QVERIFY(!sel.step());
}

void SqliteTest::rollsBackUncommittedTransaction() {
  QTemporaryDir dir;
  Connection db(dir.filePath("t.db").toStdString());
  db.exec("CREATE TABLE t(v INTEGER)");
  {
    Transaction tx(db);
    db.exec("INSERT INTO t VALUES(1)");
  }
  QCOMPARE(db.scalar_int("SELECT count(*) FROM t"), int64_t(0));
  {
    Transaction tx(db);
    db.exec("INSERT INTO t VALUES(1)");
    tx.commit();
  }
  QCOMPARE(db.scalar_int("SELECT count(*) FROM t"), int64_t(1));
}

void SqliteTest::namesFileInErrors() {
  QTemporaryDir dir;
  const std::string path = dir.filePath("t.db").toStdString();
  Connection db(path);
  try {
    db.exec("SELECT * FROM no_such_table");
    QFAIL("expected an error");
  } catch (const DbError& e) {
    QVERIFY(std::string(e.what()).find(path) != std::string::npos);
    QVERIFY(std::string(e.what()).find("no_such_table") != std::string::npos);
  }
}
