#pragma once
#include <QtTest/QtTest>

class MainWindowTest : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase();
  void constructsWithPanels();
  void smoothingKeepsItsValue();
  void emptyDatabaseShowsHint();
  void startPauseResumeStop();
  void chartClickRequestsTraces();
  void followedRunAppearsBesideLocal();
  void runsAreRenamedDeletedAndInterrupted();
  void sweepMembersFoldUnderTheirSweep();
  void sweepTrainsFromTheStudio();
  void sweepSurvivesReadersBeside();
  void controlsTrainAndReport();
 private:
  QString base_;  // a micro base model pretrained for the tests
};

class NewRunDialogTest : public QObject {
  Q_OBJECT
 private slots:
  void presetIsValid();
  void invalidTomlDisablesStart();
  void formEditsUpdateToml();
  void smallLearningRatesSurvive();
  void advancedTextKeptByFormEdits();
  void takenNamesAreCaughtLive();
  void modelPresetNeedsItsPaths();
  void preferencesLexiconReachesNewRuns();
};

class SeriesMathTest : public QObject {
  Q_OBJECT
 private slots:
  void debiasedEmaMatchesTensorBoard();
  void decimationKeepsSpikesAndEnds();
};

class TraceBrowserTest : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase();
  void loadsLazilyAndFilters();
  void fullTextSearchAndBadQuery();
  void searchWaitsForTheIndex();
  void searchNamesAnIndexThatCannotBeWritten();
  void numberKeyTagsSelection();
  void groupAndHistoryViews();
  void detailHighlightsSpans();
  void tokenLensColoursTheTrace();
  void resampleDialogContinuesFromTheCursor();
  void exportsJsonlAndMarkdown();
  void dashboardMarksAhaOnset();
  void onsetLabelsOfRunsApart();
  void collapseWarningOnTheEntropyChart();
 private:
  QTemporaryDir dir_;
  QString db_;
};

class FigureTest : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase();
  void pdfIsVectorWithEmbeddedFonts();
  void svgParsesAndHoldsSeries();
  void pngPixelsArePresetTimesDpi();
  void sidecarRecordsProvenance();
  void longRunTickLabelsDoNotOverlap();
  void commandLineMatchesStudio();
  void entropyFitDialogFitsTheRun();
  void passAtKDialogProbesOnItsThread();
  void sweepGroupedByAKey();
  void figuresAReviewerAccepts();
 private:
  QTemporaryDir dir_;
  QString db_;
};

class AnchorDialogTest : public QObject {
  Q_OBJECT
 private slots:
  void mapsStepsAndKeepsThem();
};

class GainDialogTest : public QObject {
  Q_OBJECT
 private slots:
  void readsStoredProbesAndSavesTheFigure();
};
