#include "core/rl/forced_answer.h"

#include "core/text/unicode_text.h"

#include <algorithm>
#include <optional>
#include <random>

#include "core/analysis/arithmetic.h"
#include "core/rl/sampler.h"

namespace aha {

std::vector<std::string> forced_answers(Transformer& model, const Tokenizer& tok,
                                        const std::vector<ForcedAnswerQuery>& queries, const std::string& opener,
                                        const std::string& closer, int max_tokens) {
  torch::NoGradGuard no_grad;
  std::vector<std::vector<int>> rows;
  rows.reserve(queries.size());
  for (const auto& q : queries) {
    // The prompt and the completion are encoded apart, as they were generated.
    auto ids = q.prompt;
    const auto rest = tok.encode(q.prefix + opener);
    ids.insert(ids.end(), rest.begin(), rest.end());
    rows.push_back(std::move(ids));
  }
  SamplingOptions so;
  so.temperature = 0;
  so.max_new_tokens = max_tokens;
  so.pad_id = tok.pad_id();
  so.stop_ids = {tok.eos_id()};
  so.stop_when = stop_at_text(tok, closer);
  const auto gen = generate(model, rows, so);
  std::vector<std::string> out;
  out.reserve(queries.size());
  for (const auto& ids : gen.completions) {
    std::string text = tok.decode(ids);
    if (const size_t end = text.find(closer); end != std::string::npos) text.resize(end);
    out.push_back(std::move(text));
  }
  return out;
}

namespace {

// The byte where character `chars` of UTF-8 `text` starts.

}  // namespace

JudgeCount judge_reflections(Transformer& model, const Tokenizer& tok, std::vector<JudgedCompletion>& completions,
                             int budget, uint64_t seed, int max_tokens) {
  JudgeCount count;
  std::vector<std::pair<size_t, size_t>> events;  // (completion, event) with a subject
  for (size_t i = 0; i < completions.size(); ++i)
    for (size_t e = 0; e < completions[i].reflection->events.size(); ++e)
      if (!completions[i].reflection->events[e].before.empty()) events.emplace_back(i, e);
  count.events = static_cast<int>(events.size());
  if (events.size() > size_t(std::max(0, budget))) {
    std::mt19937_64 draw(seed);
    std::shuffle(events.begin(), events.end(), draw);
    events.resize(std::max(0, budget));
  }
  if (events.empty()) return count;
  std::vector<ForcedAnswerQuery> queries;
  for (const auto& [i, e] : events) {
    const auto& text = *completions[i].completion;
    const auto& ev = completions[i].reflection->events[e];
    queries.push_back({*completions[i].prompt, text.substr(0, unicode::byte_of_code_point(text, ev.begin))});
    queries.push_back({*completions[i].prompt, text.substr(0, unicode::byte_of_code_point(text, ev.settled))});
  }
  const auto answers = forced_answers(model, tok, queries, "</think><answer>", "</answer>", max_tokens);
  for (size_t k = 0; k < events.size(); ++k) {
    const auto& [i, e] = events[k];
    auto& ev = completions[i].reflection->events[e];
    const auto role_value = ev.role.empty() ? std::nullopt : evaluate(ev.role);
    auto right = [&](const std::string& a) -> std::optional<bool> {
      if (ev.role.empty()) return completions[i].is_right(a);
      if (!role_value) return std::nullopt;
      const size_t first = a.find_first_not_of(' ');
      const auto n = first == std::string::npos ? std::nullopt : number_at(a, first, true);
      return n && same_number(*role_value, *n);
    };
    ev.model = model_verdict(right(answers[2 * k]), right(answers[2 * k + 1]));
    ev.model_before = answers[2 * k].substr(0, 40), ev.model_after = answers[2 * k + 1].substr(0, 40);
  }
  count.judged = static_cast<int>(events.size());
  return count;
}

}  // namespace aha
