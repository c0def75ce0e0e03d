#include "core/model/transformer.h"

#include <cmath>

#include "core/model/cuda_autocast.h"

namespace aha {

// ---------------- RMSNorm ----------------

RMSNormImpl::RMSNormImpl(int64_t dim, double eps) : eps_(eps) {
  weight = register_parameter("weight", torch::ones({dim}));
}

torch::Tensor RMSNormImpl::forward(const torch::Tensor& x) {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
  // One op instead of six where libtorch has it: decoding is bound by ops per token.
  if (x.scalar_type() == torch::kFloat32 && weight.scalar_type() == torch::kFloat32)
    return at::rms_norm(x, {weight.size(0)}, weight, eps_);
#endif
  // Normalise in float32 whatever the model dtype, as the reference implementation does.
  auto xf = x.to(torch::kFloat32);
  auto normed = xf * torch::rsqrt(xf.pow(2).mean(-1, true) + eps_);
  return weight * normed.to(x.scalar_type());
}

// ---------------- Rotary embeddings ----------------

namespace {

// x*cos + rotate_half(x)*sin, where rotate_half(x) = [-x2, x1]. `sin_signed` holds
// [-sin, sin] so that the rotation is a swap of halves: fewer kernels per token.
torch::Tensor apply_rope(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin_signed) {
  auto halves = x.chunk(2, -1);
  return torch::addcmul(x * cos, torch::cat({halves[1], halves[0]}, -1), sin_signed);
}

// Makes `parts` views into one new matrix stacked along dim 0 and returns it: an update
// of a part (the optimizer's, copy_weights') is an update of the whole.
torch::Tensor stack_as_views(const std::vector<torch::Tensor*>& parts) {
  torch::NoGradGuard ng;
  std::vector<torch::Tensor> values;
  for (auto* p : parts) values.push_back(*p);
  auto whole = torch::cat(values, 0).contiguous();
  int64_t row = 0;
  for (auto* p : parts) {
    const int64_t rows = p->size(0);
    auto view = whole.narrow(0, row, rows);
    p->set_(whole.storage(), view.storage_offset(), view.sizes(), view.strides());
    row += rows;
  }
  return whole;
}

}  // namespace

void copy_weights(Transformer& into, const Transformer& from, torch::ScalarType dtype) {
  if (!into) {
    into = Transformer(from->config());
    into->to(from->model->embed_tokens->weight.device(), dtype);
    into->eval();
    for (auto& p : into->parameters()) p.set_requires_grad(false);
    into->fuse_projections();
  }
  torch::NoGradGuard ng;
  const auto src = from->parameters();
  auto dst = into->parameters();
  for (size_t i = 0; i < src.size(); ++i) dst[i].copy_(src[i]);
}

torch::Tensor positions_from_mask(const torch::Tensor& attention_mask) {
  auto pos = attention_mask.to(torch::kLong).cumsum(-1) - 1;
  return pos.clamp_min(0);
}

// ---------------- Attention ----------------

AttentionImpl::AttentionImpl(const ModelConfig& c)
    : heads_(c.num_attention_heads), kv_heads_(c.num_key_value_heads), head_dim_(c.head_dim()) {
  const int64_t d = c.hidden_size;
  q_proj = register_module("q_proj", torch::nn::Linear(torch::nn::LinearOptions(d, heads_ * head_dim_).bias(c.qkv_bias)));
  k_proj = register_module("k_proj", torch::nn::Linear(torch::nn::LinearOptions(d, kv_heads_ * head_dim_).bias(c.qkv_bias)));
  v_proj = register_module("v_proj", torch::nn::Linear(torch::nn::LinearOptions(d, kv_heads_ * head_dim_).bias(c.qkv_bias)));
  o_proj = register_module("o_proj", torch::nn::Linear(torch::nn::LinearOptions(heads_ * head_dim_, d).bias(false)));
}

void AttentionImpl::fuse_projections() {
  qkv_weight_ = stack_as_views({&q_proj->weight, &k_proj->weight, &v_proj->weight});
  if (q_proj->bias.defined()) qkv_bias_ = stack_as_views({&q_proj->bias, &k_proj->bias, &v_proj->bias});
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& cos,
                                     const torch::Tensor& sin, const torch::Tensor& mask,
                                     torch::Tensor* cache_k, torch::Tensor* cache_v,
                                     int64_t cache_pos, const torch::Tensor& write_position) {
  const int64_t B = x.size(0), T = x.size(1);
  torch::Tensor q, k, v;
  // (A model moved after fusing has new parameter storage: the fused matrix is stale.)
  if (qkv_weight_.defined() && !torch::GradMode::is_enabled() && q_proj->weight.is_alias_of(qkv_weight_)) {
    const auto qkv = torch::linear(x, qkv_weight_, qkv_bias_);
    const int64_t dq = heads_ * head_dim_, dkv = kv_heads_ * head_dim_;
    q = qkv.narrow(-1, 0, dq).view({B, T, heads_, head_dim_}).transpose(1, 2);
    k = qkv.narrow(-1, dq, dkv).view({B, T, kv_heads_, head_dim_}).transpose(1, 2);
    v = qkv.narrow(-1, dq + dkv, dkv).view({B, T, kv_heads_, head_dim_}).transpose(1, 2);
  } else {
    q = q_proj(x).view({B, T, heads_, head_dim_}).transpose(1, 2);
    k = k_proj(x).view({B, T, kv_heads_, head_dim_}).transpose(1, 2);
    v = v_proj(x).view({B, T, kv_heads_, head_dim_}).transpose(1, 2);
  }
  q = apply_rope(q, cos, sin);
  k = apply_rope(k, cos, sin);

  if (cache_k) {
    if (write_position.defined()) {
      cache_k->index_copy_(2, write_position, k);
      cache_v->index_copy_(2, write_position, v);
    } else {
      cache_k->narrow(2, cache_pos, T).copy_(k);
      cache_v->narrow(2, cache_pos, T).copy_(v);
    }
    k = cache_k->narrow(2, 0, cache_pos + T);
    v = cache_v->narrow(2, 0, cache_pos + T);
  }
  // Grouped-query attention without copying keys/values: the query heads that share a
  // key/value head are stacked along the time axis, [B, kv, rep*T, hd].
  const int64_t rep = heads_ / kv_heads_, Tk = k.size(2);
  q = q.reshape({B, kv_heads_, rep * T, head_dim_});
  torch::Tensor group_mask;
  if (mask.defined())  // (one query per head: a [B,1,1,Tk] mask broadcasts over the group)
    group_mask = rep == 1 || T == 1 ? mask : mask.unsqueeze(2).expand({B, 1, rep, T, Tk}).reshape({B, 1, rep * T, Tk});

  torch::Tensor out;
#if TORCH_VERSION_MAJOR >= 2
  if (group_mask.defined() || T == 1) {
    out = group_mask.defined() ? at::scaled_dot_product_attention(q, k, v, group_mask)
                               : at::scaled_dot_product_attention(q, k, v);
  } else {
    // Causal over a fresh sequence: expand k/v so the kernel's causal mask lines up.
    q = q.view({B, heads_, T, head_dim_});
    auto ke = k.unsqueeze(2).expand({B, kv_heads_, rep, T, head_dim_}).reshape({B, heads_, T, head_dim_});
    auto ve = v.unsqueeze(2).expand({B, kv_heads_, rep, T, head_dim_}).reshape({B, heads_, T, head_dim_});
    out = at::scaled_dot_product_attention(q, ke, ve, {}, 0.0, /*is_causal=*/true);
  }
#else
  auto scores = torch::matmul(q, k.transpose(-2, -1)) * (1.0 / std::sqrt(double(head_dim_)));
  if (group_mask.defined()) {
    scores = scores + group_mask;
  } else if (T > 1) {  // fresh sequence (hidden() builds a mask when a cache precedes)
    auto causal = torch::ones({T, T}, torch::TensorOptions().dtype(torch::kBool).device(x.device())).triu(1);
    scores = scores.view({B, kv_heads_, rep, T, T}).masked_fill(causal, -std::numeric_limits<float>::infinity())
                 .view({B, kv_heads_, rep * T, T});
  }
  out = torch::matmul(torch::softmax(scores, -1, torch::kFloat32).to(q.scalar_type()), v);
#endif
  out = out.reshape({B, heads_, T, head_dim_});
  return o_proj(out.transpose(1, 2).reshape({B, T, heads_ * head_dim_}));
}

// ---------------- MLP and layer ----------------

MLPImpl::MLPImpl(const ModelConfig& c) {
  const int64_t d = c.hidden_size, h = c.intermediate_size;
  gate_proj = register_module("gate_proj", torch::nn::Linear(torch::nn::LinearOptions(d, h).bias(false)));
  up_proj = register_module("up_proj", torch::nn::Linear(torch::nn::LinearOptions(d, h).bias(false)));
  down_proj = register_module("down_proj", torch::nn::Linear(torch::nn::LinearOptions(h, d).bias(false)));
}

void MLPImpl::fuse_projections() { gate_up_weight_ = stack_as_views({&gate_proj->weight, &up_proj->weight}); }

torch::Tensor MLPImpl::forward(const torch::Tensor& x) {
  if (gate_up_weight_.defined() && !torch::GradMode::is_enabled() && gate_proj->weight.is_alias_of(gate_up_weight_)) {
    const auto gate_up = torch::linear(x, gate_up_weight_);
    const int64_t h = gate_up.size(-1) / 2;
    return down_proj(torch::silu(gate_up.narrow(-1, 0, h)) * gate_up.narrow(-1, h, h));
  }
  return down_proj(torch::silu(gate_proj(x)) * up_proj(x));
}

DecoderLayerImpl::DecoderLayerImpl(const ModelConfig& c) {
  input_layernorm = register_module("input_layernorm", RMSNorm(c.hidden_size, c.rms_norm_eps));
  self_attn = register_module("self_attn", Attention(c));
  post_attention_layernorm = register_module("post_attention_layernorm", RMSNorm(c.hidden_size, c.rms_norm_eps));
  mlp = register_module("mlp", MLP(c));
}

torch::Tensor DecoderLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& cos,
                                        const torch::Tensor& sin, const torch::Tensor& mask,
                                        torch::Tensor* cache_k, torch::Tensor* cache_v,
                                        int64_t cache_pos, const torch::Tensor& write_position) {
  auto h = x + self_attn(input_layernorm(x), cos, sin, mask, cache_k, cache_v, cache_pos, write_position);
  return h + mlp(post_attention_layernorm(h));
}

DecoderStackImpl::DecoderStackImpl(const ModelConfig& c) {
  embed_tokens = register_module("embed_tokens", torch::nn::Embedding(c.vocab_size, c.hidden_size));
  layers = register_module("layers", torch::nn::ModuleList());
  for (int i = 0; i < c.num_hidden_layers; ++i) layers->push_back(DecoderLayer(c));
  norm = register_module("norm", RMSNorm(c.hidden_size, c.rms_norm_eps));
}

// ---------------- Transformer ----------------

TransformerImpl::TransformerImpl(const ModelConfig& c) : config_(c) {
  c.validate("model config");
  model = register_module("model", DecoderStack(c));
  if (!c.tie_word_embeddings)
    lm_head = register_module("lm_head", torch::nn::Linear(torch::nn::LinearOptions(c.hidden_size, c.vocab_size).bias(false)));
}

void TransformerImpl::init_weights(uint64_t seed) {
  torch::manual_seed(seed);
  torch::NoGradGuard ng;
  for (auto& p : named_parameters()) {
    const auto& name = p.key();
    if (name.find("norm") != std::string::npos) p.value().fill_(1.0);
    else if (name.find("bias") != std::string::npos) p.value().zero_();
    else p.value().normal_(0.0, 0.02);
  }
  // Scale the residual outputs by depth (GPT-2) so deep stacks start stable.
  const double s = 0.02 / std::sqrt(2.0 * config_.num_hidden_layers);
  for (auto& p : named_parameters())
    if (p.key().find("o_proj.weight") != std::string::npos || p.key().find("down_proj.weight") != std::string::npos)
      p.value().normal_(0.0, s);
}

KVCache TransformerImpl::make_cache(int64_t batch, int64_t capacity) const {
  KVCache cache;
  const auto opts = model->embed_tokens->weight.options();  // (the sampler's bf16 copy: a bf16 cache)
  for (int i = 0; i < config_.num_hidden_layers; ++i) {
    cache.k.push_back(torch::zeros({batch, config_.num_key_value_heads, capacity, config_.head_dim()}, opts));
    cache.v.push_back(torch::zeros({batch, config_.num_key_value_heads, capacity, config_.head_dim()}, opts));
  }
  return cache;
}

void TransformerImpl::reserve_positions(int64_t positions) {
  const auto& w = model->embed_tokens->weight;
  rope_tables(positions, w.device(), w.scalar_type());
}

void TransformerImpl::fuse_projections() {
  decode_cache.reset();  // graphs captured before read the old weight storage
  for (size_t i = 0; i < model->layers->size(); ++i) {
    auto layer = model->layers[i]->as<DecoderLayer>();
    layer->self_attn->fuse_projections();
    layer->mlp->fuse_projections();
  }
}

namespace {

// One decoder layer whose activations are recomputed in the backward pass. The backward
// reruns the layer with grad enabled and back-propagates through it on the spot, which
// accumulates the layer's parameter gradients (the "reentrant" form of checkpointing).
struct CheckpointedLayer : torch::autograd::Function<CheckpointedLayer> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                               const torch::Tensor& cos, const torch::Tensor& sin, const torch::Tensor& mask,
                               int64_t layer) {
    ctx->save_for_backward({x});
    ctx->saved_data["cos"] = cos;
    ctx->saved_data["sin"] = sin;
    ctx->saved_data["mask"] = mask;
    ctx->saved_data["layer"] = layer;
    ctx->saved_data["autocast"] = x.is_cuda() && cuda_autocast_enabled();
    return reinterpret_cast<DecoderLayerImpl*>(layer)->forward(x, cos, sin, mask, nullptr, nullptr, 0);
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_out) {
    auto x = ctx->get_saved_variables()[0].detach().requires_grad_(true);
    auto* layer = reinterpret_cast<DecoderLayerImpl*>(ctx->saved_data["layer"].toInt());
    torch::Tensor y;
    {
      // The recomputation must match the forward: same grad mode, same autocast (the
      // backward may run on another thread, where autocast is off).
      torch::AutoGradMode grad(true);
      const CudaAutocast autocast(ctx->saved_data["autocast"].toBool());
      y = layer->forward(x, ctx->saved_data["cos"].toTensor(), ctx->saved_data["sin"].toTensor(),
                         ctx->saved_data["mask"].toTensor(), nullptr, nullptr, 0);
    }
    torch::autograd::backward({y}, {grad_out[0]});
    return {x.grad(), torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

const std::pair<torch::Tensor, torch::Tensor>& TransformerImpl::rope_tables(int64_t positions, torch::Device device,
                                                                          torch::ScalarType dtype) {
  auto& [cos, sin] = rope_tables_;
  if (cos.defined() && cos.size(0) >= positions && cos.device() == device && cos.scalar_type() == dtype)
    return rope_tables_;
  // Built in float64 and rounded once, for a power of two of positions (rebuilt rarely).
  int64_t n = 256;
  while (n < positions) n *= 2;
  // From the config, never from a tensor: a model moved to bfloat16 would round the
  // frequencies with its weights and misplace every position.
  auto freqs = torch::arange(n, torch::kFloat64).unsqueeze(1) *
               torch::tensor(config_.rope_inv_freq(), torch::kFloat64).unsqueeze(0);
  cos = torch::cat({freqs.cos(), freqs.cos()}, 1).to(device, dtype);
  sin = torch::cat({-freqs.sin(), freqs.sin()}, 1).to(device, dtype);
  return rope_tables_;
}

torch::Tensor TransformerImpl::hidden(const torch::Tensor& ids, const torch::Tensor& attention_mask,
                                      const torch::Tensor& positions_in, KVCache* cache) {
  const int64_t B = ids.size(0), T = ids.size(1);
  const int64_t past = cache ? cache->length : 0;
  TORCH_CHECK(!cache || past + T <= cache->capacity(), "KV cache overflow: ", past + T, " > ", cache->capacity());
  auto x = model->embed_tokens(ids);
  const auto dev = ids.device();
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 3)
  if (dev.is_cuda()) {
    // cuDNN's attention, which recent libtorch picks for bfloat16 on Hopper, ran decode
    // steps 13x slower than the other kernels once rows left the batch (H100, torch 2.11).
    static const bool no_cudnn_attention = [] {
      at::globalContext().setSDPUseCuDNN(false);
      return true;
    }();
    (void)no_cudnn_attention;
  }
#endif

  torch::Tensor positions = positions_in;
  if (!positions.defined())
    positions = (torch::arange(past, past + T, torch::TensorOptions().dtype(torch::kLong).device(dev))).unsqueeze(0).expand({B, T});

  // Rotary tables for exactly these positions: [B,1,T,hd]. (Positions never exceed
  // past + T - 1: left padding only lowers them.)
  const auto& [cos_table, sin_table] = rope_tables(past + T, dev, x.scalar_type());
  const auto flat = positions.reshape({-1});
  auto cos = cos_table.index_select(0, flat).view({B, 1, T, -1});
  auto sin = sin_table.index_select(0, flat).view({B, 1, T, -1});

  // Additive mask only when padding is present; plain causal attention needs none.
  // Plain causal attention over a fresh sequence needs none (the kernel applies it).
  torch::Tensor mask;
  // A large finite value, not -inf: a padded query row that sees no key stays finite.
  // (float16 cannot hold -1e30: its lowest finite value instead)
  const double blocked_value = x.scalar_type() == torch::kHalf ? -65504.0 : -1e30;
  const int64_t Tk = past + T;
  if (attention_mask.defined())
    TORCH_CHECK(attention_mask.size(1) == Tk, "attention_mask covers ", attention_mask.size(1), " positions, expected ", Tk);
  if (T == 1 && attention_mask.defined()) {
    // One new token sees every key so far: only padding is blocked (the decode step).
    mask = torch::zeros({B, 1, 1, Tk}, x.options()).masked_fill(attention_mask.view({B, 1, 1, Tk}) == 0, blocked_value);
  } else if (attention_mask.defined() || (past > 0 && T > 1)) {
    auto opts = torch::TensorOptions().dtype(torch::kBool).device(dev);
    auto blocked = torch::ones({T, Tk}, opts).triu(past + 1).view({1, 1, T, Tk});  // future keys
    if (attention_mask.defined()) {
      blocked = blocked.logical_or(attention_mask.to(torch::kBool).logical_not().view({B, 1, 1, Tk}));
      // A padded query would see no key at all, and fused attention kernels turn such a
      // row into NaN gradients in bfloat16 (seen on an H100). It sees itself instead: its
      // output is never used, and no real position's view changes.
      blocked = blocked.logical_and(torch::ones({T, Tk}, opts).triu(past).tril(past).logical_not());
    }
    mask = torch::zeros(blocked.sizes(), x.options()).masked_fill(blocked, blocked_value);
  }

  for (size_t i = 0; i < model->layers->size(); ++i) {
    auto layer = model->layers[i]->as<DecoderLayer>();
    torch::Tensor* ck = cache ? &cache->k[i] : nullptr;
    torch::Tensor* cv = cache ? &cache->v[i] : nullptr;
    if (checkpointing_ && !cache && torch::GradMode::is_enabled())
      x = CheckpointedLayer::apply(x, cos, sin, mask, reinterpret_cast<int64_t>(layer));
    else
      x = layer->forward(x, cos, sin, mask, ck, cv, past, cache ? cache->write_position : torch::Tensor());
  }
  if (cache) cache->length += T;
  return model->norm(x);
}

torch::Tensor TransformerImpl::lm_logits(const torch::Tensor& h) {
  return lm_head ? lm_head(h) : torch::matmul(h, model->embed_tokens->weight.t());
}

torch::Tensor TransformerImpl::forward(const torch::Tensor& ids, const torch::Tensor& attention_mask,
                                       const torch::Tensor& positions, KVCache* cache) {
  return lm_logits(hidden(ids, attention_mask, positions, cache));
}

}  // namespace aha
