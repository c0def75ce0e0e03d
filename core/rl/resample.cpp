#include "core/rl/resample.h"

#include <torch/torch.h>

#include <chrono>
#include <map>
#include <stdexcept>

#include "core/model/checkpoint.h"
#include "core/rl/sampler.h"

namespace aha {

struct PrefixContinuer::Impl {
  RunConfig run;
  LoadedModel loaded;
  SamplingOptions options;
  std::map<std::string, std::vector<int>> encoded;  // prefixes repeat across rows

  const std::vector<int>& encode(const std::string& prefix) {
    auto it = encoded.find(prefix);
    if (it == encoded.end()) it = encoded.emplace(prefix, loaded.tokenizer->encode(prefix)).first;
    return it->second;
  }
};

PrefixContinuer::PrefixContinuer(const RunConfig& run, const WeightsOnDisk& weights, uint64_t seed)
    : impl_(std::make_unique<Impl>()) {
  impl_->run = run;
  impl_->loaded = load_for_sampling(weights.path);
  const auto& tok = *impl_->loaded.tokenizer;
  const auto format = run.prompt_format();
  auto& so = impl_->options;
  so.temperature = run.temperature;
  so.top_p = run.top_p;
  so.pad_id = tok.pad_id();
  so.stop_ids = format.stop_ids(tok);
  so.stop_when = stop_at_text(tok, format.stop_text(tok));
  torch::manual_seed(seed);
}

PrefixContinuer::~PrefixContinuer() = default;

int PrefixContinuer::tokens(const std::string& prefix) { return static_cast<int>(impl_->encode(prefix).size()); }

AnchorSampler PrefixContinuer::sampler(const std::string& prompt) {
  return [this, prompt](const std::vector<std::string>& prefixes) { return (*this)(prompt, prefixes); };
}

std::vector<AnchorContinuation> PrefixContinuer::operator()(const std::string& prompt,
                                                            const std::vector<std::string>& prefixes) {
  torch::NoGradGuard no_grad;
  auto& m = *impl_;
  const auto& tok = *m.loaded.tokenizer;
  const auto prompt_ids = tok.encode(prompt);  // the prompt and the completion are encoded apart, as generated
  std::vector<std::vector<int>> rows;
  std::vector<int> room;
  for (const auto& p : prefixes) {
    const auto& encoded = m.encode(p);
    room.push_back(m.run.max_completion_length - static_cast<int>(encoded.size()));
    auto ids = prompt_ids;
    ids.insert(ids.end(), encoded.begin(), encoded.end());
    rows.push_back(std::move(ids));
  }
  std::vector<AnchorContinuation> out(prefixes.size());
  const int most = *std::max_element(room.begin(), room.end());
  if (most < 1) {
    for (auto& c : out) c.truncated = true;
    return out;
  }
  auto so = m.options;
  so.max_new_tokens = most;
  const auto gen = generate(m.loaded.model, rows, so);
  for (size_t i = 0; i < rows.size(); ++i) {
    auto tokens = gen.completions[i];
    const int limit = std::max(0, room[i]);
    out[i].truncated = gen.truncated[i] || static_cast<int>(tokens.size()) > limit;
    if (static_cast<int>(tokens.size()) > limit) tokens.resize(limit);
    out[i].text = tok.decode(tokens);
  }
  return out;
}

std::optional<AnchorMap> anchor_map_from(const AnchorRequest& r, const std::function<bool(int, int)>& progress) {
  const auto start = std::chrono::steady_clock::now();
  PrefixContinuer continuer(r.run, r.weights, r.options.seed);
  auto map = anchor_map(r.trace, r.options, continuer.sampler(r.prompt), progress);
  if (map) map->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return map;
}

ResampleResult resample_from(const ResampleRequest& r) {
  if (r.samples < 1) throw std::invalid_argument("resampling needs at least one sample");
  const auto start = std::chrono::steady_clock::now();
  PrefixContinuer continuer(r.run, r.weights, r.seed);
  const int prefix_tokens = continuer.tokens(r.prefix);
  if (prefix_tokens >= r.run.max_completion_length)
    throw std::invalid_argument("the text before the point is " + std::to_string(prefix_tokens) +
                                " tokens: no room left in the run's max_completion_length (" +
                                std::to_string(r.run.max_completion_length) + ")");
  ResampleResult out;
  const int batch = 256;
  for (int done = 0; done < r.samples; done += batch) {
    const int rows = std::min(batch, r.samples - done);
    for (auto& c : continuer(r.prompt, std::vector<std::string>(rows, r.prefix))) {
      out.continuations.push_back(std::move(c.text));
      out.truncated.push_back(c.truncated);
    }
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace aha
