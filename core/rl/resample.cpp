#include "core/rl/resample.h"

#include <torch/torch.h>

#include <chrono>
#include <stdexcept>

#include "core/model/checkpoint.h"
#include "core/rl/sampler.h"

namespace aha {

ResampleResult resample_from(const ResampleRequest& r) {
  if (r.samples < 1) throw std::invalid_argument("resampling needs at least one sample");
  const auto start = std::chrono::steady_clock::now();
  torch::NoGradGuard no_grad;
  auto loaded = load_for_sampling(r.weights.path);
  const auto& tok = *loaded.tokenizer;
  const auto format = r.run.prompt_format();
  // The prompt and the completion are encoded apart, as they were generated.
  auto ids = tok.encode(r.prompt);
  const auto prefix = tok.encode(r.prefix);
  const int room = r.run.max_completion_length - static_cast<int>(prefix.size());
  if (room < 1)
    throw std::invalid_argument("the text before the point is " + std::to_string(prefix.size()) +
                                " tokens: no room left in the run's max_completion_length (" +
                                std::to_string(r.run.max_completion_length) + ")");
  ids.insert(ids.end(), prefix.begin(), prefix.end());
  torch::manual_seed(r.seed);
  SamplingOptions so;
  so.temperature = r.run.temperature;
  so.top_p = r.run.top_p;
  so.max_new_tokens = room;
  so.pad_id = tok.pad_id();
  so.stop_ids = format.stop_ids(tok);
  so.stop_when = stop_at_text(tok, format.stop_text(tok));
  ResampleResult out;
  const int batch = 256;
  for (int done = 0; done < r.samples; done += batch) {
    const int rows = std::min(batch, r.samples - done);
    const auto gen = generate(loaded.model, std::vector<std::vector<int>>(rows, ids), so);
    for (int i = 0; i < rows; ++i) {
      out.continuations.push_back(tok.decode(gen.completions[i]));
      out.truncated.push_back(gen.truncated[i]);
    }
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace aha
