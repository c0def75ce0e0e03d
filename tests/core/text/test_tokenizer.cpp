// Byte-level BPE against the golden ids of ../shared/testdata/tokenizer-qwen3, which were
// produced by Hugging Face tokenizers from the same tokenizer.json.
#include <QtTest/QtTest>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/text/pretokenizer.h"
#include "core/text/tokenizer.h"
#include "tests/core/core_tests.h"

using namespace aha;
namespace fs = std::filesystem;

namespace {

const fs::path kQwenDir = fs::path(AHA_SHARED_DIR) / "testdata" / "tokenizer-qwen3";

std::vector<std::string> split(std::string_view text, int digits = 1) {
  std::vector<std::string_view> pieces;
  PreTokenizer(digits).split(text, pieces);
  return {pieces.begin(), pieces.end()};
}

}  // namespace

void TokenizerTest::initTestCase() {
  if (!fs::exists(kQwenDir / "tokenizer.json"))
    QFAIL(qPrintable(QString("missing %1 (the shared test data beside the repository)")
                         .arg(QString::fromStdString(kQwenDir.string()))));
  qwen_ = load_tokenizer(kQwenDir);
}

void TokenizerTest::qwen3GoldenIdsAndDecoding() {
  std::ifstream in(kQwenDir / "golden.jsonl");
  std::string line;
  int checked = 0, line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    const auto j = nlohmann::json::parse(line);
    const auto text = j.at("text").get<std::string>();
    const auto expected = j.at("ids").get<std::vector<int>>();
    const auto ids = qwen_->encode(text);
    if (ids != expected) {
      std::string got;
      for (int id : ids) got += std::to_string(id) + ",";
      QFAIL(qPrintable(QString("golden line %1 %2: got ids %3").arg(line_no).arg(QString::fromStdString(j.at("text").dump()))
                           .arg(QString::fromStdString(got))));
    }
    QCOMPARE(qwen_->decode(ids), j.at("decoded").get<std::string>());
    ++checked;
  }
  QVERIFY2(checked >= 200, "the golden file should have 200+ lines");
}

void TokenizerTest::splitFollowsTheRegex() {
  // \s+(?!\S) leaves the last space of a run to the next word.
  QCOMPARE(split("a   b"), (std::vector<std::string>{"a", "  ", " b"}));
  // A newline run takes the spaces before it; spaces after it stay with the next word.
  QCOMPARE(split("x \n\n  y"), (std::vector<std::string>{"x", " \n\n", " ", " y"}));
  // Contractions, digits one by one (Qwen) or three at a time (Llama-3), punctuation runs.
  QCOMPARE(split("it's 12345!!\n"), (std::vector<std::string>{"it", "'s", " ", "1", "2", "3", "4", "5", "!!\n"}));
  QCOMPARE(split("12345", 3), (std::vector<std::string>{"123", "45"}));
  // Letters of any script; a non-letter prefix character joins the word.
  QCOMPARE(split("(检查)"), (std::vector<std::string>{"(检查", ")"}));
  QCOMPARE(split("trailing  "), (std::vector<std::string>{"trailing", "  "}));
  QVERIFY(PreTokenizer::from_regex("\\s+").has_value() == false);
}

void TokenizerTest::addedTokensAndSpecials() {
  const auto think = qwen_->token_id("<think>");
  QVERIFY(think.has_value());
  const auto ids = qwen_->encode("a<think>b</think>");
  QCOMPARE(std::count(ids.begin(), ids.end(), *think), 1);
  QCOMPARE(qwen_->decode(ids), std::string("a<think>b</think>"));
  // End of sequence is a special token and skip_special drops it; <think> is not special.
  const auto eos = qwen_->eos_id();
  QCOMPARE(qwen_->decode({eos}), qwen_->decode({eos}, false));
  QCOMPARE(qwen_->decode({*think, eos}, true), std::string("<think>"));
  QVERIFY(qwen_->token_id("<|im_start|>").has_value());
  QCOMPARE(qwen_->pad_id() >= 0, true);
}

void TokenizerTest::invalidUtf8NeverThrows() {
  const std::string bad = "ok \xff\xfe then \xe4\xb8 cut";
  const auto ids = qwen_->encode(bad);
  QVERIFY(!ids.empty());
  const std::string back = qwen_->decode(ids);
  QVERIFY(back.find("ok ") == 0);
  QVERIFY(back.find("\xEF\xBF\xBD") != std::string::npos);  // U+FFFD stands in
  // A multi-byte character split across ids decodes only when complete.
  const auto zh = qwen_->encode("检");
  QVERIFY(!zh.empty());
  QCOMPARE(qwen_->decode(zh), std::string("检"));
}

void TokenizerTest::saveRoundTrips() {
  QTemporaryDir dir;
  qwen_->save(dir.path().toStdString());
  const auto again = load_tokenizer(dir.path().toStdString());
  const std::string text = "Wait, 23*17 = 391? 让我检查一下。";
  QCOMPARE(again->encode(text), qwen_->encode(text));
  QCOMPARE(again->eos_id(), qwen_->eos_id());
}

void TokenizerTest::unsupportedFilesAreNamed() {
  QTemporaryDir dir;
  auto j = nlohmann::json::parse(std::ifstream(kQwenDir / "tokenizer.json"));
  j["pre_tokenizer"] = {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", true}};
  std::ofstream(fs::path(dir.path().toStdString()) / "tokenizer.json") << j.dump();
  try {
    load_tokenizer(dir.path().toStdString());
    QFAIL("an unsupported pre-tokenizer must be refused");
  } catch (const std::exception& e) {
    const std::string msg = e.what();
    QVERIFY2(msg.find("tokenizer.json") != std::string::npos && msg.find("pre_tokenizer") != std::string::npos, e.what());
  }
}
