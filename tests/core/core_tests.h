#pragma once
#include <QtTest/QtTest>

#include <memory>

#include "core/text/tokenizer.h"

class RuntimeTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void tensorMatmulMatchesHandResult();
  void versionStringsAreFilled();
  void failuresReadWithoutBacktraceAndWithAdvice();
};

class TransformerTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void cachedLogitsMatchUncached();
  void gradientCheckpointingKeepsGradients();
  void leftPaddingDoesNotChangeLogits();
  void groupedQueryAttentionShapes();
  void safetensorsRoundTrip();
  void checkpointRoundTrip();
  void loadErrorsNameTensorAndFile();
  void samplerStopsAndPads();
  void topPKeepsNucleusOnly();
  void transformers5ConfigAndRopeScaling();
  void bfloat16CopySamplesLikeThePolicy();
  void bfloat16RoundTripKeepsPositions();
  void fusedProjectionsMatchSeparateOnes();
  void decodeAtADevicePositionMatchesAppending();
  void cpuDecodeStepEqualsTheReference();
  void attentionKernelEqualsPlainSoftmax();
  void packedPassEqualsAutograd();
  void packedPrefillEqualsTheReference();
};

class TaskTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void charTokenizerRoundTrip();
  void arithmeticVerifies();
  void columnCheckIsDigitByDigit();
  void workedSolutionCatchesMistakes();
  void corpusMixesDrillsAndSolutions();
  void countdownVerifierRejectsCheats();
  void countdownProblemsAreSolvable();
  void responseFormatParsing();
  void rewardsWeighAndName();
  void controlRewards();
  void softOverlongPunishment();
  void datasetFilesWithFieldMapping();
  void badDatasetLinesAreNamed();
  void answersMatchNumerically();
  void countdownRecordsFromFile();
  void promptTemplates();
};

class TokenizerTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase();
  void qwen3GoldenIdsAndDecoding();
  void splitFollowsTheRegex();
  void addedTokensAndSpecials();
  void invalidUtf8NeverThrows();
  void saveRoundTrips();
  void unsupportedFilesAreNamed();
 private:
  std::unique_ptr<aha::Tokenizer> qwen_;
};

class ImportTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void verlDumpsBecomeGroupedSteps();
  void followerSurvivesKills();
  void trlLogHistoryBecomesMetrics();
  void genericFileWithFieldMapping();
  void trlNotANumberIsReadNotRejected();
  void verlRepeatedPromptIsTwoGroups();
  void verlMetricsFileJoinsItsStep();
  void verlLinesReadFastAsADocumentWould();
  void verlV1DumpScoresAsTheV08DumpDoes();
  void followedMetricsRewrittenLoseNoStep();
};

class ParquetTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void readsEveryWriterAndCodec();
  void refusesWhatItCannotRead();
  void trlCompletionsBecomeSamples();
};

class LaunchExportTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void scriptsMapEveryKey();
  void scriptsUseOnlyKeysTheEnginesHave();
  void scriptsTrainOnOurPrompt();
  void pathsModelsAndPlacement();
  void trlBatchIsOneStepOnAnyNumberOfGpus();
  void trlSchedulesAndReuseAsTrlReadsThem();
};

class GrpoTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void advantagesWithoutScaling();
  void advantagesWithScaling();
  void twoTokenLossAndGradient();
  void firstIterationRatioIsOne();
  void identicalRewardsGiveNoGradient();
  void lossTypesNormaliseDifferently();
  void klPenaltyIsK3();
  void advantagesScaledByTheBatch();
  void rlooLeavesOneOut();
  void reinforcePlusPlusWhitensTokens();
  void sequenceLevelRatioIsGspo();
  void cispoClipsTheWeightNotTheGradient();
  void entropyFilterKeepsForkingTokens();
  void maskedTruncatedRowsLeaveTheLoss();
  void passAtKAdvantageRewardsTheBestOnly();
  void normalizeThenSumKeepsEachRewardsWeight();
  void covarianceControlsActOnTheTopTokens();
  void sapoDeltaAndGeoMeanByHand();
  void samplingCorrectionModesByHand();
};

class ConfigTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void presetsParse();
  void unknownKeySuggestsNearest();
  void outOfRangeNamesKeyValueAndRange();
  void syntaxErrorNamesLine();
  void roundTripsThroughToml();
  void objectiveKeysAndTheirAliases();
  void sweepExpandsItsGridAndSeeds();
  void sweepControlsForm();
};

class TrainerTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase();
  void rewardGoesUpOnTrivialTask();
  void variantsTrainAndReportWhatTheyMeasured();
  void sweepResumesWithoutTrainingTwice();
  void seedMakesRunsRepeatable();
  void jobStopsAndResumesAtStepBoundary();
  void resumeAfterAKillRepeatsNoStep();
  void unfinishedSavesAreNotResumedFrom();
  void modelJudgesReflectionsWithinItsBudget();
  void huggingFaceLayoutModelOnDatasetFile();
  void tokenLensMatchesAForwardPass();
  void probeIsReproducibleWithASeed();
  void resamplingIsReproducibleAndJudged();
  void checkpointsKeptForProbes();
 private:
  QString base_;  // a briefly pretrained base model for these tests
};

class ReflectionEventsTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void arithmeticAsWritten();
  void freeTextByTheRunningAnswer();
  void nearMissesStayOut();
  void trajectoryOfADemoTrace();
  void trajectoryOfProse();
  void labelledDemoTraces();
  void labelledHandwrittenTraces();
  void labelledFreeTextTraces();
  void heldOutTraces();
  void heldOutFreeTextTraces();
  void eventsRoundTripThroughJson();
};

class TokenLensTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void blobRoundTripsWithinItsResolution();
  void tokenBeginsCountCharacters();
  void stepMetricsFromTokens();
  void entropyFitRecoversItsCurve();
  void collapseWarningWhileRewardRises();
  void covarianceTokensByHand();
  void nearestWeightsPreferThoseThatSampled();
};

class PassAtKTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void matchesHandCalculation();
  void curveAndCrossover();
  void gainedAndLostProblems();
  void storedProbesReadBackTheSame();
};

class ReflectionTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void labelledSetPrecisionAndRecall();
  void spansAreCharacterOffsetsWithCategories();
  void revisionAndRealAha();
  void theIssuesTwoDemoTraces();
  void nearMissesStayQuiet();
  void prefixIndexFindsEveryKey();
  void customLexiconEntries();
  void onsetStepAfterBaseline();
};

class AnchorsTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void stepsOfTraces();
  void differsByNumbersAndWords();
  void importanceByHandOnAStandIn();
  void adaptiveSpendsWhereUncertain();
  void cancelledMapReturnsNothing();
  void storedMapReadsBackTheSame();
  void causalVerdictOfAFix();
  void reproducibleWithASeed();
};

class ContaminationTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void overlapByHand();
  void memorisedTextAgainstFreshProblems();
};
