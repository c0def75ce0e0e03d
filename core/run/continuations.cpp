#include "core/run/continuations.h"

#include <algorithm>

#include "core/tasks/rewards.h"

namespace aha {

ContinuationStats judge_continuations(const std::string& prefix, size_t point_byte,
                                      const std::vector<std::string>& continuations,
                                      const std::vector<bool>& truncated, const std::string& reference,
                                      bool opens_think, const ReflectionDetector& detector) {
  ContinuationStats st;
  const auto judge = numeric_judge(reference);
  const auto cut = prefix.begin() + static_cast<long>(std::min(point_byte, prefix.size()));
  const size_t point =  // events are in characters
      static_cast<size_t>(std::count_if(prefix.begin(), cut, [](char c) { return (c & 0xC0) != 0x80; }));
  for (size_t i = 0; i < continuations.size(); ++i) {
    const std::string text = prefix + continuations[i];
    const auto parsed = parse_response((opens_think ? "<think>" : "") + text);
    ++st.samples;
    st.truncated += i < truncated.size() && truncated[i];
    if (parsed.has_answer) {
      ++st.answered;
      st.correct += judge(parsed.answer).value_or(false);
    }
    bool reflects = false, fixes = false;
    for (const auto& e : detector.analyse(text, parsed.answer, judge).events) {
      if (e.begin < point) continue;
      reflects = true;
      fixes |= e.outcome == ReflectionOutcome::Fix;
      ++st.outcomes[static_cast<int>(e.outcome)];
    }
    st.reflective += reflects;
    st.fixed += fixes;
  }
  return st;
}

}  // namespace aha
