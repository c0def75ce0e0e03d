#include "core/run/causal_verdict.h"

#include <cctype>

#include "core/text/unicode_text.h"

namespace aha {

namespace {

// `value` stands in `text` as a whole (no digit or letter right before or after it).
bool states(std::string_view text, std::string_view value) {
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  for (size_t at = text.find(value); at != std::string_view::npos; at = text.find(value, at + 1))
    if ((at == 0 || !word(text[at - 1])) && (at + value.size() == text.size() || !word(text[at + value.size()])))
      return true;
  return false;
}

}  // namespace

std::optional<std::pair<int, int>> event_steps(const std::string& completion, const std::vector<TraceStep>& steps,
                                               const ReflectionEvent& event, bool bytes) {
  const size_t at = bytes ? event.begin : unicode::byte_of_code_point(completion, event.begin);
  int first = -1;
  for (size_t i = 0; i < steps.size() && first < 0; ++i)
    if (at >= steps[i].begin && at < steps[i].end) first = static_cast<int>(i);
  if (first < 0) return std::nullopt;
  int last = first;
  if (!event.after.empty())
    for (size_t i = first; i < steps.size(); ++i)
      if (states(std::string_view(completion).substr(steps[i].begin, steps[i].end - steps[i].begin), event.after)) {
        last = static_cast<int>(i);
        break;
      }
  return std::make_pair(first, last);
}

CausalVerdict causal_verdict(const AnchorTrace& trace, const std::vector<TraceStep>& steps, std::pair<int, int> span,
                             int samples, const AnchorSampler& sample) {
  CausalVerdict v;
  v.first = span.first;
  v.last = span.second;
  const std::string before = trace.completion.substr(0, steps[v.first].begin);
  const std::string after = trace.completion.substr(0, steps[v.last].end);
  std::vector<std::string> prefixes(samples, before);
  prefixes.insert(prefixes.end(), samples, after);
  auto got = sample(prefixes);
  std::vector<AnchorContinuation> away, kept;
  for (size_t i = 0; i < got.size(); ++i) {
    judge_continuation(trace, prefixes[i], got[i]);
    (static_cast<int>(i) < samples ? away : kept).push_back(std::move(got[i]));
  }
  const auto& s = steps[v.first];
  v.figures = score_span(std::string_view(trace.completion).substr(s.begin, s.end - s.begin), away, kept);
  v.figures.step = {s.begin, steps[v.last].end};
  return v;
}

}  // namespace aha
