#include <QtTest/QtTest>

#include "core/tasks/arithmetic_task.h"
#include "core/text/char_tokenizer.h"
#include "core/tasks/corpus.h"
#include "core/tasks/countdown_task.h"
#include "core/tasks/rewards.h"

#include <sstream>
#include "tests/core/core_tests.h"

using namespace aha;

void TaskTest::charTokenizerRoundTrip() {
  CharTokenizer tok;
  const std::string text = "347+285=<think>7+5=12 check ok</think><answer>632</answer>";
  auto ids = tok.encode(text);
  QCOMPARE(tok.decode(ids), text);
  // Tags are one id each.
  QCOMPARE(int(ids.size()), int(text.size() - (7 + 8 + 8 + 9) + 4));
  QCOMPARE(ids[8], *tok.token_id("<think>"));
  // Non-ASCII becomes one <unk> per code point, never a crash.
  auto unk = tok.encode("é中");
  QCOMPARE(unk.size(), size_t(2));
  QCOMPARE(tok.decode({tok.eos_id(), tok.pad_id()}), std::string());
}

void TaskTest::arithmeticVerifies() {
  TaskOptions o;
  ArithmeticTask t(o);
  std::mt19937_64 rng(3);
  for (int i = 0; i < 50; ++i) {
    Problem p = t.sample(rng);
    QCOMPARE(int(p.numbers.size()), 3);
    long sum = 0;
    for (int v : p.numbers) {
      QVERIFY(v >= 10 && v <= 999);
      sum += v;
    }
    QVERIFY(t.is_correct(p, std::to_string(sum)));
    QVERIFY(t.is_correct(p, " " + std::to_string(sum) + " "));
    QVERIFY(!t.is_correct(p, std::to_string(sum + 1)));
    QVERIFY(!t.is_correct(p, std::to_string(sum) + "0"));
    QVERIFY(!t.is_correct(p, ""));
    QVERIFY(!t.is_correct(p, "0" + std::to_string(sum) + "x"));
  }
}

void TaskTest::columnCheckIsDigitByDigit() {
  QCOMPARE(ArithmeticTask::column_check(347, 285), std::string("7+5=12 4+8+1=13 3+2+1=6"));
  QCOMPARE(ArithmeticTask::column_check(85, 95), std::string("5+5=10 8+9+1=18"));
  QCOMPARE(ArithmeticTask::column_check(1203, 45), std::string("3+5=8 0+4=4 2=2 1=1"));
  QCOMPARE(ArithmeticTask::column_check(999, 1), std::string("9+1=10 9+1=10 9+1=10"));
}

void TaskTest::workedSolutionCatchesMistakes() {
  TaskOptions o;
  ArithmeticTask t(o);
  std::mt19937_64 rng(5);
  int wrong_answers = 0, fixes = 0;
  for (int i = 0; i < 300; ++i) {
    Problem p = t.sample(rng);
    // Every step mistaken and every step checked: each check must catch and fix it.
    auto [think, answer] = t.worked_solution(p, {1.0, 1.0}, rng);
    QVERIFY2(t.is_correct(p, answer), think.c_str());
    fixes += think.find(" was wrong") != std::string::npos;
    // Mistakes never checked: the final answer is wrong.
    auto [think2, answer2] = t.worked_solution(p, {1.0, 0.0}, rng);
    wrong_answers += !t.is_correct(p, answer2);
    QVERIFY(think2.find("check") == std::string::npos);
  }
  QCOMPARE(fixes, 300);
  QVERIFY(wrong_answers > 250);
  // A clean solution has no check and the right answer.
  Problem p = t.sample(rng);
  auto [think, answer] = t.worked_solution(p, {0.0, 0.0}, rng);
  QVERIFY(t.is_correct(p, answer));
  QVERIFY(think.find("check") == std::string::npos);
}

void TaskTest::corpusMixesDrillsAndSolutions() {
  TaskOptions o;
  ArithmeticTask t(o);
  CorpusOptions c;
  c.fact_drill_rate = 0.5;
  c.drill_rate = 0.0;
  CorpusGenerator gen(t, c, 7);
  int facts = 0, solutions = 0;
  for (int i = 0; i < 400; ++i) {
    const std::string line = gen.next();
    if (line.find("<think>") == std::string::npos) {
      ++facts;
      // Every fact is right: "a+b(+1)=s".
      std::istringstream in(line);
      std::string fact;
      while (in >> fact) {
        int sum = 0, value = 0;
        const auto eq = fact.find('=');
        std::istringstream terms(fact.substr(0, eq));
        std::string term;
        while (std::getline(terms, term, '+')) sum += std::stoi(term);
        value = std::stoi(fact.substr(eq + 1));
        QCOMPARE(value, sum);
      }
    } else {
      ++solutions;
      QVERIFY(line.size() > 10 && line.find("</answer>") != std::string::npos);
    }
  }
  QVERIFY(facts > 150 && solutions > 150);
}

void TaskTest::countdownVerifierRejectsCheats() {
  TaskOptions o;
  o.name = "countdown";
  CountdownTask t(o);
  Problem p;
  p.numbers = {3, 7, 25, 50};
  p.target = 125;
  QVERIFY(t.is_correct(p, "(50-25)*(7-3) + 25 - 0") == false);  // 25 used twice, 0 foreign
  QVERIFY(t.is_correct(p, "50+25+7*7") == false);               // 7 reused
  QVERIFY(t.is_correct(p, "(50/25)*7") == false);               // wrong value
  QVERIFY(t.is_correct(p, "50/(7-7)") == false);                // division by zero
  QVERIFY(t.is_correct(p, "50*(") == false);                    // syntax error
  QVERIFY(t.is_correct(p, "25*(7-3)+50-25") == false);          // 25 twice
  QVERIFY(t.is_correct(p, "(7-3+25/25)*25") == false);
  QVERIFY(t.is_correct(p, "50*(3+7)/4") == false);              // 4 is not given
  QVERIFY(t.is_correct(p, "25*(7-3) + 50/(3+7)") == false);     // 3 and 7 reused
  p.target = 100 + 25;
  QVERIFY(t.is_correct(p, "50 + 25*3"));                         // 125, each at most once
  QVERIFY(t.is_correct(p, "(50+25)*(7-3)/3 - 75") == false);
  auto ev = CountdownTask::evaluate("7/2");
  QVERIFY(ev.ok);
  QCOMPARE(ev.num, 7L);
  QCOMPARE(ev.den, 2L);
}

void TaskTest::countdownProblemsAreSolvable() {
  TaskOptions o;
  o.name = "countdown";
  CountdownTask t(o);
  std::mt19937_64 rng(9);
  for (int i = 0; i < 30; ++i) {
    Problem p = t.sample(rng);
    QVERIFY(p.target > 0 && p.target <= o.countdown_max_target);
    auto [steps, answer] = t.worked_solution(p, {}, rng);
    QVERIFY2(t.is_correct(p, answer), (p.question + " -> " + answer).c_str());
  }
}

void TaskTest::responseFormatParsing() {
  auto ok = parse_response("<think>1+1=2</think><answer>2</answer>");
  QVERIFY(ok.format_ok);
  QCOMPARE(ok.answer, std::string("2"));
  QCOMPARE(ok.think, std::string("1+1=2"));
  QVERIFY(parse_response("<think>x</think>\n<answer>2</answer>\n").format_ok);
  QVERIFY(!parse_response("<think>x</think>junk<answer>2</answer>").format_ok);
  QVERIFY(!parse_response("<answer>2</answer>").format_ok);
  QVERIFY(!parse_response("<think>x</think><answer>2</answer><answer>3</answer>").format_ok);
  // The last complete answer counts for accuracy even when the format is broken.
  auto two = parse_response("<think>x</think><answer>2</answer><answer>3</answer>");
  QVERIFY(two.has_answer);
  QCOMPARE(two.answer, std::string("3"));
  QVERIFY(!parse_response("<think>x</think><answer>2").has_answer);
}

void TaskTest::rewardsWeighAndName() {
  TaskOptions o;
  ArithmeticTask t(o);
  Problem p;
  p.numbers = {1, 2};
  p.reference = "3";
  auto acc = make_reward_function("accuracy", 1.0);
  auto fmt = make_reward_function("format", 0.1);
  auto r = parse_response("<think>1+2=3</think><answer>3</answer>");
  QCOMPARE(acc.score(t, p, r, 10), 1.0);
  QCOMPARE(fmt.score(t, p, r, 10), 1.0);
  QCOMPARE(acc.score(t, p, parse_response("<think>1+2=4</think><answer>4</answer>"), 10), 0.0);
  QCOMPARE(fmt.weight, 0.1);
  QVERIFY_EXCEPTION_THROWN(make_reward_function("length", 1.0), std::invalid_argument);
}

void TaskTest::softOverlongPunishment() {
  // max 100, buffer 20: free up to 80 tokens, then -1/20 per token, -1 from 100 on.
  QCOMPARE(soft_overlong_punishment(50, 100, 20), 0.0);
  QCOMPARE(soft_overlong_punishment(80, 100, 20), 0.0);
  QCOMPARE(soft_overlong_punishment(90, 100, 20), -0.5);
  QCOMPARE(soft_overlong_punishment(100, 100, 20), -1.0);
  QCOMPARE(soft_overlong_punishment(130, 100, 20), -1.0);
  auto f = make_reward_function("soft_overlong_punishment", 0.5, {100, 20});
  TaskOptions o;
  ArithmeticTask t(o);
  QCOMPARE(f.score(t, Problem{}, ParsedResponse{}, 95), -0.75);
  QCOMPARE(f.weight, 0.5);
  QVERIFY_EXCEPTION_THROWN(make_reward_function("soft_overlong_punishment", 1.0, {100, 100}), std::invalid_argument);
}

