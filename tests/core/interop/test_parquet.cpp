// The Parquet reader on files from two independent writers (DuckDB and arrow-rs, made by
// tests/data/parquet/make_fixtures.cjs), and TRL's completions files becoming samples.
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <cmath>
#include <fstream>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/interop/parquet_file.h"
#include "core/interop/run_follower.h"
#include "core/interop/trl_completions.h"
#include "core/run/memory_sink.h"
#include "tests/core/core_tests.h"

using namespace aha;
namespace fs = std::filesystem;

namespace {

const fs::path kDir = fs::path(AHA_SOURCE_DIR) / "tests/data/parquet";

nlohmann::json expected_rows() {
  std::ifstream in(kDir / "expected.json");
  return nlohmann::json::parse(in);
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string refusal(const fs::path& file) {
  try {
    read_parquet(file);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(read without an error)";
}

}  // namespace

void ParquetTest::readsEveryWriterAndCodec() {
  const auto rows = expected_rows();
  QCOMPARE(rows.size(), size_t(12));
  for (const char* name : {"duckdb_snappy", "duckdb_zstd", "duckdb_gzip", "duckdb_uncompressed", "arrowrs_v1_snappy",
                           "arrowrs_v2_zstd", "arrowrs_plain_gzip"}) {
    const auto t = read_parquet(kDir / (std::string(name) + ".parquet"));
    QCOMPARE(t.rows, int64_t(12));
    for (const char* col : {"step", "prompt", "completion", "accuracy", "format", "source", "advantage"})
      QVERIFY2(t.column(col), qPrintable(QString("%1: no column %2").arg(name, col)));
    // DuckDB's table has a list column: reported, not read.
    QCOMPARE(t.skipped.size(), size_t(QString(name).startsWith("duckdb") ? 1 : 0));
    for (size_t r = 0; r < rows.size(); ++r) {
      const auto& want = rows[r];
      QCOMPARE(t.column("step")->numbers[r], want["step"].get<double>());
      QCOMPARE(t.column("prompt")->texts[r], want["prompt"].get<std::string>());
      QCOMPARE(t.column("completion")->texts[r], want["completion"].get<std::string>());
      QCOMPARE(t.column("accuracy")->numbers[r], want["accuracy"].get<double>());
      QCOMPARE(t.column("source")->texts[r], want["source"].get<std::string>());
      QCOMPARE(t.column("advantage")->numbers[r], want["advantage"].get<double>());
      const auto* format = t.column("format");
      if (want["format"].is_null()) {
        QVERIFY2(!format->present[r] && std::isnan(format->numbers[r]), name);
      } else {
        QVERIFY(format->present[r]);
        QCOMPARE(format->numbers[r], want["format"].get<double>());
      }
    }
  }
}

void ParquetTest::refusesWhatItCannotRead() {
  // Parquet format 2's encodings and an unsupported codec are named, with the column.
  const std::string v2 = refusal(kDir / "duckdb_v2.parquet");
  QVERIFY2(v2.find("duckdb_v2.parquet: column '") != std::string::npos &&
               (v2.find("DELTA") != std::string::npos || v2.find("BYTE_STREAM_SPLIT") != std::string::npos),
           v2.c_str());
  const std::string brotli = refusal(kDir / "arrowrs_brotli.parquet");
  QVERIFY2(brotli.find("compressed with BROTLI (supported: UNCOMPRESSED, SNAPPY, GZIP, ZSTD)") != std::string::npos,
           brotli.c_str());
  QTemporaryDir dir;
  const std::string good = slurp(kDir / "arrowrs_v1_snappy.parquet");
  const fs::path cut = dir.filePath("cut.parquet").toStdString();
  std::ofstream(cut, std::ios::binary) << good.substr(0, good.size() / 2);
  QVERIFY2(refusal(cut).find("not a Parquet file") != std::string::npos, refusal(cut).c_str());
  QVERIFY(refusal(dir.filePath("absent.parquet").toStdString()).find("cannot open") != std::string::npos);
  // Damaged bytes anywhere: an error or a table, never a crash or a hang.
  std::mt19937 rng(5);
  int refused = 0;
  for (const char* name : {"arrowrs_v1_snappy", "arrowrs_v2_zstd", "duckdb_uncompressed", "duckdb_gzip"}) {
    const std::string bytes = slurp(kDir / (std::string(name) + ".parquet"));
    for (int k = 0; k < 300; ++k) {
      std::string damaged = bytes;
      for (int flips = 1 + rng() % 4; flips > 0; --flips) damaged[4 + rng() % (damaged.size() - 8)] ^= 1 << (rng() % 8);
      const fs::path f = dir.filePath("damaged.parquet").toStdString();
      std::ofstream(f, std::ios::binary | std::ios::trunc) << damaged;
      refused += refusal(f) != "(read without an error)";
    }
  }
  QVERIFY(refused > 0);
}

void ParquetTest::trlCompletionsBecomeSamples() {
  // TRL's output_dir while it trains with log_completions: a completions file for step 7,
  // and trainer_state.json written later (at save_steps) with the trainer's metrics.
  QTemporaryDir dir;
  const fs::path out = dir.path().toStdString();
  fs::create_directories(out / "completions");
  fs::copy_file(kDir / "arrowrs_v1_snappy.parquet", out / "completions" / "completions_00007.parquet");
  std::ofstream(out / "completions" / "completions_00008.parquet") << "PAR1 still being written";
  MemorySink sink;
  sink.begin_run({}, false);
  RolloutStepBuilder builder(default_reflection_lexicon(), nullptr);
  std::vector<std::string> reports;
  RunFollower follower("trl", out, sink, builder, [&](const std::string& m) { reports.push_back(m); },
                       {{"accuracy", 1.0}, {"format", 0.1}});
  QCOMPARE(follower.poll(0), 1);
  QVERIFY2(reports.empty(), reports.empty() ? "" : reports[0].c_str());
  QVERIFY(!follower.pending().empty());  // step 8 is not whole yet: left for the next look
  QCOMPARE(sink.steps.size(), size_t(1));
  const auto& step = sink.steps[0];
  QCOMPARE(step.step, int64_t(7));
  QCOMPARE(step.samples.size(), size_t(12));
  const auto rows = expected_rows();
  for (size_t r = 0; r < 12; ++r) {
    const auto& s = step.samples[r];
    QCOMPARE(s.group_index, int(r / 4));
    QCOMPARE(s.advantage, rows[r]["advantage"].get<double>());  // TRL's own
    QCOMPARE(s.correct, rows[r]["accuracy"].get<double>() > 0.5);
    const double format = rows[r]["format"].is_null() ? 0.0 : 0.1;
    QCOMPARE(s.reward, rows[r]["accuracy"].get<double>() + format);
    QVERIFY(s.extra.find("\"source\":\"gen-" + std::to_string(r / 4) + "\"") != std::string::npos);
  }
  QVERIFY(step.samples[1].aha_score > 0);  // "so 41 wait, 41 was wrong 42": detected
  QCOMPARE(sink.metric(0, "accuracy"), 0.5);
  // The trainer's metrics arrive at the save and join the stored step.
  std::ofstream(out / "trainer_state.json")
      << R"({"log_history": [{"step": 7, "kl": 0.02, "grad_norm": NaN, "accuracy": 0.9}]})";
  QCOMPARE(follower.poll(0), 0);
  QCOMPARE(sink.metric(0, "kl"), 0.02);
  QCOMPARE(sink.metric(0, "accuracy"), 0.5);  // the samples' own value is kept
  QCOMPARE(reports.size(), size_t(1));        // grad_norm NaN: said, left out
}
