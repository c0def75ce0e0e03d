#pragma once
// Decoder-only transformer of the Qwen2/Llama family: RMSNorm, rotary position
// embeddings (half-split, as Hugging Face), SwiGLU MLP, grouped-query attention with
// optional q/k/v bias, optional tied embeddings, and a KV cache. Parameter names are
// those of Hugging Face checkpoints (model.layers.0.self_attn.q_proj.weight, ...).
#include <torch/torch.h>

#include "core/model/model_config.h"

namespace aha {

// Preallocated keys/values for every layer: [batch, kv_heads, capacity, head_dim].
struct KVCache {
  std::vector<torch::Tensor> k, v;
  int64_t length = 0;  // positions filled so far (same for the whole batch)
  // When defined ([1], long, on the device): the position that a one-token step writes,
  // read on the device, so that a captured CUDA graph can replay the step at any position.
  // Attention then covers the first length + 1 positions, which the mask must limit to
  // those written. Undefined: the step writes at `length`.
  torch::Tensor write_position;
  int64_t capacity() const { return k.empty() ? 0 : k[0].size(2); }
};

class RMSNormImpl : public torch::nn::Module {
 public:
  RMSNormImpl(int64_t dim, double eps);
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor weight;
 private:
  double eps_;
};
TORCH_MODULE(RMSNorm);

class AttentionImpl : public torch::nn::Module {
 public:
  explicit AttentionImpl(const ModelConfig& c);
  // x [B,T,D]; cos/sin [B,1,T,hd]; mask [B,1,T,Tk] additive (or undefined = causal
  // without padding). With a cache, writes this step's k/v at cache->length.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                        const torch::Tensor& mask, torch::Tensor* cache_k, torch::Tensor* cache_v,
                        int64_t cache_pos, const torch::Tensor& write_position = {});
  // q/k/v weights (and biases) become rows of one matrix, which the no-grad forward
  // multiplies once: one product per token instead of three.
  void fuse_projections();
  torch::nn::Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, o_proj{nullptr};
 private:
  int64_t heads_, kv_heads_, head_dim_;
  torch::Tensor qkv_weight_, qkv_bias_;  // defined once fused
};
TORCH_MODULE(Attention);

class MLPImpl : public torch::nn::Module {
 public:
  explicit MLPImpl(const ModelConfig& c);
  torch::Tensor forward(const torch::Tensor& x);
  void fuse_projections();  // gate and up as one matrix, as Attention's q/k/v
  torch::nn::Linear gate_proj{nullptr}, up_proj{nullptr}, down_proj{nullptr};
 private:
  torch::Tensor gate_up_weight_;
};
TORCH_MODULE(MLP);

class DecoderLayerImpl : public torch::nn::Module {
 public:
  explicit DecoderLayerImpl(const ModelConfig& c);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                        const torch::Tensor& mask, torch::Tensor* cache_k, torch::Tensor* cache_v,
                        int64_t cache_pos, const torch::Tensor& write_position = {});
  RMSNorm input_layernorm{nullptr}, post_attention_layernorm{nullptr};
  Attention self_attn{nullptr};
  MLP mlp{nullptr};
};
TORCH_MODULE(DecoderLayer);

// The "model." part of a Hugging Face checkpoint.
class DecoderStackImpl : public torch::nn::Module {
 public:
  explicit DecoderStackImpl(const ModelConfig& c);
  torch::nn::Embedding embed_tokens{nullptr};
  torch::nn::ModuleList layers;
  RMSNorm norm{nullptr};
};
TORCH_MODULE(DecoderStack);

class TransformerImpl : public torch::nn::Module {
 public:
  explicit TransformerImpl(const ModelConfig& c);

  // ids [B,T] -> logits [B,T,V]. `attention_mask` [B,Tk] of 1 (real) / 0 (padding) over
  // every position seen so far including this call's (undefined: no padding).
  // `positions` [B,T] (undefined: 0..T-1 after the cache). With `cache`, the new keys
  // and values are appended and cache->length advances by T.
  torch::Tensor forward(const torch::Tensor& ids, const torch::Tensor& attention_mask = {},
                        const torch::Tensor& positions = {}, KVCache* cache = nullptr);

  // Hidden states before the LM head (for memory-lean log-prob computation).
  torch::Tensor hidden(const torch::Tensor& ids, const torch::Tensor& attention_mask,
                       const torch::Tensor& positions, KVCache* cache);
  torch::Tensor lm_logits(const torch::Tensor& hidden);

  KVCache make_cache(int64_t batch, int64_t capacity) const;
  // Builds the rotary tables for `positions` now, so that a step captured in a CUDA graph
  // never reallocates them (a graph keeps the addresses it was captured with).
  void reserve_positions(int64_t positions);
  // Fuses each layer's q/k/v and gate/up weights for decoding (see
  // AttentionImpl::fuse_projections). The separate parameters stay, as views into the
  // fused matrices, so training, checkpoints and copy_weights see them unchanged; call it
  // after the model has moved to its device and dtype. Only no-grad forwards use the
  // fused matrices (autograd tracks the separate parameters).
  void fuse_projections();
  const ModelConfig& config() const { return config_; }
  void init_weights(uint64_t seed);
  // Gradient checkpointing: while training (grad mode, no cache) each decoder layer keeps
  // only its input and recomputes its activations in the backward pass, trading about
  // one more forward for activation memory that no longer grows with the layer count.
  void set_gradient_checkpointing(bool on) { checkpointing_ = on; }
  bool gradient_checkpointing() const { return checkpointing_; }

  DecoderStack model{nullptr};
  torch::nn::Linear lm_head{nullptr};  // absent (null) when embeddings are tied
  // The sampler's captured CUDA graphs of this model's decode step, with their buffers
  // (core/rl/graph_decoder.cpp). They read the weights where they are: kept while the
  // weights are only updated in place, dropped by fuse_projections().
  std::shared_ptr<void> decode_cache;

 private:
  ModelConfig config_;
  bool checkpointing_ = false;
  // cos and sign-folded sin ([-sin, sin], see apply_rope) of every position up to a
  // capacity, [n, hd], on the device and in the dtype of the last call.
  std::pair<torch::Tensor, torch::Tensor> rope_tables_;
  const std::pair<torch::Tensor, torch::Tensor>& rope_tables(int64_t positions, torch::Device device,
                                                             torch::ScalarType dtype);
};
TORCH_MODULE(Transformer);

// Copies the parameters of `from` into `into`, which is built on first use in `dtype` on
// from's device: the sampler's bfloat16 copy of trained float32 weights, so that decoding
// runs without autocast's per-product casts.
void copy_weights(Transformer& into, const Transformer& from, torch::ScalarType dtype);

// Positions [B,T] for left-padded rows: the count of real tokens before each position.
torch::Tensor positions_from_mask(const torch::Tensor& attention_mask);

}  // namespace aha
