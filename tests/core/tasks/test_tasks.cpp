#include <QtTest/QtTest>

#include "core/tasks/arithmetic_task.h"
#include "core/text/char_tokenizer.h"
#include "core/tasks/corpus.h"
#include "core/tasks/countdown_task.h"
#include "core/tasks/control_rewards.h"
#include "core/tasks/rewards.h"

#include <random>
#include <set>
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
  QCOMPARE(acc.score({t, p, r, 10}), 1.0);
  QCOMPARE(fmt.score({t, p, r, 10}), 1.0);
  const auto wrong = parse_response("<think>1+2=4</think><answer>4</answer>");
  QCOMPARE(acc.score({t, p, wrong, 10}), 0.0);
  QCOMPARE(fmt.weight, 0.1);
  QVERIFY_EXCEPTION_THROWN(make_reward_function("length", 1.0), std::invalid_argument);
}

void TaskTest::controlRewards() {
  TaskOptions o;
  ArithmeticTask t(o);
  Problem p;
  p.question = "12+19=";
  p.reference = "31";
  const auto right = parse_response("<think>12+19=31</think><answer>31</answer>");
  const auto broken = parse_response("31");

  // random: 1 with probability p, from the sample's key alone: the same draw for any text,
  // a different one for another seed, step or place; about p of them over many samples.
  auto random = make_reward_function("random", 1.0, {0, 0, 0.3});
  int ones = 0, same = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    const uint64_t key = sample_key(7, i / 64, (i / 8) % 8, i % 8);
    const double a = random.score({t, p, right, 10, key}), b = random.score({t, p, broken, 99, key});
    same += a == b;
    ones += a == 1.0;
  }
  QCOMPARE(same, n);
  QVERIFY2(std::abs(ones / double(n) - 0.3) < 0.015, qPrintable(QString::number(ones / double(n))));
  QVERIFY(sample_key(7, 1, 0, 0) != sample_key(8, 1, 0, 0));
  QVERIFY(sample_key(7, 1, 0, 1) != sample_key(7, 1, 1, 0));
  QCOMPARE(make_reward_function("random", 1.0, {0, 0, 0.0}).score({t, p, right, 10, 1}), 0.0);
  QCOMPARE(make_reward_function("random", 1.0, {0, 0, 1.0}).score({t, p, right, 10, 1}), 1.0);
  QVERIFY_THROWS_EXCEPTION(std::invalid_argument, make_reward_function("random", 1.0, {0, 0, 1.5}));

  // incorrect_label: a near miss of the answer, fixed per problem (by its text), never the
  // truth; the true answer earns nothing, the wrong label earns 1.
  const auto label = with_wrong_label(p);
  QVERIFY(label.has_value());
  QVERIFY(label->reference != "31");
  const long miss = std::stol(label->reference) - 31;
  QVERIFY2(miss == 1 || miss == -1 || miss == 2 || miss == -2 || miss == 10 || miss == -10 || miss == 100,
           qPrintable(QString::fromStdString(label->reference)));
  QCOMPARE(with_wrong_label(p)->reference, label->reference);  // the same each time it is seen
  auto incorrect = make_reward_function("incorrect_label", 1.0);
  QCOMPARE(incorrect.score({t, p, right, 10}), 0.0);
  const auto labelled = parse_response("<think>x</think><answer>" + label->reference + "</answer>");
  QCOMPARE(incorrect.score({t, p, labelled, 10}), 1.0);
  // Over many problems the misses spread over their kinds, and a small count stays >= 0.
  std::set<long> misses;
  std::mt19937_64 rng(3);
  for (int i = 0; i < 400; ++i) {
    const Problem q = t.sample(rng);
    const auto w = with_wrong_label(q);
    QVERIFY(w && w->reference != q.reference && std::stol(w->reference) >= 0);
    misses.insert(std::stol(w->reference) - std::stol(q.reference));
  }
  QCOMPARE(misses.size(), size_t(8));
  // Countdown: the target moves, so an expression reaching the wrong target is rewarded.
  TaskOptions co;
  co.name = "countdown";
  const auto countdown = make_task(co);
  Problem c;
  c.question = "Use 3 5 7 to make 22.";
  c.numbers = {3, 5, 7};
  c.target = 22;
  c.reference = "22";
  const auto cw = with_wrong_label(c);
  QCOMPARE(cw->target, std::stoi(cw->reference));
  QVERIFY(cw->target != 22);
  QCOMPARE(incorrect.score({*countdown, c, parse_response("<think>x</think><answer>3*5+7</answer>"), 10}), 0.0);
  // Decimal answers keep their fraction; words have no wrong label (and earn nothing).
  Problem d;
  d.question = "Half of 25?";
  d.reference = "12.5";
  QVERIFY(with_wrong_label(d)->reference.find(".5") != std::string::npos);
  d.reference = "Paris";
  QVERIFY(!with_wrong_label(d));

  // format_only: the format reward under its own name (the arm that trains on format alone).
  auto format_only = make_reward_function("format_only", 1.0);
  QCOMPARE(format_only.score({t, p, labelled, 10}), 1.0);
  QCOMPARE(format_only.score({t, p, broken, 10}), 0.0);
  QVERIFY(is_control_reward("random") && is_control_reward("incorrect_label") && is_control_reward("format_only"));
  QVERIFY(!is_control_reward("accuracy") && !is_control_reward("format"));
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
  QCOMPARE(f.score({t, Problem{}, ParsedResponse{}, 95}), -0.75);
  QCOMPARE(f.weight, 0.5);
  QVERIFY_EXCEPTION_THROWN(make_reward_function("soft_overlong_punishment", 1.0, {100, 100}), std::invalid_argument);
}

