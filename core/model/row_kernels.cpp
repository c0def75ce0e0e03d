#include "core/model/row_kernels.h"

#include <algorithm>
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

AHA_VECTOR_CLONES
void rms_norm(const float* x, const float* w, float* y, int64_t n, float eps) {
  float lanes[8] = {};  // eight partial sums: a reduction the compiler may vectorize
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) lanes[j] += x[i + j] * x[i + j];
  float sum = 0;
  for (; i < n; ++i) sum += x[i] * x[i];
  for (float l : lanes) sum += l;
  const float inv = 1.0f / std::sqrt(sum / static_cast<float>(n) + eps);
  for (i = 0; i < n; ++i) y[i] = w[i] * (x[i] * inv);
}

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

// NH query heads' scores over every position, one pass over the keys for all of them: a
// key block is read once for the heads that share it.
template <int NH>
__attribute__((always_inline)) inline void head_scores(const float* q, const float* keys_t, int64_t padded,
                                                       int64_t dim, float* scores) {
  for (int64_t t0 = 0; t0 < padded; t0 += kPositionBlock) {
    float acc[NH][kPositionBlock] = {};
    for (int64_t d = 0; d < dim; ++d) {
      const float* k = keys_t + (t0 * dim + d * kPositionBlock);
      for (int h = 0; h < NH; ++h) {
        const float qd = q[h * dim + d];
        for (int j = 0; j < kPositionBlock; ++j) acc[h][j] += qd * k[j];
      }
    }
    for (int h = 0; h < NH; ++h)
      for (int j = 0; j < kPositionBlock; ++j) scores[h * padded + t0 + j] = acc[h][j];
  }
}

// out_h = sum_t weights_h[t] values[t] for NH heads, one pass over the values for all of
// them, a block of W dimensions at a time in registers.
template <int NH, int W>
__attribute__((always_inline)) inline void weigh_block(const float* w, int64_t padded, const float* values, int64_t n,
                                                       int64_t dim, int64_t d0, float* out) {
  float acc[NH][W] = {};
  for (int64_t t = 0; t < n; ++t) {
    const float* v = values + t * dim + d0;
    for (int h = 0; h < NH; ++h) {
      const float wt = w[h * padded + t];
      for (int j = 0; j < W; ++j) acc[h][j] += wt * v[j];
    }
  }
  for (int h = 0; h < NH; ++h)
    for (int j = 0; j < W; ++j) out[h * dim + d0 + j] = acc[h][j];
}

template <int NH>
__attribute__((always_inline)) inline void head_outputs(const float* w, int64_t padded, const float* values, int64_t n,
                                                        int64_t dim, float* out) {
  int64_t d0 = 0;
  for (; d0 + 16 <= dim; d0 += 16) weigh_block<NH, 16>(w, padded, values, n, dim, d0, out);
  for (; d0 + 8 <= dim; d0 += 8) weigh_block<NH, 8>(w, padded, values, n, dim, d0, out);
  for (; d0 < dim; ++d0) weigh_block<NH, 1>(w, padded, values, n, dim, d0, out);
}

template <int NH>
__attribute__((always_inline)) inline void attend_heads(const float* q, const float* keys_t, const float* values,
                                                        const float* blocked, const float* kept, int64_t n,
                                                        int64_t padded, int64_t dim, float scale, float* scores,
                                                        float* out) {
  head_scores<NH>(q, keys_t, padded, dim, scores);
  for (int h = 0; h < NH; ++h) {
    float* s = scores + h * padded;
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
  head_outputs<NH>(scores, padded, values, n, dim, out);
}

AHA_VECTOR_CLONES
void attend(const float* q, int64_t heads, const float* keys_t, const float* values,
            const float* blocked, const float* kept, int64_t n, int64_t dim, float scale, float* scores, float* out) {
  const int64_t padded = (n + kPositionBlock - 1) / kPositionBlock * kPositionBlock;
  // Up to four heads per pass over the cache (Qwen2.5's 7 query heads per key/value head
  // make two passes): the cache, not the arithmetic, is what a decode step waits for.
  for (int64_t h = 0; h < heads; h += 4) {
    const float* qh = q + h * dim;
    float* oh = out + h * dim;
    float* sh = scores + h * padded;
    switch (std::min<int64_t>(4, heads - h)) {
      case 4: attend_heads<4>(qh, keys_t, values, blocked, kept, n, padded, dim, scale, sh, oh); break;
      case 3: attend_heads<3>(qh, keys_t, values, blocked, kept, n, padded, dim, scale, sh, oh); break;
      case 2: attend_heads<2>(qh, keys_t, values, blocked, kept, n, padded, dim, scale, sh, oh); break;
      default: attend_heads<1>(qh, keys_t, values, blocked, kept, n, padded, dim, scale, sh, oh); break;
    }
  }
}

AHA_VECTOR_CLONES
void silu_mul(const float* gate, const float* up, float* out, int64_t n) {
  // silu(g) = g / (1 + exp(-g)); exp in place over `out` first, then the rest.
  for (int64_t i = 0; i < n; ++i) out[i] = -gate[i];
  exp_rows(out, out, n);
  for (int64_t i = 0; i < n; ++i) out[i] = gate[i] / (1.0f + out[i]) * up[i];
}

}  // namespace aha::kernels
