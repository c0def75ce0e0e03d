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

AHA_VECTOR_CLONES
void attend(const float* q, int64_t heads, const float* keys_t, const float* values,
            const float* blocked, const float* kept, int64_t n, int64_t dim, float scale, float* scores, float* out) {
  const int64_t padded = (n + kPositionBlock - 1) / kPositionBlock * kPositionBlock;
  for (int64_t h = 0; h < heads; ++h) {
    float* s = scores + h * padded;
    const float* qh = q + h * dim;
    // A block of positions at a time, its sums held in registers across the dimensions.
    for (int64_t t0 = 0; t0 < padded; t0 += kPositionBlock) {
      float acc[kPositionBlock] = {};
      for (int64_t d = 0; d < dim; ++d) {
        const float qd = qh[d];
        const float* k = keys_t + (t0 * dim + d * kPositionBlock);
        for (int j = 0; j < kPositionBlock; ++j) acc[j] += qd * k[j];
      }
      for (int j = 0; j < kPositionBlock; ++j) s[t0 + j] = acc[j];
    }
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
    // The weighted values, a block of dimensions at a time in registers.
    float* o = out + h * dim;
    int64_t d0 = 0;
    for (; d0 + 32 <= dim; d0 += 32) {
      float acc[32] = {};
      for (int64_t t = 0; t < n; ++t)
        for (int j = 0; j < 32; ++j) acc[j] += s[t] * values[t * dim + d0 + j];
      for (int j = 0; j < 32; ++j) o[d0 + j] = acc[j];
    }
    for (; d0 + 8 <= dim; d0 += 8) {
      float acc[8] = {};
      for (int64_t t = 0; t < n; ++t)
        for (int j = 0; j < 8; ++j) acc[j] += s[t] * values[t * dim + d0 + j];
      for (int j = 0; j < 8; ++j) o[d0 + j] = acc[j];
    }
    for (; d0 < dim; ++d0) {
      float acc = 0;
      for (int64_t t = 0; t < n; ++t) acc += s[t] * values[t * dim + d0];
      o[d0] = acc;
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
