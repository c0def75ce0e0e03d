#pragma once
// Batched generation with the KV cache: left-padded prompts are prefilled at once, then
// every row decodes one token per step until it emits a stop token or reaches the limit.
#include <torch/torch.h>

#include <functional>
#include <vector>

#include "core/text/tokenizer.h"
#include "core/model/transformer.h"

namespace aha {

// Where a generate() call's time went, when asked for (SamplingOptions::profile): the
// device is synchronized around each phase, which itself costs a little.
struct DecodeProfile {
  double prefill = 0, sample = 0, bookkeeping = 0, step = 0;  // seconds, summed over steps
  double capture = 0;  // seconds spent capturing CUDA graphs (part of `step`)
};

struct SamplingOptions {
  double temperature = 1.0;  // 0 = greedy
  double top_p = 1.0;
  int max_new_tokens = 128;
  std::vector<int> stop_ids;  // e.g. </answer> and EOS; the stop token is kept
  // A stop that is text rather than one token ("</answer>" under byte-level BPE): called
  // with a row's last (up to 8) new tokens after each step; true ends the row there.
  std::function<bool(const std::vector<int>& tail)> stop_when;
  int pad_id = 0;
  // On CUDA, replay captured graphs of the decode step (core/rl/decoder.h) where this
  // libtorch has them; false decodes eagerly.
  bool cuda_graphs = true;
  // On the CPU, a float32 model decodes by CpuDecodeStep
  // (core/model/cpu_decode.h); false decodes by the libtorch forward (the reference).
  bool cpu_decode_step = true;
  DecodeProfile* profile = nullptr;  // filled when given (benchmarks)
  // Keep each new token's log-probability and its distribution's entropy (the token lens):
  // computed from the logits the token was drawn from, so no forward pass is added.
  bool token_stats = false;
};

struct Generation {
  std::vector<std::vector<int>> completions;  // per row, the new tokens (stop token included)
  std::vector<bool> truncated;                // hit max_new_tokens without a stop token
  // With SamplingOptions::token_stats, per row and new token: the token's log-probability
  // under the model's distribution at the sampling temperature (before top-p), and that
  // distribution's entropy, in nats.
  std::vector<std::vector<float>> logprobs, entropies;
  int64_t decode_steps = 0;
};

// A stop_when that ends a row once its decoded tail contains `text` (none when empty).
std::function<bool(const std::vector<int>&)> stop_at_text(const Tokenizer& tok, std::string text);

Generation generate(Transformer& model, const std::vector<std::vector<int>>& prompts, const SamplingOptions& opt);

// Draws one token per row from logits [B,V] with temperature and nucleus (top-p) filtering.
torch::Tensor sample_tokens(const torch::Tensor& logits, double temperature, double top_p);

// Rows of [2,B]: the log-probability of `tokens` [B] under softmax(logits / temperature)
// (temperature 0: 1), and that distribution's entropy.
torch::Tensor sampled_token_stats(const torch::Tensor& logits, const torch::Tensor& tokens, double temperature);

// Right-padded batch of prompt+completion rows, as the trainer scores them.
struct ScoredBatch {
  torch::Tensor ids;              // [B,T] prompt left-padded to a common length, completion after
  torch::Tensor attention_mask;   // [B,T] 1 for real tokens
  torch::Tensor completion_mask;  // [B,Tc] 1 for completion tokens to score
  int64_t prompt_length = 0;      // columns of the (padded) prompt
};
ScoredBatch build_scored_batch(const std::vector<std::vector<int>>& prompts,
                               const std::vector<std::vector<int>>& completions, int pad_id);

// Log-probabilities [B,Tc] of the completion tokens under `model` (and the per-token
// entropy [B,Tc] of its distribution when `entropy` is given).
// entropy_gradient: the entropies carry a gradient (the entropy bonus); else they are data.
// A float32 model on the CPU runs core/model/packed_pass.h (packed, no padding; padded
// positions score 0), any other model libtorch's forward.
torch::Tensor completion_logprobs(Transformer& model, const ScoredBatch& batch, torch::Tensor* entropy = nullptr,
                                  bool entropy_gradient = false);

}  // namespace aha
