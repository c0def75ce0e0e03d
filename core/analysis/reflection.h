#pragma once
// The reflection ("aha") detector: finds where a chain of thought stops, checks itself,
// backtracks or restarts, and whether a stated value was revised. A lexicon of phrases
// with context rules (so "wait time" and "check the box" are not reflection) plus
// structural signals read from the numbers around each phrase. Torch-free, Qt-free.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/analysis/answer_trajectory.h"
#include "core/analysis/reflection_events.h"
#include "core/analysis/reflection_lexicon.h"

namespace aha {

// Offsets are in characters (Unicode code points) of the analysed text, end exclusive.
struct ReflectionSpan {
  int begin = 0, end = 0;
  ReflectionCategory category = ReflectionCategory::Verification;
};

// A value stated before a reflective phrase and a different one concluded after it.
struct Revision {
  std::string from, to;
};

struct Reflection {
  double score = 0;  // 0 = none; rises towards 1 with more and stronger signals
  std::vector<ReflectionSpan> spans;
  std::vector<Revision> revisions;
  std::string first_answer;  // the first answer the trace states, when it states one early
  bool language_mixing = false;
  // Each phrase as an event with its behaviour and outcome (offsets in characters).
  std::vector<ReflectionEvent> events;
  bool reflective() const { return !spans.empty(); }
  bool revised() const { return !revisions.empty(); }
  // The real aha: an event that turned a wrong value into the right one.
  bool real_aha() const {
    for (const auto& e : events)
      if (e.outcome == ReflectionOutcome::Fix) return true;
    return false;
  }
};

class ReflectionDetector {
 public:
  explicit ReflectionDetector(std::vector<LexiconEntry> lexicon = default_reflection_lexicon());
  // `final_answer` (the <answer> content) lets the detector notice a trace whose final
  // answer differs from the first answer it stated; `judge` tells a right final answer
  // (the task's checker), for outcomes of values stated in that role.
  Reflection analyse(std::string_view text, std::string_view final_answer = {}, const AnswerJudge& judge = {}) const;

 private:
  PhraseMatcher matcher_;
};

// Several writing systems in one trace (R1-Zero's language mixing); single letters and
// common math names (x, sin, log) do not count as a language.
bool has_language_mixing(std::string_view text);

// One row per span, [begin,end,"category"]: the form the run store keeps; and back
// (reading the objects {"begin":..,"end":..,"category":..} of older databases too; empty
// on bad input).
std::string spans_to_json(const std::vector<ReflectionSpan>& spans);
std::vector<ReflectionSpan> spans_from_json(std::string_view json);

}  // namespace aha
