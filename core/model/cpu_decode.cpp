#include "core/model/cpu_decode.h"

#include <ATen/Parallel.h>

#include <cmath>

#include "core/model/row_kernels.h"
#include "core/model/sgemm.h"

namespace aha {

namespace {

// A share of a range per thread, in whole blocks of `align`.
int64_t share(int64_t n, int64_t align) {
  const int64_t threads = at::get_num_threads();
  return std::max<int64_t>(align, (n + threads * align - 1) / (threads * align) * align);
}

}  // namespace

bool CpuDecodeStep::supports(Transformer& model) {
  const auto& w = model->model->embed_tokens->weight;
  return sgemm_available() && w.device().is_cpu() && w.scalar_type() == torch::kFloat32 && model->config().head_dim() <= 256;
}

CpuDecodeStep::CpuDecodeStep(Transformer& model, const KVCache& prefilled)
    : config_(model->config()), length_(prefilled.length), capacity_(prefilled.capacity()) {
  TORCH_CHECK(supports(model), "the CPU decode step needs a float32 model on the CPU and cblas_sgemm");
  torch::NoGradGuard no_grad;
  const auto& c = config_;
  embed_ = model->model->embed_tokens->weight;
  norm_ = model->model->norm->weight;
  // The products' weights as [in, out] copies: OpenBLAS ran them 15% faster than on
  // transposed views, and a block of output columns is then a block of each row.
  head_t_ = (model->lm_head ? model->lm_head->weight : embed_).t().contiguous();
  for (const auto& l : *model->model->layers) {
    const auto* layer = l->as<DecoderLayerImpl>();
    const auto& attn = *layer->self_attn;
    const auto& mlp = *layer->mlp;
    Layer L;
    L.ln1 = layer->input_layernorm->weight;
    L.qkv_t = torch::cat({attn.q_proj->weight, attn.k_proj->weight, attn.v_proj->weight}).t().contiguous();
    if (attn.q_proj->bias.defined()) L.qkv_bias = torch::cat({attn.q_proj->bias, attn.k_proj->bias, attn.v_proj->bias});
    L.o_t = attn.o_proj->weight.t().contiguous();
    L.ln2 = layer->post_attention_layernorm->weight;
    L.gate_up_t = torch::cat({mlp.gate_proj->weight, mlp.up_proj->weight}).t().contiguous();
    L.down_t = mlp.down_proj->weight.t().contiguous();
    layers_.push_back(std::move(L));
  }
  // Keys in blocks of positions, each transposed (kernels::attend): [B, kv, blocks, hd, 32].
  const int64_t block = kernels::kPositionBlock, stride = (capacity_ + block - 1) / block * block;
  for (size_t l = 0; l < prefilled.k.size(); ++l) {
    const auto& k = prefilled.k[l];
    const int64_t B = k.size(0), kv = k.size(1), hd = k.size(3);
    auto padded = torch::zeros({B, kv, stride, hd}, k.options());
    padded.narrow(2, 0, capacity_).copy_(k);
    keys_t_.push_back(padded.view({B, kv, stride / block, block, hd}).transpose(3, 4).contiguous());
    values_.push_back(prefilled.v[l].contiguous());
  }
  // The rotary tables as the model builds them (float64, rounded once), so that both paths
  // rotate by the same numbers.
  auto freqs = torch::arange(capacity_, torch::kFloat64).unsqueeze(1) *
               torch::tensor(c.rope_inv_freq(), torch::kFloat64).unsqueeze(0);
  cos_ = torch::cat({freqs.cos(), freqs.cos()}, 1).to(torch::kFloat32).contiguous();
  sin_ = torch::cat({-freqs.sin(), freqs.sin()}, 1).to(torch::kFloat32).contiguous();

  const int64_t B = prefilled.k.empty() ? 0 : prefilled.k[0].size(0), hd = c.head_dim();
  const int64_t heads = c.num_attention_heads, nqkv = (heads + 2 * c.num_key_value_heads) * hd;
  const auto f = torch::TensorOptions().dtype(torch::kFloat32);
  x_ = torch::empty({B, c.hidden_size}, f);
  xn_ = torch::empty({B, c.hidden_size}, f);
  qkv_ = torch::empty({B, nqkv}, f);
  att_ = torch::empty({B, heads * hd}, f);
  gate_up_ = torch::empty({B, 2 * c.intermediate_size}, f);
  act_ = torch::empty({B, c.intermediate_size}, f);
  logits_ = torch::empty({B, c.vocab_size}, f);
  blocked_ = torch::empty({B, capacity_}, f);
  kept_ = torch::empty({B, capacity_}, f);
  for (int t = 0; t < at::get_num_threads(); ++t)
    scores_.push_back(torch::empty({heads, (capacity_ + kernels::kPositionBlock - 1) / kernels::kPositionBlock *
                                               kernels::kPositionBlock},
                                   f));
}

void CpuDecodeStep::keep_rows(const torch::Tensor& keep) {
  for (auto& k : keys_t_) k = k.index_select(0, keep);
  for (auto& v : values_) v = v.index_select(0, keep);
}

void CpuDecodeStep::product(const torch::Tensor& in, const torch::Tensor& weight_t, torch::Tensor& out, int64_t rows,
                            bool accumulate) const {
  const int64_t K = weight_t.size(0), N = weight_t.size(1);
  const float* A = in.data_ptr<float>();
  const float* W = weight_t.data_ptr<float>();
  float* C = out.data_ptr<float>();
  at::parallel_for(0, N, share(N, 16), [&](int64_t c0, int64_t c1) {
    sgemm(false, false, rows, c1 - c0, K, 1.0f, A, in.size(1), W + c0, N, accumulate ? 1.0f : 0.0f, C + c0, out.size(1));
  });
}

torch::Tensor CpuDecodeStep::step(const torch::Tensor& tokens, const torch::Tensor& mask,
                                  const torch::Tensor& positions) {
  const int64_t B = tokens.size(0);
  TORCH_CHECK(!keys_t_.empty() && B == keys_t_[0].size(0), "CPU decode step: ", B, " tokens for a cache of ",
              keys_t_.empty() ? 0 : keys_t_[0].size(0), " rows");
  TORCH_CHECK(length_ < capacity_, "KV cache overflow: ", length_ + 1, " > ", capacity_);
  const auto tok = tokens.to(torch::kLong).contiguous();
  const auto m = mask.to(torch::kLong).contiguous();
  const auto pos = positions.to(torch::kLong).reshape({-1}).contiguous();
  const int64_t *tp = tok.data_ptr<int64_t>(), *mp = m.data_ptr<int64_t>(), *pp = pos.data_ptr<int64_t>();
  const auto& c = config_;
  const int64_t D = c.hidden_size, I = c.intermediate_size, seen = length_ + 1, row_share = share(B, 1);
  const float eps = static_cast<float>(c.rms_norm_eps);
  float *X = x_.data_ptr<float>(), *XN = xn_.data_ptr<float>(), *GU = gate_up_.data_ptr<float>();
  float *ACT = act_.data_ptr<float>(), *blocked = blocked_.data_ptr<float>(), *kept = kept_.data_ptr<float>();
  auto norm_rows = [&](const torch::Tensor& weight) {
    at::parallel_for(0, B, row_share, [&](int64_t b0, int64_t b1) {
      for (int64_t b = b0; b < b1; ++b) kernels::rms_norm(X + b * D, weight.data_ptr<float>(), XN + b * D, D, eps);
    });
  };

  at::parallel_for(0, B, row_share, [&](int64_t b0, int64_t b1) {
    const float* E = embed_.data_ptr<float>();
    for (int64_t b = b0; b < b1; ++b) {
      std::copy_n(E + tp[b] * D, D, X + b * D);
      const int64_t* row_mask = mp + b * m.size(1);  // the same for every layer
      for (int64_t t = 0; t < seen; ++t) {
        blocked[b * capacity_ + t] = row_mask[t] ? 0.0f : -1e30f;
        kept[b * capacity_ + t] = row_mask[t] ? 1.0f : 0.0f;
      }
    }
  });
  for (size_t l = 0; l < layers_.size(); ++l) {
    const auto& L = layers_[l];
    norm_rows(L.ln1);
    product(xn_, L.qkv_t, qkv_, B, false);
    at::parallel_for(0, B, row_share, [&](int64_t b0, int64_t b1) { attend_rows(l, b0, b1, pp); });
    product(att_, L.o_t, x_, B, true);  // the residual added in the product
    norm_rows(L.ln2);
    product(xn_, L.gate_up_t, gate_up_, B, false);
    at::parallel_for(0, B, row_share, [&](int64_t b0, int64_t b1) {
      for (int64_t b = b0; b < b1; ++b) kernels::silu_mul(GU + b * 2 * I, GU + b * 2 * I + I, ACT + b * I, I);
    });
    product(act_, L.down_t, x_, B, true);
  }
  norm_rows(norm_);
  product(xn_, head_t_, logits_, B, false);
  ++length_;
  return logits_.narrow(0, 0, B);
}

void CpuDecodeStep::attend_rows(size_t l, int64_t begin, int64_t end, const int64_t* positions) {
  const auto& c = config_;
  const auto& L = layers_[l];
  const int64_t hd = c.head_dim(), heads = c.num_attention_heads, kv = c.num_key_value_heads, rep = heads / kv;
  const int64_t slot = length_, seen = slot + 1, cap = capacity_, nqkv = qkv_.size(1);
  const int64_t block = kernels::kPositionBlock, per_head = keys_t_[l].size(2) * hd * block;
  const float scale = static_cast<float>(1.0 / std::sqrt(double(hd)));
  float* KT = keys_t_[l].data_ptr<float>();
  float* V = values_[l].data_ptr<float>();
  float* scores = scores_[std::min<size_t>(at::get_thread_num(), scores_.size() - 1)].data_ptr<float>();
  for (int64_t b = begin; b < end; ++b) {
    float* q = qkv_.data_ptr<float>() + b * nqkv;
    if (L.qkv_bias.defined()) {
      const float* bias = L.qkv_bias.data_ptr<float>();
      for (int64_t i = 0; i < nqkv; ++i) q[i] += bias[i];
    }
    float* k = q + heads * hd;
    const float* v = k + kv * hd;
    const float* cs = cos_.data_ptr<float>() + positions[b] * hd;
    const float* sn = sin_.data_ptr<float>() + positions[b] * hd;
    kernels::rope(q, heads, hd, cs, sn);
    kernels::rope(k, kv, hd, cs, sn);
    for (int64_t g = 0; g < kv; ++g) {  // this token's key and value into the cache
      float* kt = KT + (b * kv + g) * per_head + (slot / block) * hd * block + slot % block;
      for (int64_t d = 0; d < hd; ++d) kt[d * block] = k[g * hd + d];
      std::copy_n(v + g * hd, hd, V + ((b * kv + g) * cap + slot) * hd);
    }
    for (int64_t g = 0; g < kv; ++g)  // the query heads of each key/value head together
      kernels::attend(q + g * rep * hd, rep, KT + (b * kv + g) * per_head, V + (b * kv + g) * cap * hd,
                      blocked_.data_ptr<float>() + b * cap, kept_.data_ptr<float>() + b * cap, seen, hd, scale, scores,
                      att_.data_ptr<float>() + b * heads * hd + g * rep * hd);
  }
}

}  // namespace aha
