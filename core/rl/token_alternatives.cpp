#include "core/rl/token_alternatives.h"

#include <torch/torch.h>

#include <stdexcept>

#include "core/model/checkpoint.h"

namespace aha {

TokenAlternatives token_alternatives(const AlternativesRequest& r) {
  if (r.position >= r.completion.size())
    throw std::invalid_argument("token " + std::to_string(r.position + 1) + " is past the completion's " +
                                std::to_string(r.completion.size()) + " tokens");
  torch::NoGradGuard no_grad;
  auto loaded = load_model(r.weights.path, torch::kCPU);
  loaded.model->to(torch::kFloat32);
  loaded.model->eval();
  std::vector<int64_t> ids;
  for (int id : loaded.tokenizer->encode(r.prompt)) ids.push_back(id);
  ids.insert(ids.end(), r.completion.begin(), r.completion.begin() + r.position);
  const auto input = torch::tensor(ids, torch::kLong).unsqueeze(0);
  const auto logits = loaded.model->forward(input).select(1, static_cast<int64_t>(ids.size()) - 1).squeeze(0);
  const auto probs = torch::softmax(logits.to(torch::kFloat32) / (r.run.temperature > 0 ? r.run.temperature : 1.0), -1);
  TokenAlternatives out;
  out.weights = r.weights;
  out.sampled_by = r.step - 1;
  const auto [p, index] = probs.topk(std::min<int64_t>(r.k, probs.size(0)));
  for (int64_t i = 0; i < p.size(0); ++i)
    out.top.emplace_back(loaded.tokenizer->decode({static_cast<int>(index[i].item<int64_t>())}), p[i].item<double>());
  const int sampled = r.completion[r.position];
  out.sampled_probability = probs[sampled].item<double>();
  out.sampled_text = loaded.tokenizer->decode({sampled});
  return out;
}

}  // namespace aha
