#include "core/rl/resample.h"

#include <torch/torch.h>

#include <chrono>
#include <stdexcept>

#include "core/model/checkpoint.h"
#include "core/rl/prefix_sampling.h"
#include "core/rl/sampler.h"

namespace aha {

struct PrefixContinuer::Impl {
  RunConfig run;
  LoadedModel loaded;
  SamplingOptions options;
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

int PrefixContinuer::tokens(const std::string& prefix) {
  return static_cast<int>(impl_->loaded.tokenizer->encode(prefix).size());
}

AnchorSampler PrefixContinuer::sampler(const std::string& prompt) {
  return [this, prompt](const std::vector<std::string>& prefixes) { return (*this)(prompt, prefixes); };
}

std::vector<AnchorContinuation> PrefixContinuer::operator()(const std::string& prompt,
                                                            const std::vector<std::string>& prefixes) {
  auto& m = *impl_;
  // The prompt and the completion are encoded apart, as they were generated.
  return continue_prefixes(m.loaded.model, *m.loaded.tokenizer, m.options, m.run.max_completion_length,
                           m.loaded.tokenizer->encode(prompt), prefixes);
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
