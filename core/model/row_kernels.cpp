#include "core/model/row_kernels.h"

#include <cmath>
#include <cstring>

// Each hot loop is built twice and the better one is chosen when the library loads: the
// decode path must run on any x86-64, and AVX2+FMA is where its speed is.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define AHA_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define AHA_VECTOR_CLONES
#endif

namespace aha::kernels {

namespace {

// exp by range reduction to [-ln2/2, ln2/2], a degree-6 polynomial and a power of two
// put in the exponent bits: branch-free, so the loops over it vectorize.
__attribute__((always_inline)) inline float exp_one(float x) {
  // Round to nearest by adding and taking away 1.5 * 2^23: no libm call in the loop.
  const float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  const float r = (x - n * 0.693359375f) + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

// Eight floats: one AVX register (two SSE ones in the baseline build). Sums held in named
// vectors stay in registers; GCC kept the earlier arrays of sums in memory. The helpers
// are always inlined, so no call passes a vector (the ABI warning does not apply).
#pragma GCC diagnostic ignored "-Wpsabi"
typedef float v8 __attribute__((vector_size(32)));
__attribute__((always_inline)) inline v8 load8(const float* p) {
  v8 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
__attribute__((always_inline)) inline void store8(float* p, v8 v) { std::memcpy(p, &v, sizeof v); }

// out_a = sum over i < count of x[i] * rows[i], rows of 32 floats `stride` apart (and
// out_b likewise with y, when `Two`): each row loaded once for both, eight independent
// sums in registers. A block's scores are this over the dimensions (rows: the block's
// keys, transposed), and 32 dimensions of the output over the positions (rows: values).
template <bool Two>
__attribute__((always_inline)) inline void weighted_rows32(const float* x, const float* y, const float* rows,
                                                           int64_t stride, int64_t count, float* out_a, float* out_b) {
  v8 a0{}, a1{}, a2{}, a3{}, b0{}, b1{}, b2{}, b3{};
  for (int64_t i = 0; i < count; ++i, rows += stride) {
    const v8 r0 = load8(rows), r1 = load8(rows + 8), r2 = load8(rows + 16), r3 = load8(rows + 24);
    const float xi = x[i];
    a0 += xi * r0, a1 += xi * r1, a2 += xi * r2, a3 += xi * r3;
    if (Two) {
      const float yi = y[i];
      b0 += yi * r0, b1 += yi * r1, b2 += yi * r2, b3 += yi * r3;
    }
  }
  store8(out_a, a0), store8(out_a + 8, a1), store8(out_a + 16, a2), store8(out_a + 24, a3);
  if (Two) store8(out_b, b0), store8(out_b + 8, b1), store8(out_b + 16, b2), store8(out_b + 24, b3);
}

// s = softmax(s * scale + blocked), with the skipped positions (kept 0) exactly 0.
__attribute__((always_inline)) inline void softmax(float* s, int64_t n, float scale, const float* blocked,
                                                   const float* kept) {
  float top = -1e30f;
  for (int64_t t = 0; t < n; ++t) {
    s[t] = s[t] * scale + blocked[t];
    top = s[t] > top ? s[t] : top;
  }
  for (int64_t t = 0; t < n; ++t) s[t] -= top;
  exp_rows(s, s, n);
  float sum = 0;
  for (int64_t t = 0; t < n; ++t) {
    s[t] *= kept[t];  // a skipped position's exp(-1e30) is not quite 0 once clamped
    sum += s[t];
  }
  const float inv = 1.0f / sum;
  for (int64_t t = 0; t < n; ++t) s[t] *= inv;
}

// oa = sa . values (and ob = sb . values): 32 dimensions at a time, then 8 at a time over
// even and odd positions apart, so that no single chain of sums sets the pace.
template <bool Two>
__attribute__((always_inline)) inline void weighted_values(const float* sa, const float* sb, const float* values,
                                                           int64_t n, int64_t dim, float* oa, float* ob) {
  int64_t d0 = 0;
  for (; d0 + 32 <= dim; d0 += 32) weighted_rows32<Two>(sa, sb, values + d0, dim, n, oa + d0, ob + d0);
  for (; d0 + 8 <= dim; d0 += 8) {
    v8 a_even{}, a_odd{}, b_even{}, b_odd{};
    const float* v = values + d0;
    int64_t t = 0;
    for (; t + 2 <= n; t += 2, v += 2 * dim) {
      const v8 v0 = load8(v), v1 = load8(v + dim);
      a_even += sa[t] * v0, a_odd += sa[t + 1] * v1;
      if (Two) b_even += sb[t] * v0, b_odd += sb[t + 1] * v1;
    }
    if (t < n) {
      const v8 v0 = load8(v);
      a_even += sa[t] * v0;
      if (Two) b_even += sb[t] * v0;
    }
    store8(oa + d0, a_even + a_odd);
    if (Two) store8(ob + d0, b_even + b_odd);
  }
  for (; d0 < dim; ++d0) {
    float a = 0, b = 0;
    for (int64_t t = 0; t < n; ++t) {
      a += sa[t] * values[t * dim + d0];
      if (Two) b += sb[t] * values[t * dim + d0];
    }
    oa[d0] = a;
    if (Two) ob[d0] = b;
  }
}

// One query head or two, whole: scores, softmax, weighted values.
template <bool Two>
__attribute__((always_inline)) inline void attend_heads(const float* qa, const float* qb, const float* keys_t,
                                                        const float* values, const float* blocked, const float* kept,
                                                        int64_t n, int64_t dim, float scale, float* sa, float* sb,
                                                        float* oa, float* ob) {
  static_assert(kPositionBlock == 32, "a block's keys are rows of 32");
  for (int64_t t0 = 0; t0 < n; t0 += kPositionBlock)
    weighted_rows32<Two>(qa, qb, keys_t + t0 * dim, kPositionBlock, dim, sa + t0, sb + t0);
  softmax(sa, n, scale, blocked, kept);
  if (Two) softmax(sb, n, scale, blocked, kept);
  weighted_values<Two>(sa, sb, values, n, dim, oa, ob);
}

}  // namespace

AHA_VECTOR_CLONES
void exp_rows(const float* x, float* y, int64_t n) {
  // Clamped first, so that exp stays a normal, finite float; a pass of its own, or the
  // compiler folds the clamped ends into branches and the loop stops vectorizing.
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i] < 88.3f ? x[i] : 88.3f;
    y[i] = v > -87.3f ? v : -87.3f;
  }
  for (int64_t i = 0; i < n; ++i) y[i] = exp_one(y[i]);
}

void rms_norm(const float* x, const float* w, float* y, int64_t n, float eps) { rms_norm_saving(x, w, y, n, eps); }

AHA_VECTOR_CLONES
void rope(float* v, int64_t heads, int64_t dim, const float* cos, const float* sin_signed) {
  const int64_t half = dim / 2;
  float rotated[512];  // head_dim is at most 256 in the Qwen2/Llama family
  for (int64_t h = 0; h < heads; ++h) {
    float* x = v + h * dim;
    for (int64_t i = 0; i < half; ++i) rotated[i] = x[i + half], rotated[i + half] = x[i];
    for (int64_t i = 0; i < dim; ++i) x[i] = x[i] * cos[i] + rotated[i] * sin_signed[i];
  }
}

AHA_VECTOR_CLONES
void attend(const float* q, int64_t heads, const float* keys_t, const float* values, const float* blocked,
            const float* kept, int64_t n, int64_t dim, float scale, float* scores, float* out) {
  const int64_t padded = (n + kPositionBlock - 1) / kPositionBlock * kPositionBlock;
  int64_t h = 0;
  for (; h + 2 <= heads; h += 2)
    attend_heads<true>(q + h * dim, q + (h + 1) * dim, keys_t, values, blocked, kept, n, dim, scale,
                       scores + h * padded, scores + (h + 1) * padded, out + h * dim, out + (h + 1) * dim);
  if (h < heads)
    attend_heads<false>(q + h * dim, nullptr, keys_t, values, blocked, kept, n, dim, scale, scores + h * padded,
                        nullptr, out + h * dim, nullptr);
}

AHA_VECTOR_CLONES
void silu_mul(const float* gate, const float* up, float* out, int64_t n) {
  // silu(g) = g / (1 + exp(-g)); exp in place over `out` first, then the rest.
  for (int64_t i = 0; i < n; ++i) out[i] = -gate[i];
  exp_rows(out, out, n);
  for (int64_t i = 0; i < n; ++i) out[i] = gate[i] / (1.0f + out[i]) * up[i];
}

}  // namespace aha::kernels

// ---------------- Gradients (the packed pass, core/model/packed_pass.h) ----------------

namespace aha::kernels {

AHA_VECTOR_CLONES
float rms_norm_saving(const float* x, const float* w, float* y, int64_t n, float eps) {
  float lanes[8] = {};  // eight partial sums: a reduction the compiler may vectorize
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) lanes[j] += x[i + j] * x[i + j];
  float sum = 0;
  for (; i < n; ++i) sum += x[i] * x[i];
  for (float l : lanes) sum += l;
  const float inv = 1.0f / std::sqrt(sum / static_cast<float>(n) + eps);
  for (i = 0; i < n; ++i) y[i] = w[i] * (x[i] * inv);
  return inv;
}

AHA_VECTOR_CLONES
void rms_norm_backward(const float* dy, const float* x, float inv, const float* w, float* dx, float* dw, int64_t n) {
  // y = w * x * inv with inv = (mean(x^2) + eps)^-1/2: dx = inv * (g - xhat * mean(g * xhat)),
  // g = dy * w, xhat = x * inv.
  float dot = 0;
  for (int64_t i = 0; i < n; ++i) {
    const float xhat = x[i] * inv;
    dot += dy[i] * w[i] * xhat;
    dw[i] += dy[i] * xhat;
  }
  const float mean = dot / static_cast<float>(n);
  for (int64_t i = 0; i < n; ++i) dx[i] += inv * (dy[i] * w[i] - x[i] * inv * mean);
}

AHA_VECTOR_CLONES
void silu_mul_backward(const float* gate, const float* up, const float* dout, float* dgate, float* dup, int64_t n) {
  // out = g * s(g) * u with s the logistic: d/dg = u * s * (1 + g * (1 - s)), d/du = g * s.
  for (int64_t i = 0; i < n; ++i) dgate[i] = -gate[i];
  exp_rows(dgate, dgate, n);
  for (int64_t i = 0; i < n; ++i) {
    const float s = 1.0f / (1.0f + dgate[i]);
    dup[i] = dout[i] * gate[i] * s;
    dgate[i] = dout[i] * up[i] * s * (1.0f + gate[i] * (1.0f - s));
  }
}

float log_softmax_entropy(float* z, int64_t n, float* p) {
  float top = z[0];
  for (int64_t i = 1; i < n; ++i) top = z[i] > top ? z[i] : top;
  for (int64_t i = 0; i < n; ++i) p[i] = z[i] - top;
  exp_rows(p, p, n);
  float sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += p[i];
  const float log_sum = std::log(sum) + top, inv = 1.0f / sum;
  float entropy = 0;
  for (int64_t i = 0; i < n; ++i) {
    z[i] -= log_sum;
    p[i] *= inv;
    entropy -= p[i] * z[i];
  }
  return entropy;
}

void causal_softmax(float* s, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    float* row = s + i * n;
    float top = row[0];
    for (int64_t j = 1; j <= i; ++j) top = row[j] > top ? row[j] : top;
    for (int64_t j = 0; j <= i; ++j) row[j] -= top;
    exp_rows(row, row, i + 1);
    float sum = 0;
    for (int64_t j = 0; j <= i; ++j) sum += row[j];
    const float inv = 1.0f / sum;
    for (int64_t j = 0; j <= i; ++j) row[j] *= inv;
    for (int64_t j = i + 1; j < n; ++j) row[j] = 0;
  }
}

AHA_VECTOR_CLONES
void causal_softmax_backward(const float* p, float* dp, int64_t n) {
  // ds_ij = p_ij (dp_ij - sum_k p_ik dp_ik); p is 0 above the diagonal, and so is ds.
  for (int64_t i = 0; i < n; ++i) {
    const float* pr = p + i * n;
    float* dr = dp + i * n;
    float dot = 0;
    for (int64_t j = 0; j <= i; ++j) dot += pr[j] * dr[j];
    for (int64_t j = 0; j <= i; ++j) dr[j] = pr[j] * (dr[j] - dot);
    for (int64_t j = i + 1; j < n; ++j) dr[j] = 0;
  }
}

}  // namespace aha::kernels
