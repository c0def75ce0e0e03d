#include "core/rl/prefix_sampling.h"

#include <algorithm>

namespace aha {

std::vector<AnchorContinuation> continue_prefixes(Transformer& model, const Tokenizer& tok, SamplingOptions options,
                                                  int max_completion_length, const std::vector<int>& prompt,
                                                  const std::vector<std::string>& prefixes) {
  torch::NoGradGuard no_grad;
  std::vector<std::vector<int>> rows;
  std::vector<int> room;
  for (const auto& p : prefixes) {
    const auto encoded = tok.encode(p);
    room.push_back(max_completion_length - static_cast<int>(encoded.size()));
    auto ids = prompt;
    ids.insert(ids.end(), encoded.begin(), encoded.end());
    rows.push_back(std::move(ids));
  }
  std::vector<AnchorContinuation> out(prefixes.size());
  const int most = rows.empty() ? 0 : *std::max_element(room.begin(), room.end());
  if (most < 1) {
    for (auto& c : out) c.truncated = true;
    return out;
  }
  options.max_new_tokens = most;
  options.token_stats = false;
  const auto gen = generate(model, rows, options);
  for (size_t i = 0; i < rows.size(); ++i) {
    auto tokens = gen.completions[i];
    const int limit = std::max(0, room[i]);
    out[i].truncated = gen.truncated[i] || static_cast<int>(tokens.size()) > limit;
    if (static_cast<int>(tokens.size()) > limit) tokens.resize(limit);
    out[i].text = tok.decode(tokens);
  }
  return out;
}

}  // namespace aha
