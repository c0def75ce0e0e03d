// Anchor maps and causal verdicts (docs/ANCHORS.md): steps cut as documented, the
// "differs" rule, importance and resilience counted by hand on a stand-in sampler whose
// continuations are known, the adaptive scheme, cancelling, the stored form, and a real
// model's map reproduced from its seed.
#include <QtTest/QtTest>

#include <map>

#include "core/analysis/reflection_events.h"
#include "core/rl/resample.h"
#include "core/run/anchor_records.h"
#include "core/run/causal_verdict.h"
#include "tests/core/core_tests.h"

using namespace aha;

namespace {

std::vector<std::string> step_texts(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& s : trace_steps(text)) out.push_back(text.substr(s.begin, s.end - s.begin));
  return out;
}

// A trace of three steps and a stand-in model: from each prefix it cycles through known
// continuations, so every count below is known.
const std::string kTrace = "12+30=43 check 2+0=2 1+3=4 so 42</think><answer>42</answer>";
struct StandIn {
  std::map<std::string, std::vector<std::string>> by_prefix;
  std::map<std::string, size_t> next;
  int calls = 0;
  std::vector<AnchorContinuation> operator()(const std::vector<std::string>& prefixes) {
    ++calls;
    std::vector<AnchorContinuation> out;
    for (const auto& p : prefixes) {
      const auto& list = by_prefix.at(p);
      out.push_back({list[next[p]++ % list.size()], false, "", false});
    }
    return out;
  }
};
StandIn stand_in() {
  StandIn m;
  const std::string end = "</think><answer>42</answer>", wrong = "</think><answer>43</answer>";
  // Boundary 0 (before "12+30=43 "): the same first step, or a different sum that ends right.
  m.by_prefix[""] = {"12+30=43 check 2+0=2 1+3=4 so 42" + end, "12+30=42 so 42" + end};
  // Boundary 1 (before "check 2+0=2 "): the check again (right), or no check (wrong) with
  // the check coming back later once in two.
  m.by_prefix["12+30=43 "] = {"check 2+0=2 1+3=4 so 42" + end, "so 43" + wrong,
                              "so 43 check 2+0=2 1+3=4 so 42" + end, "so 43" + wrong};
  // Boundary 2 (before "1+3=4 "): always the same column.
  m.by_prefix["12+30=43 check 2+0=2 "] = {"1+3=4 so 42" + end};
  // Boundary 3 (before "so 42"): right three times in four.
  m.by_prefix["12+30=43 check 2+0=2 1+3=4 "] = {"so 42" + end, "so 42" + end, "so 42" + end, "so 43" + wrong};
  // Boundary 4 (after the last step): the answer.
  m.by_prefix["12+30=43 check 2+0=2 1+3=4 so 42"] = {end};
  return m;
}

}  // namespace

void AnchorsTest::stepsOfTraces() {
  QCOMPARE(step_texts("879+457=1236 check 9+7=16 7+5+1=13 so 1336 wait, 1236 was wrong</think><answer>1336</answer>"),
           (std::vector<std::string>{"879+457=1236 ", "check 9+7=16 ", "7+5+1=13 ", "so 1336 ",
                                     "wait, 1236 was wrong"}));
  // Sentences; a decimal point is not an end; "so" after a word is no break.
  QCOMPARE(step_texts("Each costs 3.5 dollars, so 4 cost 14. Wait! Let me check: 4 x 3.5 = 14.\nDone"),
           (std::vector<std::string>{"Each costs 3.5 dollars, so 4 cost 14. ", "Wait! ",
                                     "Let me check: 4 x 3.5 = 14.\n", "Done"}));
  // Chinese sentence ends; a connective after a number.
  QCOMPARE(step_texts("先算 3+4=7。再乘 2 得 14。所以答案是 14"),
           (std::vector<std::string>{"先算 3+4=7。", "再乘 2 得 14。", "所以答案是 14"}));
  QCOMPARE(step_texts("so the total is 5 so 5"), (std::vector<std::string>{"so the total is 5 ", "so 5"}));
  // An equation after words opens a step of its own, except after a connective.
  QCOMPARE(step_texts("wait, 524 was wrong 614+879=1493 check 4+9=13"),
           (std::vector<std::string>{"wait, 524 was wrong ", "614+879=1493 ", "check 4+9=13"}));
  QVERIFY(trace_steps("</think><answer>3</answer>").empty());
  QCOMPARE(thinking_end("a b<answer>3</answer>"), size_t(3));
}

void AnchorsTest::differsByNumbersAndWords() {
  QVERIFY(same_step("check 9+7=16 ", "check 9+7=16"));
  QVERIFY(!same_step("check 9+7=16 ", "check 9+7=15 "));  // another number
  QVERIFY(!same_step("so 1336 ", "so 1,336 and 2 "));    // another multiset of numbers
  QVERIFY(same_step("so 1336 ", "so 1,336 "));            // "1,336" is 1336
  QVERIFY(same_step("The total is 14 apples.", "So the total is 14 apples."));  // words {so,the,total,is,apples}: 4/5
  QVERIFY(!same_step("The total is 14 apples.", "Let me recount: 14 apples."));
  QVERIFY(!same_step("9+7=16", "9*7=16"));  // the operator is a word
  QVERIFY(same_step("", ""));
  QVERIFY(!same_step("so 42", ""));
  QVERIFY(same_step("答案是 14。", "答案是 14"));
  QCOMPARE(std::string(first_step("so 43 check 2+0=2")), std::string("so 43 "));
}

void AnchorsTest::importanceByHandOnAStandIn() {
  auto model = stand_in();
  AnchorOptions o;
  o.full_samples = 8;
  const auto map = anchor_map({kTrace, "42", true, {}}, o, std::ref(model));
  QVERIFY(map);
  QCOMPARE(map->steps.size(), size_t(4));
  QCOMPARE(map->total(), 40);
  const auto& a = map->anchors;
  // Step 1 "12+30=43": kept (boundary 1): 2 right of 4 in the cycle -> 4/8; resampled away:
  // the "12+30=42" half (4 of 8), all right; importance 0.5 - 1 = -0.5.
  QCOMPARE(a[0].kept, 8);
  QCOMPARE(a[0].kept_correct, 4);
  QCOMPARE(a[0].resampled, 4);
  QCOMPARE(a[0].rewritten_same, 4);
  QCOMPARE(a[0].importance, -0.5);
  // Step 2 "check 2+0=2": kept (boundary 2) 8/8; away: the 6 "so 43 ..." of 8, 2 of them right
  // (the check came back); importance 1 - 2/6; resilience 2/6.
  QCOMPARE(a[1].kept_correct, 8);
  QCOMPARE(a[1].resampled, 6);
  QCOMPARE(a[1].resampled_correct, 2);
  QCOMPARE(a[1].came_back, 2);
  QVERIFY(std::abs(a[1].importance - (1.0 - 2.0 / 6.0)) < 1e-12);
  QVERIFY(std::abs(a[1].resilience - 2.0 / 6.0) < 1e-12);
  // Step 3 "1+3=4": the model always writes it: nothing differs, importance 0 and unknown.
  QCOMPARE(a[2].resampled, 0);
  QCOMPARE(a[2].importance, 0.0);
  QCOMPARE(a[2].half_width, 1.0);
  // Step 4 "so 42": kept 8/8, away the two "so 43" of 8, both wrong: importance 1.
  QCOMPARE(a[3].resampled, 2);
  QCOMPARE(a[3].importance, 1.0);
  QVERIFY(a[3].kl > 0);
  // Effects: importance x the share that differed: -0.5 x 4/8, 2/3 x 6/8, 0, 1 x 2/8.
  QCOMPARE(a[0].effect, -0.25);
  QVERIFY(std::abs(a[1].effect - 0.5) < 1e-12);
  QCOMPARE(a[2].effect, 0.0);
  QCOMPARE(a[3].effect, 0.25);
  // Step 3's effect interval: accuracy kept (6/8) against all from before it (8/8), smoothed.
  QVERIFY(std::abs(a[2].effect_half_width - 1.96 * std::sqrt(0.7 * 0.3 / 10 + 0.9 * 0.1 / 10)) < 1e-12);
  // Ranked by |effect|, ties in order.
  QCOMPARE(anchor_ranking(a), (std::vector<int>{1, 0, 3, 2}));
}

void AnchorsTest::adaptiveSpendsWhereUncertain() {
  auto model = stand_in();
  AnchorOptions o;
  o.start_samples = 4;
  o.round_samples = 4;
  o.budget = 60;
  int last_done = 0;
  const auto map = anchor_map({kTrace, "42", true, {false, true, false, false}}, o, std::ref(model),
                              [&](int done, int budget) {
                                last_done = done;
                                return budget == 60;
                              });
  QVERIFY(map);
  QVERIFY(map->adaptive);
  QVERIFY(map->total() <= 60);
  QCOMPARE(last_done, map->total());
  // The fork (step 2) started with twice the draw; a boundary whose continuations are all
  // right (after the last step) got fewer than one at 50%.
  QVERIFY(map->continuations[1].size() >= 8);
  QVERIFY(map->continuations[1].size() > map->continuations[4].size());
  for (const auto& a : map->anchors) QVERIFY(a.kept > 0 && a.resampled + a.rewritten_same > 0);
}

void AnchorsTest::cancelledMapReturnsNothing() {
  auto model = stand_in();
  AnchorOptions o;
  o.full_samples = 64;
  o.batch = 32;
  int calls = 0;
  const auto map = anchor_map({kTrace, "42", true, {}}, o, std::ref(model), [&](int, int) { return ++calls < 2; });
  QVERIFY(!map);
  QCOMPARE(model.calls, 2);  // stopped after the batch in hand
}

void AnchorsTest::storedMapReadsBackTheSame() {
  auto model = stand_in();
  AnchorOptions o;
  o.full_samples = 8;
  const auto map = anchor_map({kTrace, "42", true, {}}, o, std::ref(model));
  // One probe row per map, one problem row per boundary with its totals, every continuation.
  const auto record = anchors_record(1, 7, 0, *map, o, "42");
  QCOMPARE(record.probe.kind, std::string("anchors"));
  QCOMPARE(record.probe.sample_id.value_or(0), int64_t(7));
  QCOMPARE(record.problems.size(), size_t(5));
  QCOMPARE(record.problems[1].correct, 4);
  QCOMPARE(int(record.completions.size()), map->total());
  const auto back = stored_anchors(record.probe, record.completions, kTrace);
  QCOMPARE(back.steps.size(), map->steps.size());
  for (size_t i = 0; i < map->anchors.size(); ++i) {
    QCOMPARE(back.anchors[i].importance, map->anchors[i].importance);
    QCOMPARE(back.anchors[i].resampled, map->anchors[i].resampled);
    QCOMPARE(back.anchors[i].came_back, map->anchors[i].came_back);
  }
  // Steps that do not fit the completion (another text) are dropped, not read out of range.
  QVERIFY(stored_anchors(record.probe, record.completions, "12+30").steps.empty());
}

void AnchorsTest::causalVerdictOfAFix() {
  auto model = stand_in();
  const auto steps = trace_steps(kTrace);
  ReflectionEvent fix;
  fix.begin = kTrace.find("check");  // ASCII: characters are bytes
  fix.after = "42";
  fix.outcome = ReflectionOutcome::Fix;
  const auto span = event_steps(kTrace, steps, fix);
  QVERIFY(span);
  QCOMPARE(span->first, 1);  // "check 2+0=2 "
  QCOMPARE(span->second, 3);  // ... to "so 42", where the value after is stated ("2" in "2+0=2" is not it)
  const auto v = causal_verdict({kTrace, "42", true, {}}, steps, *span, 8, std::ref(model));
  // Kept: after "so 42", 8/8 right; away: 6 of 8 differ, 2 of them right.
  QCOMPARE(v.figures.kept_correct, 8);
  QCOMPARE(v.figures.resampled, 6);
  QCOMPARE(v.figures.resampled_correct, 2);
  QVERIFY(v.causal());
  // A reflection whose removal changes nothing is not causal.
  const auto same = causal_verdict({kTrace, "42", true, {}}, steps, {2, 2}, 8, std::ref(model));
  QVERIFY(!same.causal());
}

void AnchorsTest::reproducibleWithASeed() {
  RunConfig run;
  run.model = "builtin:tiny-arithmetic";
  run.max_completion_length = 224;
  const WeightsOnDisk base{0, resolve_model_path(run.model).string()};
  const std::string prompt = "879+457+990=<think>";
  const std::string completion =
      "879+457=1236 check 9+7=16 7+5+1=13 8+4+1=13 so 1336 1336+990=2326 check 6+0=6 3+9=12 3+9+1=13 1+1=2 so 2326"
      "</think><answer>2326</answer>";
  AnchorOptions o;
  o.budget = 64;
  auto map_of = [&](uint64_t seed) {
    PrefixContinuer continuer(run, base, seed);
    return *anchor_map({completion, "2326", true, {}}, o, continuer.sampler(prompt));
  };
  const auto a = map_of(3), b = map_of(3), c = map_of(4);
  QVERIFY(a.total() > 0 && a.total() <= 64);
  QCOMPARE(a.total(), b.total());
  bool differs = false;
  for (size_t j = 0; j < a.continuations.size(); ++j) {
    QCOMPARE(a.continuations[j].size(), b.continuations[j].size());
    for (size_t k = 0; k < a.continuations[j].size(); ++k) {
      QCOMPARE(a.continuations[j][k].text, b.continuations[j][k].text);
      differs |= k < c.continuations[j].size() && c.continuations[j][k].text != a.continuations[j][k].text;
    }
  }
  QVERIFY(differs);  // another seed, other draws
  // The base model continues from after "check 9+7=16 " mostly right (it checks columns).
  QVERIFY(a.anchors[1].kept_correct * 2 >= a.anchors[1].kept);
}
