#include "tests/core/core_tests.h"
#include "tests/support/suites.h"

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  return aha::test::run_suites(argc, argv, {
      aha::test::suite<RuntimeTest>("runtime"),
      aha::test::suite<TransformerTest>("transformer"),
      aha::test::suite<TaskTest>("tasks"),
      aha::test::suite<TokenizerTest>("tokenizer"),
      aha::test::suite<ImportTest>("import"),
      aha::test::suite<LaunchExportTest>("launch_export"),
      aha::test::suite<ParquetTest>("parquet"),
      aha::test::suite<GrpoTest>("grpo"),
      aha::test::suite<ConfigTest>("config"),
      aha::test::suite<TrainerTest>("trainer"),
      aha::test::suite<ContaminationTest>("contamination"),
      aha::test::suite<AnchorsTest>("anchors"),
      aha::test::suite<ReflectionTest>("reflection"),
      aha::test::suite<ReflectionEventsTest>("reflection_events"),
      aha::test::suite<TokenLensTest>("token_lens"),
      aha::test::suite<PassAtKTest>("pass_at_k"),
  });
}
