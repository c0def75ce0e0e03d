#pragma once
// Decode steps (one new token per batch row) of a float32 model on the CPU, without
// libtorch's cost per operation: a model of the built-in size spends most of a libtorch
// decode step between operations, not in them. Each phase of a layer is split across the
// threads: the products by output columns (BLAS calls on each thread's share of the
// weights, OpenBLAS kept to one thread per call: core/model/blas_threads.h), the rest by
// rows (core/model/row_kernels.h), in buffers allocated once. Keys are kept transposed in
// blocks of positions, so that a query's scores over a block add up in registers. The logits
// equal TransformerImpl::forward's to float rounding (tests/core/model: within 1e-5).
#include <torch/torch.h>

#include <vector>

#include "core/model/transformer.h"

namespace aha {

class CpuDecodeStep {
 public:
  // On the CPU, in float32, with a BLAS that has cblas_sgemm in this process.
  static bool supports(Transformer& model);
  // Continues from `prefilled` (the model's forward over the prompts with this cache).
  // The weights are copied, so updates after this call are not seen.
  CpuDecodeStep(Transformer& model, const KVCache& prefilled);

  // tokens [B] long; mask [B, capacity] long, 1 for real tokens, this token's position
  // included; positions [B] or [B, 1] long: each row's rotary position. Returns the
  // logits [B, V], valid until the next call.
  torch::Tensor step(const torch::Tensor& tokens, const torch::Tensor& mask, const torch::Tensor& positions);
  // Keeps the rows `keep` (long, in order) of the cache.
  void keep_rows(const torch::Tensor& keep);
  int64_t length() const { return length_; }  // positions in the cache

 private:
  struct Layer {
    // *_t: [in, out] copies, q/k/v and gate/up side by side: one product each
    torch::Tensor ln1, qkv_t, qkv_bias, o_t, ln2, gate_up_t, down_t;
  };
  // out[rows, :] (+)= in[rows, :] x weight_t, the output columns split across the threads.
  void product(const torch::Tensor& in, const torch::Tensor& weight_t, torch::Tensor& out, int64_t rows,
               bool accumulate) const;
  void attend_rows(size_t layer, int64_t begin, int64_t end, const int64_t* positions);

  const ModelConfig config_;
  torch::Tensor embed_, norm_, head_t_, cos_, sin_;
  std::vector<Layer> layers_;
  // Per layer: keys [B, kv, blocks, head_dim, kPositionBlock], values [B, kv, capacity, head_dim].
  std::vector<torch::Tensor> keys_t_, values_;
  int64_t length_ = 0, capacity_ = 0;
  // Activations of the whole batch; `blocked`, `kept`: each row's mask as attend() takes it.
  torch::Tensor x_, xn_, qkv_, att_, gate_up_, act_, logits_, blocked_, kept_;
  std::vector<torch::Tensor> scores_;  // per thread
};

}  // namespace aha
