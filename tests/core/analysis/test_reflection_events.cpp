#include <cmath>

#include "core/analysis/answer_trajectory.h"
#include "core/analysis/arithmetic.h"
#include "core/analysis/reflection.h"
#include "core/run/reanalysis.h"
#include "core/run/step_metrics.h"
#include "core/tasks/countdown_task.h"
#include "tests/core/analysis/event_scoring.h"
#include "tests/core/core_tests.h"

using namespace aha;

void ReflectionEventsTest::arithmeticAsWritten() {
  QCOMPARE(*evaluate("761+853"), 1614.0);
  QVERIFY(std::abs(*evaluate("24 \xC3\x97 0.3 + 24 \xC3\x97 0.05") - 8.4) < 1e-12);  // ×
  QCOMPARE(*evaluate("5(7) \xE2\x88\x92 3"), 32.0);                                   // −, implicit product
  QCOMPARE(*evaluate("(9 + 12 - 15)"), 6.0);
  QCOMPARE(*evaluate("3 x 4"), 12.0);
  QCOMPARE(*evaluate("1 \xC3\xB7 5/36"), 7.2);  // ÷
  QVERIFY(!evaluate("x + 3"));
  QVERIFY(!evaluate("1/0"));
  QVERIFY(!evaluate("4 6+5"));  // two numbers side by side: not one expression

  const auto thousands = number_at("1,200 apples", 0);
  QCOMPARE(thousands->text, std::string("1200"));
  QCOMPARE(number_at("3, 7, 25", 0)->text, std::string("3"));  // a list, not 3,7
  QCOMPARE(number_at("7.40.", 0)->decimals, 2);
  QCOMPARE(number_at("36/5 km", 0, true)->value, 7.2);
  QCOMPARE(number_at("36/5", 0, false)->value, 36.0);

  QVERIFY(same_number(1.0 / 3, *number_at("0.33", 0)));  // within half a unit of the last digit
  QVERIFY(!same_number(7.4, *number_at("7", 0)));           // integers are exact
  QVERIFY(same_value("7.4", "7.40"));
  QVERIFY(same_value("1/2", "0.5"));
  QVERIFY(!same_value("1614", "1594"));

  // Free text's notation (issue 37).
  QCOMPARE(*evaluate("2^5"), 32.0);
  QCOMPARE(*evaluate("-2^2"), -4.0);  // as mathematics reads it
  QCOMPARE(*evaluate("(-2)^2"), 4.0);
  QCOMPARE(*evaluate("3\xC2\xB2 + 4\xC2\xB2"), 25.0);  // ² 
  QCOMPARE(*evaluate("2**10"), 1024.0);
  QCOMPARE(*evaluate("5!"), 120.0);
  QCOMPARE(*evaluate("25% of 24"), 6.0);
  QCOMPARE(*evaluate("4000 \xC3\x97 15%"), 600.0);
  QCOMPARE(*evaluate("1 1/4 + 2"), 3.25);  // a mixed number
  QCOMPARE(*evaluate("7:40 \xE2\x88\x92 7:38"), 2.0);  // clock times subtract in minutes
  QCOMPARE(number_at("\xE2\x88\x92" "76.5 cm", 0)->value, -76.5);  // − as a sign
  QCOMPARE(number_at("4 1/4 cups", 0, true)->value, 4.25);
  QCOMPARE(number_at("4 1/4 cups", 0, false)->value, 4.0);
  QVERIFY(same_value("96%", "0.96"));
  QVERIFY(same_value("50%", "1/2"));
  QVERIFY(!same_value("96%", "96"));
  QVERIFY(same_number(1.0 / 3, *number_at("33.3%", 0)));
}

void ReflectionEventsTest::freeTextByTheRunningAnswer() {
  ReflectionDetector d;
  auto outcome_of = [&](const std::string& text, const std::string& reference, size_t event = 0) {
    const auto r = d.analyse(text, "", numeric_judge(reference));
    return r.events.size() > event ? r.events[event] : ReflectionEvent{};
  };
  // A premise read wrong: each equation holds in its own role; the running answer went
  // 35 -> 36.
  const auto misread = outcome_of("<think>27+8 = 35. Wait, that's wrong: 27+9 = 36.</think><answer>36</answer>", "36");
  QCOMPARE(misread.outcome, ReflectionOutcome::Fix);
  QCOMPARE(misread.before, std::string("35"));
  QCOMPARE(misread.after, std::string("36"));
  // An intermediate value: 3.60 would have led to 21.40, 5.40 leads to 19.60.
  const std::string juices =
      "<think>4 \xC3\x97 6.25 = 25.00 dollars. Juices: 2 \xC3\x97 1.80 = 3.60 dollars.\n\nWait, the problem says 3 "
      "juices. So 3 \xC3\x97 1.80 = 5.40 dollars.\n\nTotal: 25.00 + 5.40 = 30.40.\n\nChange: 50 \xE2\x88\x92 30.40 = "
      "19.60.</think><answer>19.60</answer>";
  QCOMPARE(outcome_of(juices, "19.60").outcome, ReflectionOutcome::Fix);
  QCOMPARE(outcome_of(juices, "21.40").outcome, ReflectionOutcome::Break);  // had 2 juices been right
  // A conversion: 3.2 公斤 is 3200 克, not 320.
  const auto kilos = outcome_of(
      "<think>3.2 \xE5\x85\xAC\xE6\x96\xA4 = 320 \xE5\x85\x8B\xE3\x80\x82\n\xE7\xAD\x89\xE7\xAD\x89\xEF\xBC\x8C" "1 "
      "\xE5\x85\xAC\xE6\x96\xA4 = 1000 \xE5\x85\x8B\xEF\xBC\x8C" "3.2 \xE5\x85\xAC\xE6\x96\xA4 = 3200 "
      "\xE5\x85\x8B\xE3\x80\x82\n" "3200 \xE2\x88\x92 250 = 2950\xE3\x80\x82</think><answer>2950</answer>",
      "2950");
  QCOMPARE(kilos.outcome, ReflectionOutcome::Fix);
  // Countdown: 25 + 25 - 3 reaches 47 and breaks the rule; the task judges expressions.
  Problem p;
  p.numbers = {25, 3, 19, 6};
  p.target = 47;
  const AnswerJudge countdown(
      [p](std::string_view value, std::string_view expression) -> std::optional<bool> {
        return CountdownTask(TaskOptions{}).is_correct(p, expression.empty() ? value : expression);
      },
      true);
  const std::string twice =
      "<think>So 25 + 25 - 3 = 47.\nWait, 25 only appears once, so I can't use it twice. So 25 + 19 + 3 = 47."
      "</think><answer>25 + 19 + 3</answer>";
  const auto r = d.analyse(twice, "25 + 19 + 3", countdown);
  QCOMPARE(r.events.at(0).outcome, ReflectionOutcome::Fix);
  const std::string kept = "<think>So 25 + 25 - 3 = 47.\nLet me check: 25 + 25 = 50, 50 - 3 = 47. So 25 + 25 - 3 = 47."
                           "</think><answer>25 + 25 - 3</answer>";
  QCOMPARE(d.analyse(kept, "25 + 25 - 3", countdown).events.at(0).outcome, ReflectionOutcome::Miss);
}

void ReflectionEventsTest::nearMissesStayOut() {
  ReflectionDetector d;
  for (const char* text : {
           "Mr. Hmm sells 36 apples.", "Hmm the cat eats 85 g a day.", "After the 20-minute wait, the line moves.",
           "The waiter checks 40 receipts.", "\xE5\x88\xA4\xE6\x96\xAD\xE4\xB8\x8D\xE5\xAF\xB9\xE7\x9A\x84\xE6\x9C\x89 4 "
           "\xE4\xB8\xAA",  // 判断不对的有 4 个
           "\xE9\xAA\x8C\xE7\xAE\x97 2 \xE5\x88\x86\xE9\x92\x9F",  // 验算 2 分钟
           "\xE5\xA6\x88\xE5\xA6\x88\xE8\xAE\xA9\xE5\xB0\x8F\xE6\x98\x8E\xE6\xA3\x80\xE6\x9F\xA5\xE4\xB8\x80"
           "\xE4\xB8\x8B\xE4\xBD\x9C\xE4\xB8\x9A",  // 妈妈让小明检查一下作业
           "\xE5\xB0\x8F\xE6\x98\x8E\xE6\x8D\xA2\xE4\xB8\x80\xE7\xA7\x8D\xE6\x96\xB9\xE6\xB3\x95\xE4\xB8\x8A"
           "\xE5\xAD\xA6",  // 小明换一种方法上学
       })
    QVERIFY2(d.analyse(text).events.empty(), text);
  // The same words as reflections.
  QCOMPARE(int(d.analyse("Hmm, 9 hours can't be right.").events.size()), 1);
  QCOMPARE(int(d.analyse("Wait, the problem says 3 juices.").events.size()), 1);
  QCOMPARE(int(d.analyse("\xE9\xAA\x8C\xE7\xAE\x97\xEF\xBC\x9A25 + 27 = 52").events.size()), 1);  // 验算：
}

void ReflectionEventsTest::trajectoryOfADemoTrace() {
  const std::string text =
      "761+853=1594 check 1+3=4 6+5=11 7+8+1=16 so 1614 1614+652=2266</think><answer>2266</answer>";
  const auto tr = answer_trajectory(text, numeric_judge("2266"));
  struct Want {
    ClaimKind kind;
    const char* value;
    const char* expression;
    int holds;  // -1: not an equation
  };
  const std::vector<Want> want = {{ClaimKind::Equation, "1594", "761+853", 0},  {ClaimKind::Equation, "4", "1+3", 1},
                                  {ClaimKind::Equation, "11", "6+5", 1},        {ClaimKind::Equation, "16", "7+8+1", 1},
                                  {ClaimKind::Conclusion, "1614", "", -1},       {ClaimKind::Equation, "2266", "1614+652", 1},
                                  {ClaimKind::Answer, "2266", "", -1}};
  QCOMPARE(tr.claims.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    const auto& c = tr.claims[i];
    QCOMPARE(c.kind, want[i].kind);
    QCOMPARE(c.value, std::string(want[i].value));
    QCOMPARE(c.expression, std::string(want[i].expression));
    QCOMPARE(c.holds.has_value() ? int(*c.holds) : -1, want[i].holds);
  }
  QCOMPARE(text.substr(tr.claims[4].value_begin, 4), std::string("1614"));
  QCOMPARE(tr.claims[4].right, std::optional<bool>(false));  // a candidate, not the final answer
  QCOMPARE(tr.claims[6].right, std::optional<bool>(true));
  // The running candidate when the second sum starts is the check's conclusion.
  QCOMPARE(tr.candidate_before(text.find("1614+652"))->value, std::string("1614"));
  QCOMPARE(tr.final_answer()->value, std::string("2266"));
}

void ReflectionEventsTest::trajectoryOfProse() {
  ReflectionDetector d;
  const std::string en =
      "<think>Cost: 24 \xC3\x97 0.35 = 7.40. Let me double-check: 24 \xC3\x97 0.35 = 7.2 + 1.2 = 8.4. So the pencils "
      "cost 8.40, not 7.40. Change: 10 - 8.40 = 1.60.</think><answer>1.60</answer>";
  const auto tr = answer_trajectory(en, numeric_judge("1.60"));
  std::vector<ClaimKind> kinds;
  for (const auto& c : tr.claims) kinds.push_back(c.kind);
  const std::vector<ClaimKind> want = {ClaimKind::Equation,   ClaimKind::Equation, ClaimKind::Conclusion,
                                       ClaimKind::Retraction, ClaimKind::Equation, ClaimKind::Answer};
  QCOMPARE(kinds, want);
  QCOMPARE(tr.claims[0].holds, std::optional<bool>(false));  // 24 × 0.35 is 8.4
  QVERIFY(tr.claims[1].worked);
  QCOMPARE(tr.claims[1].holds, std::optional<bool>(true));
  QCOMPARE(tr.claims[3].value, std::string("7.40"));
  const auto r = d.analyse(en, "1.60", numeric_judge("1.60"));
  QCOMPARE(int(r.events.size()), 1);
  QCOMPARE(r.events[0].behaviour, ReflectionCategory::Verification);
  QCOMPARE(r.events[0].outcome, ReflectionOutcome::Fix);
  QCOMPARE(r.events[0].before, std::string("7.40"));
  QCOMPARE(r.events[0].after, std::string("8.4"));  // the worked restatement comes first

  // 我再检查一下 ... 所以应该是1692，不是1682。
  const std::string zh = "<think>47 \xC3\x97 36 = 1682\xE3\x80\x82\xE6\x88\x91\xE5\x86\x8D\xE6\xA3\x80\xE6\x9F\xA5"
                         "\xE4\xB8\x80\xE4\xB8\x8B\xEF\xBC\x9A" "47 \xC3\x97 36 = 1410 + 282 = 1692\xE3\x80\x82"
                         "\xE6\x89\x80\xE4\xBB\xA5\xE5\xBA\x94\xE8\xAF\xA5\xE6\x98\xAF" "1692\xEF\xBC\x8C\xE4\xB8\x8D"
                         "\xE6\x98\xAF" "1682\xE3\x80\x82</think><answer>1692</answer>";
  const auto z = d.analyse(zh, "1692", numeric_judge("1692"));
  QCOMPARE(int(z.events.size()), 1);
  QCOMPARE(z.events[0].outcome, ReflectionOutcome::Fix);
  QCOMPARE(z.events[0].after, std::string("1692"));
  // A subgoal has no subject; an event before any value has none either.
  const auto plan = d.analyse("<think>First, let's find the width. 2 \xC3\x97 9 = 18.</think>", "18");
  QCOMPARE(plan.events.at(0).behaviour, ReflectionCategory::Subgoal);
  QCOMPARE(plan.events.at(0).outcome, ReflectionOutcome::None);
}

namespace {
void require(const test::EventScores& s, const char* name, double fix_recall = 0.95) {
  qInfo("%s: %d traces, %d labelled events, %d found", name, s.traces, s.labelled, s.predicted);
  for (const auto& [b, t] : s.behaviour)
    qInfo("  behaviour %-18s precision %.3f recall %.3f", b.c_str(), t.precision(), t.recall());
  for (const auto& [o, t] : s.outcome)
    qInfo("  outcome   %-18s precision %.3f recall %.3f", o.c_str(), t.precision(), t.recall());
  for (const auto& m : s.misses) qInfo("  differs: %s", m.c_str());
  for (const auto& [b, t] : s.behaviour) {
    QVERIFY2(t.precision() >= 0.90, qPrintable(QString("%1: %2 precision %3").arg(name, b.c_str()).arg(t.precision())));
    QVERIFY2(t.recall() >= 0.90, qPrintable(QString("%1: %2 recall %3").arg(name, b.c_str()).arg(t.recall())));
  }
  const auto fix = s.outcome.count("fix") ? s.outcome.at("fix") : test::Tally{};
  QVERIFY2(fix.tp > 0, name);
  QVERIFY2(fix.precision() >= 0.95, qPrintable(QString("%1: fix precision %2").arg(name).arg(fix.precision())));
  QVERIFY2(fix.recall() >= fix_recall, qPrintable(QString("%1: fix recall %2").arg(name).arg(fix.recall())));
}
}  // namespace

void ReflectionEventsTest::labelledDemoTraces() {
  // 220 completions of a demo run, drawn across its steps (tests/data/sample_demo_traces.py)
  // and labelled by hand by two labellers (docs/REFLECTION.md). The development set.
  const auto s = test::score_events(std::string(AHA_SOURCE_DIR) + "/tests/data/aha_events_demo.jsonl");
  QVERIFY(s.traces >= 200);
  require(s, "demo traces");
}

void ReflectionEventsTest::labelledHandwrittenTraces() {
  // 105 completions written by hand in English and Chinese in reasoning models' phrasing,
  // with near misses. The development set.
  const auto s = test::score_events(std::string(AHA_SOURCE_DIR) + "/tests/data/aha_events_handwritten.jsonl");
  QVERIFY(s.traces >= 80);
  require(s, "handwritten traces");
}

void ReflectionEventsTest::labelledFreeTextTraces() {
  // 311 traces in the phrasing of real reasoning models (issue 37): English word problems
  // (money, time, rates, units, fractions, percentages, probability), Chinese, Countdown
  // and algebra, 60 near misses; errors mostly in a premise or an operation, judged by the
  // running answer. Written by two labellers from docs/REFLECTION.md alone, checked by a
  // third (tests/data/freetext_review.md). The detector was developed on them: a
  // development set. First pass of the detector before the running answer (2026-12-06):
  // fix recall 0.275 (English) and 0.295 (the rest).
  for (const char* set : {"aha_events_freetext_en.jsonl", "aha_events_freetext_mixed.jsonl"}) {
    const auto s = test::score_events(std::string(AHA_SOURCE_DIR) + "/tests/data/" + set);
    QVERIFY(s.traces >= 130);
    require(s, set, 0.90);
  }
}

void ReflectionEventsTest::heldOutFreeTextTraces() {
  // 101 free-text traces (English, Chinese, Countdown, algebra; 18 near misses) written and
  // labelled after the running-answer detector was frozen (commit 9fa08f8), by a labeller
  // who saw neither the detector nor the other sets. Its first pass, 2026-12-06: fix
  // precision 0.970 recall 0.914 (32 of 35); verification 1.000/0.930, backtracking
  // 0.944/1.000, subgoal 1.000/0.444, backward chaining 1.000/1.000, restart 1.000/1.000.
  // It guards those figures now, with room for noise; it was not tuned on.
  const auto s = test::score_events(std::string(AHA_SOURCE_DIR) + "/tests/data/aha_events_freetext_heldout.jsonl");
  QVERIFY(s.traces >= 90);
  for (const auto& [b, t] : s.behaviour) {
    QVERIFY2(t.precision() >= 0.9, qPrintable(QString("%1 precision %2").arg(b.c_str()).arg(t.precision())));
    QVERIFY2(t.recall() >= (b == "subgoal" ? 0.4 : 0.9), qPrintable(QString("%1 recall %2").arg(b.c_str()).arg(t.recall())));
  }
  const auto& fix = s.outcome.at("fix");
  QVERIFY2(fix.precision() >= 0.95 && fix.recall() >= 0.88,
           qPrintable(QString("fix %1/%2").arg(fix.precision()).arg(fix.recall())));
}

void ReflectionEventsTest::heldOutTraces() {
  // Written and labelled after the detector was frozen (30 fresh demo completions, 47
  // written in English and Chinese), by a labeller who saw neither the detector nor the
  // development sets. Its first pass, 2026-11-28: fix precision 1.000 recall 0.870;
  // verification 0.986/0.986, backtracking 0.971/1.000, subgoal 1.000/0.714, backward
  // chaining 1.000/0.750, restart 1.000/0.800 (the demo part alone: 1.000 everywhere).
  // It guards those figures now, with room for noise; it was not tuned on.
  const auto s = test::score_events(std::string(AHA_SOURCE_DIR) + "/tests/data/aha_events_heldout.jsonl");
  QVERIFY(s.traces >= 60);
  for (const auto& [b, t] : s.behaviour) {
    QVERIFY2(t.precision() >= 0.9, qPrintable(QString("%1 precision %2").arg(b.c_str()).arg(t.precision())));
    QVERIFY2(t.recall() >= 0.7, qPrintable(QString("%1 recall %2").arg(b.c_str()).arg(t.recall())));
  }
  const auto& fix = s.outcome.at("fix");
  QVERIFY(fix.precision() >= 0.95 && fix.recall() >= 0.85);
}

void ReflectionEventsTest::eventsRoundTripThroughJson() {
  ReflectionEvent a;
  a.begin = 3, a.end = 8, a.behaviour = ReflectionCategory::BackwardChaining, a.outcome = ReflectionOutcome::None;
  ReflectionEvent b;
  b.begin = 20, b.end = 25, b.behaviour = ReflectionCategory::Verification, b.outcome = ReflectionOutcome::Fix;
  b.before = "1368", b.after = "1468";
  const auto json = events_to_json({a, b});
  const auto back = events_from_json(json);
  QCOMPARE(int(back.size()), 2);
  QCOMPARE(back[0].behaviour, ReflectionCategory::BackwardChaining);
  QCOMPARE(back[1].outcome, ReflectionOutcome::Fix);
  QCOMPARE(back[1].after, std::string("1468"));
  QCOMPARE(json, std::string(R"([[3,8,"backward_chaining","none","",""],[20,25,"verification","fix","1368","1468"]])"));
  QVERIFY(events_from_json("not json").empty());
  QVERIFY(events_from_json(R"([{"begin":1}])").empty());  // a broken entry drops the list, never half of it
  QVERIFY(events_from_json(R"([[1,2,"verification"]])").empty());
  // The objects databases before the rows form hold are read as well.
  const auto old = events_from_json(
      R"([{"begin":20,"end":25,"behaviour":"verification","outcome":"fix","before":"1368","after":"1468"}])");
  QCOMPARE(int(old.size()), 1);
  QCOMPARE(old[0].after, std::string("1468"));
  QCOMPARE(old[0].end, size_t(25));
  // Counting without building the events, in both forms; a value with quotes and brackets
  // is not taken for a behaviour or a row.
  b.before = R"(x = "[1, 2]")";
  for (const auto& text : {events_to_json({a, b, b}),
                           std::string(R"([{"begin":3,"end":8,"behaviour":"backward_chaining","outcome":"none"},)"
                                       R"({"begin":20,"end":25,"behaviour":"verification","outcome":"fix"},)"
                                       R"({"begin":30,"end":35,"behaviour":"verification","outcome":"fix"}])")}) {
    const auto c = count_events_json(text);
    QCOMPARE(c.of(ReflectionOutcome::Fix), 2);
    QCOMPARE(c.of(ReflectionOutcome::None), 1);
    QCOMPARE(c.of(ReflectionCategory::Verification), 2);
    QCOMPARE(c.of(ReflectionCategory::BackwardChaining), 1);
  }
  QCOMPARE(events_from_json(events_to_json({b})).at(0).before, b.before);
  const auto counts = count_events({a, b, b});
  QCOMPARE(counts.of(ReflectionOutcome::Fix), 2);
  QCOMPARE(counts.of(ReflectionCategory::BackwardChaining), 1);

  // The model's verdict from its two forced answers, stored after the text's, and counted.
  QCOMPARE(model_verdict(false, true), ReflectionOutcome::Fix);
  QCOMPARE(model_verdict(true, false), ReflectionOutcome::Break);
  QCOMPARE(model_verdict(true, true), ReflectionOutcome::Confirm);
  QCOMPARE(model_verdict(false, false), ReflectionOutcome::Miss);
  QCOMPARE(model_verdict(std::nullopt, true), ReflectionOutcome::None);
  ReflectionEvent judged = b;
  judged.before = "1368";
  judged.model = ReflectionOutcome::Miss, judged.model_before = "1368", judged.model_after = "1368";
  ReflectionEvent ritual = b;
  ritual.outcome = ReflectionOutcome::Ritual, ritual.model = ReflectionOutcome::Confirm;
  const auto with_model = events_to_json({a, judged, ritual});
  QVERIFY(with_model.find(R"("1368","1468","miss","1368","1368"])") != std::string::npos);
  const auto read = events_from_json(with_model);
  QCOMPARE(read.at(1).model, ReflectionOutcome::Miss);
  QCOMPARE(read.at(1).model_after, std::string("1368"));
  QCOMPARE(read.at(0).model, ReflectionOutcome::None);
  // Reading a stored run again (aha reanalyse) keeps the model's verdicts of the events
  // that are still there: they came from the weights, not from the text.
  SampleRecord s;
  s.completion = "761+853=1594 check 1+3=4 6+5=11 7+8+1=16 so 1614 1614+652=2266</think><answer>2266</answer>";
  s.reference = "2266";
  auto first = ReflectionDetector().analyse(s.completion, "2266", numeric_judge("2266"));
  first.events.at(0).model = ReflectionOutcome::Fix, first.events.at(0).model_before = "1594";
  first.events.at(0).model_after = "1614";
  record_reflection(first, s);
  reflection_reanalyser("")(s);
  const auto again = events_from_json(s.aha_events);
  QCOMPARE(again.at(0).outcome, ReflectionOutcome::Fix);
  QCOMPARE(again.at(0).model, ReflectionOutcome::Fix);
  QCOMPARE(again.at(0).model_after, std::string("1614"));
  for (const auto& c : {count_events(read), count_events_json(with_model)}) {
    QCOMPARE(c.of_model(ReflectionOutcome::Miss), 1);
    QCOMPARE(c.of_model(ReflectionOutcome::Confirm), 1);
    QCOMPARE(c.of_model(ReflectionOutcome::None), 1);
    QCOMPARE(c.agree, 1);  // a ritual whose answer did not change agrees; fix against miss does not
  }
}
