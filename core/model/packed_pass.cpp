#include "core/model/packed_pass.h"

#include <cmath>
#include <cstring>

#include "core/model/blas_threads.h"
#include "core/model/row_kernels.h"
#include "core/model/sgemm.h"
#include "core/model/thread_shares.h"

namespace aha {

namespace {

float* f(const torch::Tensor& t) { return t.data_ptr<float>(); }
torch::Tensor buffer(int64_t rows, int64_t cols) { return torch::empty({rows, cols}, torch::kFloat32); }

// The batch's real tokens, row after row, and which of them predict a scored token.
struct Packing {
  int64_t rows = 0, tokens = 0, completion_columns = 0;
  std::vector<int64_t> begin, length;  // per batch row: its first packed token, its count
  std::vector<int64_t> token, position, column;  // per packed token: its id, position, column in ids
  // Per scored token: the packed token that predicts it, its slot in [B * Lc], its id.
  std::vector<int64_t> from, slot, target;
};

Packing pack(const torch::Tensor& ids_in, const torch::Tensor& mask_in, int64_t prompt_length) {
  const auto ids = ids_in.to(torch::kCPU, torch::kLong).contiguous();
  const auto mask = mask_in.to(torch::kCPU, torch::kLong).contiguous();
  Packing p;
  p.rows = ids.size(0);
  const int64_t T = ids.size(1);
  p.completion_columns = T - prompt_length;
  const int64_t* id = ids.data_ptr<int64_t>();
  const int64_t* m = mask.data_ptr<int64_t>();
  for (int64_t b = 0; b < p.rows; ++b) {
    p.begin.push_back(p.tokens);
    int64_t last_real = -2;
    for (int64_t t = 0; t < T; ++t) {
      if (!m[b * T + t]) continue;
      if (t >= prompt_length && last_real == t - 1) {
        p.from.push_back(p.tokens - 1);
        p.slot.push_back(b * p.completion_columns + t - prompt_length);
        p.target.push_back(id[b * T + t]);
      }
      p.token.push_back(id[b * T + t]);
      p.position.push_back(p.tokens - p.begin.back());
      p.column.push_back(t);
      ++p.tokens;
      last_real = t;
    }
    p.length.push_back(p.tokens - p.begin.back());
  }
  return p;
}

// A layer's weights, and the order in which all parameters are autograd's inputs.
struct LayerWeights {
  torch::Tensor ln1, q, k, v, q_bias, k_bias, v_bias, o, ln2, gate, up, down;
  std::vector<torch::Tensor*> all() {
    std::vector<torch::Tensor*> out{&ln1, &q, &k, &v, &o, &ln2, &gate, &up, &down};
    if (q_bias.defined()) out.insert(out.end(), {&q_bias, &k_bias, &v_bias});
    return out;
  }
};

// What the backward needs of one layer.
struct LayerTape {
  torch::Tensor x, xn1, qkv, probs, att, h, xn2, gate_up, act;  // qkv after the rotary embedding
  std::vector<float> inv1, inv2;                                  // the norms' 1 / rms per token
};

}  // namespace

// One forward over a packed batch, and its backward (autograd's node holds it). Every
// phase is split across libtorch's threads: products and row loops by token rows, weight
// gradients by the weight's rows, attention by sequences of near-equal cost.
class PackedPass : public torch::CustomClassHolder {
 public:
  // With `cache` (a prefill): every layer's keys and values go into it, and `logits` holds
  // each row's last token's logits as they are.
  PackedPass(Transformer& model, Packing packing, bool keep_activations, KVCache* cache = nullptr);
  std::vector<torch::Tensor> parameters() const;
  // Gradients of the parameters (in parameters()' order) from those of the scores.
  std::vector<torch::Tensor> backward(const torch::Tensor& d_logps, const torch::Tensor& d_entropy);

  torch::Tensor logps, entropy;  // [B, Lc]
  torch::Tensor logits;          // [B, V], a prefill's

 private:
  void layer_forward(LayerWeights& w, LayerTape& t, torch::Tensor& x, size_t layer);
  void layer_backward(LayerWeights& w, const LayerTape& t, LayerWeights& g, torch::Tensor& dx);
  void attention_forward(LayerTape& t) const;
  void attention_backward(const LayerTape& t, const float* d_att, float* d_qkv) const;
  void rotate(float* qkv, int64_t ld, bool inverse) const;
  // y = x w^T (+ y when accumulate) over the token rows; w is [out, in].
  void times_transposed(const float* x, int64_t ldx, const float* w, int64_t out, int64_t in, float* y, int64_t ldy,
                        bool accumulate) const;
  // dx = dy w (+ dx when accumulate) over the token rows: the gradient to a product's input.
  void times(const float* dy, int64_t ldy, const float* w, int64_t out, int64_t in, float* dx, int64_t ldx,
             bool accumulate) const;
  // dw += dy^T x: the gradient to a product's weight [out, in].
  void weight_gradient(const float* dy, int64_t ldy, const float* x, int64_t ldx, int64_t out, int64_t in,
                       float* dw) const;
  // dx[r] += the gradient through y = rms_norm(x) for every token row r; dw += the weight's.
  void norm_backward(const float* dy, const float* x, const std::vector<float>& inv, const float* w, float* dx,
                     float* dw) const;

  const ModelConfig c_;
  const int64_t D, H, KV, hd, dq, dkv, dqkv, I, V;
  Packing p_;
  bool keep_;
  KVCache* cache_;
  ThreadShares rows_, sequences_, scored_;
  torch::Tensor embed_, norm_, head_;  // head_ is embed_ when tied
  std::vector<LayerWeights> w_;
  std::vector<LayerTape> tape_;
  torch::Tensor cos_, sin_, sin_back_;  // [positions, hd]; sin_back rotates the other way
  std::vector<int64_t> probs_begin_;    // per row: where its heads' n x n probabilities start
  int64_t probs_size_ = 0;
  torch::Tensor x_final_, hn_, logp_;   // [N, D], the scored rows' normed hidden [M, D], [M, V]
  std::vector<float> inv_final_, entropy_rows_;
};

PackedPass::PackedPass(Transformer& model, Packing packing, bool keep_activations, KVCache* cache)
    : c_(model->config()),
      D(c_.hidden_size),
      H(c_.num_attention_heads),
      KV(c_.num_key_value_heads),
      hd(c_.head_dim()),
      dq(H * hd),
      dkv(KV * hd),
      dqkv(dq + 2 * dkv),
      I(c_.intermediate_size),
      V(c_.vocab_size),
      p_(std::move(packing)),
      keep_(keep_activations),
      cache_(cache) {
  embed_ = model->model->embed_tokens->weight;
  norm_ = model->model->norm->weight;
  head_ = model->lm_head ? model->lm_head->weight : embed_;
  for (const auto& l : *model->model->layers) {
    auto* layer = l->as<DecoderLayerImpl>();
    auto& attn = *layer->self_attn;
    auto& mlp = *layer->mlp;
    w_.push_back({layer->input_layernorm->weight, attn.q_proj->weight, attn.k_proj->weight, attn.v_proj->weight,
                  attn.q_proj->bias, attn.k_proj->bias, attn.v_proj->bias, attn.o_proj->weight,
                  layer->post_attention_layernorm->weight, mlp.gate_proj->weight, mlp.up_proj->weight,
                  mlp.down_proj->weight});
  }
  // Rotary tables as TransformerImpl builds them: in float64, rounded once.
  int64_t longest = 1;
  for (int64_t n : p_.length) longest = std::max(longest, n);
  auto freqs = torch::arange(longest, torch::kFloat64).unsqueeze(1) *
               torch::tensor(c_.rope_inv_freq(), torch::kFloat64).unsqueeze(0);
  cos_ = torch::cat({freqs.cos(), freqs.cos()}, 1).to(torch::kFloat32).contiguous();
  sin_ = torch::cat({-freqs.sin(), freqs.sin()}, 1).to(torch::kFloat32).contiguous();
  sin_back_ = -sin_;
  std::vector<int64_t> attention_cost;
  for (int64_t n : p_.length) {
    probs_begin_.push_back(probs_size_);
    probs_size_ += H * n * n;
    attention_cost.push_back(n * n + 1);
  }
  const int64_t N = p_.tokens, M = static_cast<int64_t>(p_.from.size());
  rows_ = ThreadShares::even(N);
  scored_ = ThreadShares::even(M);
  sequences_ = ThreadShares::weighted(attention_cost);

  // Forward: embedding, layers, the final norm and the head over the scored tokens only.
  auto x = buffer(N, D);
  for (int64_t r = 0; r < N; ++r) std::memcpy(f(x) + r * D, f(embed_) + p_.token[r] * D, D * sizeof(float));
  tape_.resize(w_.size());
  for (size_t l = 0; l < w_.size(); ++l) {
    layer_forward(w_[l], tape_[l], x, l);
    if (!keep_) tape_[l] = LayerTape();
  }
  x_final_ = x;
  hn_ = buffer(M, D);
  logp_ = buffer(M, V);
  inv_final_.resize(M);
  entropy_rows_.resize(M);
  logps = torch::zeros({p_.rows, p_.completion_columns});
  entropy = torch::zeros({p_.rows, p_.completion_columns});
  const float eps = static_cast<float>(c_.rms_norm_eps);
  if (cache_) logits = torch::zeros({p_.rows, V});
  scored_.run([&](int64_t, int64_t a, int64_t b) {
    for (int64_t i = a; i < b; ++i)
      inv_final_[i] = kernels::rms_norm_saving(f(x) + p_.from[i] * D, f(norm_), f(hn_) + i * D, D, eps);
    sgemm(false, true, b - a, V, D, 1, f(hn_) + a * D, D, f(head_), D, 0, f(logp_) + a * V, V);
    if (cache_) {
      for (int64_t i = a; i < b; ++i) std::memcpy(f(logits) + p_.slot[i] * V, f(logp_) + i * V, V * sizeof(float));
      return;
    }
    std::vector<float> probs_row(V);
    float *out_logps = f(logps), *out_entropy = f(entropy);
    for (int64_t i = a; i < b; ++i) {
      float* z = f(logp_) + i * V;
      entropy_rows_[i] = kernels::log_softmax_entropy(z, V, probs_row.data());
      out_logps[p_.slot[i]] = z[p_.target[i]];
      out_entropy[p_.slot[i]] = entropy_rows_[i];
    }
  });
}

std::vector<torch::Tensor> PackedPass::parameters() const {
  std::vector<torch::Tensor> out{embed_, norm_};
  if (!head_.is_same(embed_)) out.push_back(head_);
  for (auto w : w_)
    for (auto* t : w.all()) out.push_back(*t);
  return out;
}

void PackedPass::times_transposed(const float* x, int64_t ldx, const float* w, int64_t out, int64_t in, float* y,
                                  int64_t ldy, bool accumulate) const {
  rows_.run([&](int64_t, int64_t a, int64_t b) {
    sgemm(false, true, b - a, out, in, 1, x + a * ldx, ldx, w, in, accumulate ? 1 : 0, y + a * ldy, ldy);
  });
}

void PackedPass::times(const float* dy, int64_t ldy, const float* w, int64_t out, int64_t in, float* dx, int64_t ldx,
                       bool accumulate) const {
  rows_.run([&](int64_t, int64_t a, int64_t b) {
    sgemm(false, false, b - a, in, out, 1, dy + a * ldy, ldy, w, in, accumulate ? 1 : 0, dx + a * ldx, ldx);
  });
}

void PackedPass::weight_gradient(const float* dy, int64_t ldy, const float* x, int64_t ldx, int64_t out, int64_t in,
                                 float* dw) const {
  ThreadShares::even(out).run([&](int64_t, int64_t a, int64_t b) {
    sgemm(true, false, b - a, in, p_.tokens, 1, dy + a, ldy, x, ldx, 1, dw + a * in, in);
  });
}

void PackedPass::norm_backward(const float* dy, const float* x, const std::vector<float>& inv, const float* w,
                               float* dx, float* dw) const {
  std::vector<float> partial(rows_.count() * D, 0.0f);  // each share's gradient to the weight
  rows_.run([&](int64_t s, int64_t a, int64_t b) {
    for (int64_t r = a; r < b; ++r)
      kernels::rms_norm_backward(dy + r * D, x + r * D, inv[r], w, dx + r * D, partial.data() + s * D, D);
  });
  for (int64_t s = 0; s < rows_.count(); ++s)
    for (int64_t j = 0; j < D; ++j) dw[j] += partial[s * D + j];
}

void PackedPass::rotate(float* qkv, int64_t ld, bool inverse) const {
  const float* sin = f(inverse ? sin_back_ : sin_);
  rows_.run([&](int64_t, int64_t a, int64_t b) {
    for (int64_t r = a; r < b; ++r) {
      const int64_t pos = p_.position[r];
      float* row = qkv + r * ld;
      kernels::rope(row, H, hd, f(cos_) + pos * hd, sin + pos * hd);
      kernels::rope(row + dq, KV, hd, f(cos_) + pos * hd, sin + pos * hd);
    }
  });
}

void PackedPass::attention_forward(LayerTape& t) const {
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  const int64_t rep = H / KV;
  sequences_.run([&](int64_t, int64_t first, int64_t last) {
    for (int64_t b = first; b < last; ++b) {
      const int64_t n = p_.length[b];
      const float* qkv = f(t.qkv) + p_.begin[b] * dqkv;
      for (int64_t h = 0; h < H; ++h) {
        const int64_t g = h / rep;
        float* s = f(t.probs) + probs_begin_[b] + h * n * n;
        sgemm(false, true, n, n, hd, scale, qkv + h * hd, dqkv, qkv + dq + g * hd, dqkv, 0, s, n);
        kernels::causal_softmax(s, n);
        sgemm(false, false, n, hd, n, 1, s, n, qkv + dq + dkv + g * hd, dqkv, 0, f(t.att) + p_.begin[b] * dq + h * hd, dq);
      }
    }
  });
}

void PackedPass::attention_backward(const LayerTape& t, const float* d_att, float* d_qkv) const {
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  const int64_t rep = H / KV;
  sequences_.run([&](int64_t, int64_t first, int64_t last) {
    std::vector<float> ds;
    for (int64_t b = first; b < last; ++b) {
      const int64_t n = p_.length[b];
      ds.resize(n * n);
      const float* qkv = f(t.qkv) + p_.begin[b] * dqkv;
      float* dqkv_b = d_qkv + p_.begin[b] * dqkv;
      const float* do_b = d_att + p_.begin[b] * dq;
      for (int64_t h = 0; h < H; ++h) {
        const int64_t g = h / rep;
        const float add = h % rep == 0 ? 0.0f : 1.0f;  // the group's first head writes dk and dv, the rest add
        const float* prob = f(t.probs) + probs_begin_[b] + h * n * n;
        const float *q = qkv + h * hd, *k = qkv + dq + g * hd, *v = qkv + dq + dkv + g * hd;
        sgemm(false, true, n, n, hd, 1, do_b + h * hd, dq, v, dqkv, 0, ds.data(), n);                    // d probs
        sgemm(true, false, n, hd, n, 1, prob, n, do_b + h * hd, dq, add, dqkv_b + dq + dkv + g * hd, dqkv);  // d v
        kernels::causal_softmax_backward(prob, ds.data(), n);                                          // d scores
        sgemm(false, false, n, hd, n, scale, ds.data(), n, k, dqkv, 0, dqkv_b + h * hd, dqkv);            // d q
        sgemm(true, false, n, hd, n, scale, ds.data(), n, q, dqkv, add, dqkv_b + dq + g * hd, dqkv);      // d k
      }
    }
  });
}

void PackedPass::layer_forward(LayerWeights& w, LayerTape& t, torch::Tensor& x, size_t layer) {
  const int64_t N = p_.tokens;
  const float eps = static_cast<float>(c_.rms_norm_eps);
  t.x = x;
  t.xn1 = buffer(N, D);
  t.inv1.resize(N);
  rows_.run([&](int64_t, int64_t a, int64_t b) {
    for (int64_t r = a; r < b; ++r) t.inv1[r] = kernels::rms_norm_saving(f(x) + r * D, f(w.ln1), f(t.xn1) + r * D, D, eps);
  });
  // q, k and v side by side in one [N, dq + 2 dkv] matrix.
  t.qkv = buffer(N, dqkv);
  times_transposed(f(t.xn1), D, f(w.q), dq, D, f(t.qkv), dqkv, false);
  times_transposed(f(t.xn1), D, f(w.k), dkv, D, f(t.qkv) + dq, dqkv, false);
  times_transposed(f(t.xn1), D, f(w.v), dkv, D, f(t.qkv) + dq + dkv, dqkv, false);
  if (w.q_bias.defined()) {
    const auto bias = torch::cat({w.q_bias, w.k_bias, w.v_bias});
    const float* b = f(bias);
    float* qkv = f(t.qkv);
    for (int64_t r = 0; r < N; ++r)
      for (int64_t j = 0; j < dqkv; ++j) qkv[r * dqkv + j] += b[j];
  }
  rotate(f(t.qkv), dqkv, false);
  if (cache_) {  // keys and values into the cache, [B, KV, capacity, hd], at each token's column
    float *keys = f(cache_->k[layer]), *values = f(cache_->v[layer]);
    const float* qkv = f(t.qkv);
    const int64_t capacity = cache_->capacity();
    for (int64_t b = 0; b < p_.rows; ++b)
      for (int64_t r = p_.begin[b]; r < p_.begin[b] + p_.length[b]; ++r)
        for (int64_t g = 0; g < KV; ++g) {
          const int64_t at = ((b * KV + g) * capacity + p_.column[r]) * hd;
          std::memcpy(keys + at, qkv + r * dqkv + dq + g * hd, hd * sizeof(float));
          std::memcpy(values + at, qkv + r * dqkv + dq + dkv + g * hd, hd * sizeof(float));
        }
  }
  t.probs = torch::empty({probs_size_});
  t.att = buffer(N, dq);
  attention_forward(t);
  t.h = x.clone();
  times_transposed(f(t.att), dq, f(w.o), D, dq, f(t.h), D, true);
  t.xn2 = buffer(N, D);
  t.inv2.resize(N);
  t.gate_up = buffer(N, 2 * I);
  t.act = buffer(N, I);
  rows_.run([&](int64_t, int64_t a, int64_t b) {
    for (int64_t r = a; r < b; ++r) t.inv2[r] = kernels::rms_norm_saving(f(t.h) + r * D, f(w.ln2), f(t.xn2) + r * D, D, eps);
    sgemm(false, true, b - a, I, D, 1, f(t.xn2) + a * D, D, f(w.gate), D, 0, f(t.gate_up) + a * 2 * I, 2 * I);
    sgemm(false, true, b - a, I, D, 1, f(t.xn2) + a * D, D, f(w.up), D, 0, f(t.gate_up) + a * 2 * I + I, 2 * I);
    for (int64_t r = a; r < b; ++r)
      kernels::silu_mul(f(t.gate_up) + r * 2 * I, f(t.gate_up) + r * 2 * I + I, f(t.act) + r * I, I);
  });
  x = t.h.clone();
  times_transposed(f(t.act), I, f(w.down), D, I, f(x), D, true);
}

void PackedPass::layer_backward(LayerWeights& w, const LayerTape& t, LayerWeights& g, torch::Tensor& dx) {
  const int64_t N = p_.tokens;
  // dx arrives as the gradient to the layer's output and leaves as the gradient to its input.
  // The MLP: out = h + down(silu(gate(xn2)) * up(xn2)).
  auto d_act = buffer(N, I);
  auto d_gate_up = buffer(N, 2 * I);
  rows_.run([&](int64_t, int64_t a, int64_t b) {
    sgemm(false, false, b - a, I, D, 1, f(dx) + a * D, D, f(w.down), I, 0, f(d_act) + a * I, I);
    for (int64_t r = a; r < b; ++r) {
      const float* gu = f(t.gate_up) + r * 2 * I;
      float* dgu = f(d_gate_up) + r * 2 * I;
      kernels::silu_mul_backward(gu, gu + I, f(d_act) + r * I, dgu, dgu + I, I);
    }
  });
  weight_gradient(f(dx), D, f(t.act), I, D, I, f(g.down));
  weight_gradient(f(d_gate_up), 2 * I, f(t.xn2), D, I, D, f(g.gate));
  weight_gradient(f(d_gate_up) + I, 2 * I, f(t.xn2), D, I, D, f(g.up));
  auto d_xn = buffer(N, D);
  times(f(d_gate_up), 2 * I, f(w.gate), I, D, f(d_xn), D, false);
  times(f(d_gate_up) + I, 2 * I, f(w.up), I, D, f(d_xn), D, true);
  norm_backward(f(d_xn), f(t.h), t.inv2, f(w.ln2), f(dx), f(g.ln2));  // dx is now the gradient to h

  // Attention: h = x + o(attention(rope(q), rope(k), v)), q, k, v of xn1.
  auto d_att = buffer(N, dq);
  times(f(dx), D, f(w.o), D, dq, f(d_att), dq, false);
  weight_gradient(f(dx), D, f(t.att), dq, D, dq, f(g.o));
  auto d_qkv = buffer(N, dqkv);
  attention_backward(t, f(d_att), f(d_qkv));
  rotate(f(d_qkv), dqkv, true);
  if (w.q_bias.defined()) {  // the biases' gradients: column sums
    std::vector<double> sums(dqkv, 0.0);
    for (int64_t r = 0; r < N; ++r) {
      const float* row = f(d_qkv) + r * dqkv;
      for (int64_t j = 0; j < dqkv; ++j) sums[j] += row[j];
    }
    float *gq = f(g.q_bias), *gk = f(g.k_bias), *gv = f(g.v_bias);
    for (int64_t j = 0; j < dq; ++j) gq[j] += static_cast<float>(sums[j]);
    for (int64_t j = 0; j < dkv; ++j) gk[j] += static_cast<float>(sums[dq + j]), gv[j] += static_cast<float>(sums[dq + dkv + j]);
  }
  weight_gradient(f(d_qkv), dqkv, f(t.xn1), D, dq, D, f(g.q));
  weight_gradient(f(d_qkv) + dq, dqkv, f(t.xn1), D, dkv, D, f(g.k));
  weight_gradient(f(d_qkv) + dq + dkv, dqkv, f(t.xn1), D, dkv, D, f(g.v));
  times(f(d_qkv), dqkv, f(w.q), dq, D, f(d_xn), D, false);
  times(f(d_qkv) + dq, dqkv, f(w.k), dkv, D, f(d_xn), D, true);
  times(f(d_qkv) + dq + dkv, dqkv, f(w.v), dkv, D, f(d_xn), D, true);
  norm_backward(f(d_xn), f(t.x), t.inv1, f(w.ln1), f(dx), f(g.ln1));
}

std::vector<torch::Tensor> PackedPass::backward(const torch::Tensor& d_logps_in, const torch::Tensor& d_entropy_in) {
  TORCH_CHECK(keep_, "the packed pass kept no activations for a backward");
  const SingleThreadedBlas blas;
  const int64_t N = p_.tokens, M = static_cast<int64_t>(p_.from.size());
  const auto zeros = [](const torch::Tensor& t) { return t.defined() ? torch::zeros_like(t) : torch::Tensor(); };
  const auto d_logps = d_logps_in.defined() ? d_logps_in.contiguous() : torch::zeros({p_.rows, p_.completion_columns});
  const auto d_entropy = d_entropy_in.defined() ? d_entropy_in.contiguous() : torch::Tensor();
  auto g_embed = zeros(embed_), g_norm = zeros(norm_);
  auto g_head = head_.is_same(embed_) ? g_embed : zeros(head_);
  std::vector<LayerWeights> g = w_;  // then each tensor replaced by zeros of its shape
  for (auto& z : g)
    for (auto* t : z.all()) *t = zeros(*t);

  // The head: d z_j = d_logp (onehot_j - p_j) + d_entropy (-p_j (log p_j + entropy)).
  auto dz = buffer(M, V);
  auto d_hn = buffer(M, D);
  const float* d_logp = f(d_logps);
  const float* d_ent = d_entropy.defined() ? f(d_entropy) : nullptr;
  scored_.run([&](int64_t, int64_t a, int64_t b) {
    for (int64_t i = a; i < b; ++i) {
      const float* lp = f(logp_) + i * V;
      float* d = f(dz) + i * V;
      const float gl = d_logp[p_.slot[i]];
      const float ge = d_ent ? d_ent[p_.slot[i]] : 0.0f;
      kernels::exp_rows(lp, d, V);
      for (int64_t j = 0; j < V; ++j) d[j] = -gl * d[j] - ge * d[j] * (lp[j] + entropy_rows_[i]);
      d[p_.target[i]] += gl;
    }
    sgemm(false, false, b - a, D, V, 1, f(dz) + a * V, V, f(head_), D, 0, f(d_hn) + a * D, D);
  });
  ThreadShares::even(V).run([&](int64_t, int64_t a, int64_t b) {
    sgemm(true, false, b - a, D, M, 1, f(dz) + a, V, f(hn_), D, 1, f(g_head) + a * D, D);
  });
  auto dx = torch::zeros({N, D});
  for (int64_t i = 0; i < M; ++i) {
    const int64_t r = p_.from[i];
    kernels::rms_norm_backward(f(d_hn) + i * D, f(x_final_) + r * D, inv_final_[i], f(norm_), f(dx) + r * D,
                               f(g_norm), D);
  }
  for (size_t l = w_.size(); l-- > 0;) layer_backward(w_[l], tape_[l], g[l], dx);
  for (int64_t r = 0; r < N; ++r) {
    float* e = f(g_embed) + p_.token[r] * D;
    const float* d = f(dx) + r * D;
    for (int64_t j = 0; j < D; ++j) e[j] += d[j];
  }

  std::vector<torch::Tensor> out{g_embed, g_norm};
  if (!head_.is_same(embed_)) out.push_back(g_head);
  for (auto& z : g)
    for (auto* t : z.all()) out.push_back(*t);
  return out;
}

namespace {

// Autograd's view of a pass: the parameters in, the scores out, the pass's backward back.
struct PackedPassFunction : torch::autograd::Function<PackedPassFunction> {
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx, torch::TensorList,
                                                const c10::intrusive_ptr<PackedPass>& pass) {
    ctx->saved_data["pass"] = c10::IValue::make_capsule(pass);
    // Moved out: autograd marks the outputs as made by this node, which holds the pass.
    return {std::move(pass->logps), std::move(pass->entropy)};
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    auto pass = c10::static_intrusive_pointer_cast<PackedPass>(ctx->saved_data["pass"].toCapsule());
    auto out = pass->backward(grads[0], grads[1]);
    out.emplace_back();  // the pass itself
    return out;
  }
};

}  // namespace

bool packed_pass_supports(Transformer& model) {
  const auto& w = model->model->embed_tokens->weight;
  if (!sgemm_available() || !w.device().is_cpu() || model->gradient_checkpointing()) return false;
  for (const auto& p : model->parameters())
    if (p.scalar_type() != torch::kFloat32 || !p.is_contiguous()) return false;
  return true;
}

CompletionScores packed_completion_scores(Transformer& model, const torch::Tensor& ids, const torch::Tensor& attention_mask,
                                          int64_t prompt_length, bool with_entropy, bool entropy_gradient) {
  TORCH_CHECK(packed_pass_supports(model), "the packed pass needs a float32 model on the CPU");
  const bool grad = torch::GradMode::is_enabled();
  const SingleThreadedBlas blas;  // the pass splits its products across libtorch's threads
  auto pass = c10::make_intrusive<PackedPass>(model, pack(ids, attention_mask, prompt_length), grad);
  CompletionScores out;
  if (!grad) {
    out.logps = pass->logps;
    if (with_entropy) out.entropy = pass->entropy;
    return out;
  }
  const auto params = pass->parameters();
  auto scores = PackedPassFunction::apply(torch::TensorList(params), pass);  // (a vector would not count as inputs)
  out.logps = scores[0];
  if (with_entropy) out.entropy = entropy_gradient ? scores[1] : scores[1].detach();
  return out;
}

torch::Tensor packed_prefill(Transformer& model, const torch::Tensor& ids, const torch::Tensor& mask, KVCache& cache) {
  TORCH_CHECK(packed_pass_supports(model), "the packed pass needs a float32 model on the CPU");
  const int64_t L = ids.size(1);
  TORCH_CHECK(cache.length == 0 && L <= cache.capacity(), "a prefill needs an empty cache of ", L, " positions or more");
  torch::NoGradGuard no_grad;
  const SingleThreadedBlas blas;
  Packing packing = pack(ids, mask, L);  // no completion: nothing scored
  for (int64_t b = 0; b < packing.rows; ++b)
    if (packing.length[b] > 0) packing.from.push_back(packing.begin[b] + packing.length[b] - 1), packing.slot.push_back(b);
  packing.target.assign(packing.from.size(), 0);
  const auto pass = c10::make_intrusive<PackedPass>(model, std::move(packing), false, &cache);
  cache.length = L;
  return pass->logits;
}

}  // namespace aha
