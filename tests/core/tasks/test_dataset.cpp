// Problems from files (JSONL, CSV, GSM8K answers, Countdown records) and prompt formats.
#include <QtTest/QtTest>

#include <fstream>

#include "core/tasks/dataset_task.h"
#include "core/tasks/prompt_format.h"
#include "core/run/run_config.h"
#include "core/text/tokenizer.h"
#include "tests/core/core_tests.h"

using namespace aha;

namespace {

std::string write_file(const QTemporaryDir& dir, const char* name, const std::string& text) {
  const std::string path = dir.filePath(name).toStdString();
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

}  // namespace

void TaskTest::datasetFilesWithFieldMapping() {
  QTemporaryDir dir;
  TaskOptions o;
  o.name = "dataset";
  o.data_file = write_file(dir, "gsm.jsonl",
                           "{\"question\": \"Tom has 3 apples and buys 4. How many?\", \"answer\": \"3+4=7\\n#### 7\"}\n"
                           "\n"
                           "{\"question\": \"Price of 1,000 pens at $2?\", \"answer\": \"#### 2,000\", \"extra\": 1}\n");
  DatasetTask t(o);
  QCOMPARE(t.size(), size_t(2));
  std::mt19937_64 rng(1);
  std::set<std::string> refs;
  for (int i = 0; i < 40; ++i) refs.insert(t.sample(rng).reference);
  QCOMPARE(refs, (std::set<std::string>{"7", "2000"}));
  Problem p{"q", "2000", {}, 0};
  QVERIFY(t.is_correct(p, "2,000"));
  QVERIFY(t.is_correct(p, "$2000.00"));
  QVERIFY(!t.is_correct(p, "200"));

  // CSV with its own column names, quoted commas and a newline inside quotes; nested
  // JSON fields by dotted name.
  o.data_format = "auto";
  o.question_field = "problem";
  o.answer_field = "solution";
  o.data_file = write_file(dir, "qa.csv", "id,problem,solution\n1,\"Add 2, 3\nand 4\",9\r\n2,What is 6*7?,42\n");
  DatasetTask csv(o);
  QCOMPARE(csv.size(), size_t(2));
  o.data_file = write_file(dir, "nested.jsonl", "{\"problem\": \"1+1\", \"reward_model\": {\"ground_truth\": 2}}\n");
  o.answer_field = "reward_model.ground_truth";
  DatasetTask nested(o);
  QCOMPARE(nested.sample(rng).reference, std::string("2"));
}

void TaskTest::badDatasetLinesAreNamed() {
  QTemporaryDir dir;
  TaskOptions o;
  o.name = "dataset";
  o.data_file = write_file(dir, "mixed.jsonl",
                           "{\"question\": \"a\", \"answer\": \"1\"}\n"
                           "{\"question\": \"b\", \"answer\": \n"          // line 2: broken JSON
                           "{\"question\": \"c\"}\n"                      // line 3: no answer
                           "[1, 2]\n"                                      // line 4: not an object
                           "{\"question\": \"d\", \"answer\": \"4\"}\n");
  const auto load = load_dataset(o);
  QCOMPARE(load.problems.size(), size_t(2));
  QCOMPARE(load.errors.size(), size_t(3));
  QVERIFY(QString::fromStdString(load.errors[0]).contains("mixed.jsonl:2:"));
  QVERIFY(QString::fromStdString(load.errors[1]).contains("mixed.jsonl:3: record has no field \"answer\""));
  QVERIFY(QString::fromStdString(load.errors[2]).contains("mixed.jsonl:4:"));
  o.on_bad_line = "reject";
  try {
    load_dataset(o);
    QFAIL("reject must stop at the first bad line");
  } catch (const std::exception& e) {
    QVERIFY2(QString(e.what()).contains("mixed.jsonl:2:"), e.what());
  }
  // A CSV row with the wrong number of fields, an unterminated quote, a missing file.
  o.on_bad_line = "skip";
  o.data_file = write_file(dir, "rows.csv", "question,answer\nx,1\ny,2,3\n");
  QVERIFY(QString::fromStdString(load_dataset(o).errors.at(0)).contains("rows.csv:3: 3 fields where the header has 2"));
  o.data_file = write_file(dir, "open.csv", "question,answer\n\"never closed,1\n");
  QVERIFY_THROWS_EXCEPTION(std::runtime_error, load_dataset(o));
  // A spreadsheet's byte order mark is not part of the first column's name.
  o.data_file = write_file(dir, "bom.csv", "\xEF\xBB\xBFquestion,answer\nx,1\n");
  QCOMPARE(load_dataset(o).problems.size(), size_t(1));
  // A question of megabytes is a bad line (skipped or rejected as asked), not a batch
  // that exhausts memory.
  o.data_file = write_file(dir, "huge.jsonl", "{\"question\": \"" + std::string(5 << 20, 'x') + "\", \"answer\": \"1\"}\n"
                                              "{\"question\": \"y\", \"answer\": \"2\"}\n");
  const auto huge = load_dataset(o);
  QCOMPARE(huge.problems.size(), size_t(1));
  QVERIFY(QString::fromStdString(huge.errors.at(0)).contains("huge.jsonl:1: record field \"question\" has 5242880 bytes"));
  o.data_file = dir.filePath("missing.jsonl").toStdString();
  try {
    load_dataset(o);
    QFAIL("a missing file must throw");
  } catch (const std::exception& e) {
    QVERIFY(QString(e.what()).contains("missing.jsonl"));
  }
}

void TaskTest::answersMatchNumerically() {
  QVERIFY(answers_match("0.3333333", "1/3", 1e-6));
  QVERIFY(!answers_match("0.33", "1/3", 1e-6));
  QVERIFY(answers_match("0.33", "1/3", 0.02));
  QVERIFY(answers_match("\\boxed{42}", "42", 1e-6));
  QVERIFY(answers_match(" 42. ", "42", 1e-6));
  QVERIFY(answers_match("1e3", "1000", 1e-9));
  QVERIFY(!answers_match("forty-two", "42", 1e-6));
  QVERIFY(answers_match("Paris", " paris", 0));
  QCOMPARE(final_answer_of("so 12*3=36\n#### 1,036"), std::string("1036"));
  QCOMPARE(final_answer_of(" 17 "), std::string("17"));
}

void TaskTest::countdownRecordsFromFile() {
  QTemporaryDir dir;
  TaskOptions o;
  o.name = "countdown";
  o.data_file = write_file(dir, "cd.jsonl",
                           "{\"nums\": [3, 7, 25, 50], \"target\": 125}\n"
                           "{\"nums\": \"[44, 19, 35]\", \"target\": 98}\n"
                           "{\"nums\": [1], \"target\": 1}\n");
  const auto load = load_dataset(o);
  QCOMPARE(load.problems.size(), size_t(2));
  QCOMPARE(load.errors.size(), size_t(1));  // one number is not a puzzle
  DatasetTask t(o);
  const Problem p = load.problems[0];
  QCOMPARE(p.question, std::string("Use 3 7 25 50 to make 125."));
  QVERIFY(t.is_correct(p, "50*3-25"));
  QVERIFY(t.is_correct(p, "50*(7-3)-25*3") == false);  // 3 used twice
  QVERIFY(t.is_correct(load.problems[1], "44+19+35"));
}

void TaskTest::promptTemplates() {
  const Problem p{"2+2=", "4", {}, 0};
  PromptFormat plain;
  QCOMPARE(plain.render(p), std::string("2+2=<think>"));
  QVERIFY(plain.opens_think());
  PromptFormat r1{"r1-zero", "none", ""};
  QVERIFY(QString::fromStdString(r1.render(p)).contains("User: 2+2=\nAssistant: <think>"));
  PromptFormat chat{"{question}", "chatml", "Be brief."};
  QCOMPARE(chat.render(p), std::string("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n2+2=<|im_end|>\n"
                                       "<|im_start|>assistant\n<think>"));
  // The chat's end of turn stops sampling with a Qwen tokenizer; the built-in one can't
  // encode ChatML and says what to change.
  const auto qwen = load_tokenizer(std::filesystem::path(AHA_SHARED_DIR) / "testdata" / "tokenizer-qwen3");
  const auto stops = chat.stop_ids(*qwen);
  QVERIFY(std::find(stops.begin(), stops.end(), *qwen->token_id("<|im_end|>")) != stops.end());
  QVERIFY(chat.check_tokenizer(*qwen).empty());
  const auto builtin = load_tokenizer(resolve_model_path("builtin:tiny-arithmetic"));
  QVERIFY(QString::fromStdString(chat.check_tokenizer(*builtin)).contains("chat_template = \\\"none\\\"") ||
          QString::fromStdString(chat.check_tokenizer(*builtin)).contains("chat_template = \"none\""));
  // Config keys.
  const auto cfg = RunConfig::from_toml("prompt_template = \"r1-zero\"\nchat_template = \"chatml\"\n", "t.toml");
  QCOMPARE(cfg.prompt_format().chat_template, std::string("chatml"));
  QVERIFY_THROWS_EXCEPTION(std::exception, RunConfig::from_toml("chat_template = \"llama\"\n", "t.toml"));
  QVERIFY_THROWS_EXCEPTION(std::exception, RunConfig::from_toml("[task]\nname = \"dataset\"\n", "t.toml"));
}
