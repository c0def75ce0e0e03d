#pragma once
#include <QtTest/QtTest>

class SqliteTest : public QObject {
  Q_OBJECT
 private slots:
  void roundTripsRows();
  void rollsBackUncommittedTransaction();
  void namesFileInErrors();
};

class SchemaTest : public QObject {
  Q_OBJECT
 private slots:
  void freshDatabaseHasCurrentVersion();
  void migratesFromEveryOlderVersion();
  void refusesNewerVersion();
  void refusesNonDatabaseFile();
  void reportsReadOnlyLocation();
  void fullDiskKeepsCommittedSteps();
  void lockedDatabaseIsAClearError();
  void concurrentOpensCreateItOnce();
  void stepsCountFromOneAfterUpgrade();
};

class StoreTest : public QObject {
  Q_OBJECT
 private slots:
  void writesAndReadsSteps();
  void keysetPagingVisitsEveryRowOnce();
  void filtersSamples();
  void fullTextSearch();
  void searchIndexIsRebuiltWhenDamagedOrForeign();
  void metricSeriesSinceStep();
  void checkpointerCopiesTheLogWithoutTheWriter();
  void metricSeriesFromChunksFollowsRewrites();
  void groupAndHistory();
  void stepAggregates();
  void resumeContinuesRun();
  void tagsAndNotes();
  void tokenTracesRoundTripAndGoWithTheirRun();
  void probesRoundTripAndGoWithTheirRunAndSample();
  void deleteRunRemovesEverything();
  void metricsCsvRoundTrips();
};

class DataSafetyTest : public QObject {
  Q_OBJECT
 private slots:
  void runNamesFollowOneRule();
  void checkpointPathsAreRelativeToTheDatabase();
  void renameMovesEveryCheckpointRow();
  void closingAReaderLeavesTheWal();
  void readersNeverCreateADatabase();
  void stepsArriveInAnyOrder();
  void damagedDatabaseTakesNoNewRun();
};

class CrashTest : public QObject {
  Q_OBJECT
 private slots:
  void killedWriterLosesNoCommittedStep();
};

// `test_db --crash-child DB`: the writer the crash test kills.
int run_crash_child(const char* db_path);
