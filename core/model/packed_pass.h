#pragma once
// The forward over whole sequences, and the policy update's backward, of a float32 model
// on the CPU, without
// libtorch's cost per operation and without padding: the batch's real tokens are packed
// into one [N, hidden] matrix (each row's prompt and completion, positions from 0), every
// product is one cblas_sgemm over all N tokens, attention runs per sequence, and the
// elementwise parts (RMSNorm, rotary embedding, SwiGLU, log-softmax and entropy) are loops
// over rows with their gradients written out by hand. The backward is a custom autograd
// function, so the trainer's loss, clipping and optimizer stay as they are. Gradients equal
// libtorch's autograd through TransformerImpl::forward to float rounding (tests/core/model).
#include <torch/torch.h>

#include "core/model/transformer.h"

namespace aha {

// On the CPU, in float32, with a BLAS that has cblas_sgemm in this process, and without
// gradient checkpointing (this path keeps every layer's activations).
bool packed_pass_supports(Transformer& model);

struct CompletionScores {
  torch::Tensor logps;    // [B, Lc]: log p of each completion token given what precedes it
  torch::Tensor entropy;  // [B, Lc] of the distribution it was drawn from (undefined unless asked)
};

// ids, attention_mask [B, Lp + Lc] (mask 1 = real token), the completion from column
// `prompt_length` on, as build_scored_batch lays them out. A position whose token or
// predecessor is padding scores 0. Under grad mode the scores carry a gradient to every
// parameter of `model` (the entropy only when `entropy_gradient`).
CompletionScores packed_completion_scores(Transformer& model, const torch::Tensor& ids, const torch::Tensor& attention_mask,
                                          int64_t prompt_length, bool with_entropy, bool entropy_gradient);

// The prompts' forward before decoding (TransformerImpl::forward with a cache, packed):
// ids, mask [B, L], left-padded. Every real token's keys and values go into `cache` (empty,
// from make_cache) at its column, padding columns stay as they are, and cache.length
// becomes L. Returns each row's logits [B, V] at its last column.
torch::Tensor packed_prefill(Transformer& model, const torch::Tensor& ids, const torch::Tensor& mask, KVCache& cache);

}  // namespace aha
