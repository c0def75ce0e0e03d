#include "core/rl/forced_answer.h"

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

}  // namespace aha
