#pragma once
// The elementwise parts of a transformer over plain float rows, for the CPU decode step
// (core/model/cpu_decode.h) and the packed pass with its gradients
// (core/model/packed_pass.h): one call per row instead of one libtorch operation per
// tensor. Compiled for AVX2+FMA and for baseline x86-64 alike, chosen at
// load time. Torch-free.
#include <cstdint>

namespace aha::kernels {

// y = w * x / sqrt(mean(x^2) + eps), over one row of `n`.
void rms_norm(const float* x, const float* w, float* y, int64_t n, float eps);

// Rotary embedding of `heads` vectors of `dim` in place (half-split, as Hugging Face):
// v = v * cos + swap_halves(v) * sin_signed, where sin_signed holds [-sin, sin].
void rope(float* v, int64_t heads, int64_t dim, const float* cos, const float* sin_signed);

// attend() reads keys a block of positions at a time; `scores` hold heads rows of n
// rounded up to whole blocks.
constexpr int kPositionBlock = 32;

// The query heads that share one key/value head, over the cache: out_h = softmax(q_h . k *
// scale + blocked) . v. Keys in blocks of kPositionBlock positions, each transposed,
// [block][dim][kPositionBlock], so that a block's scores add up in registers, one vector
// pass per dimension, reading contiguous memory; values [n][dim]. Two query heads at a
// time, each key and value vector loaded once for both. `blocked`: 0 for a position to
// attend to, -1e30 to skip; `kept`: 1 and 0 likewise. `q` and `out`: `heads` rows of
// `dim`; `scores`: scratch.
void attend(const float* q, int64_t heads, const float* keys_t, const float* values,
            const float* blocked, const float* kept, int64_t n, int64_t dim, float scale, float* scores, float* out);

// out[i] = silu(gate[i]) * up[i].
void silu_mul(const float* gate, const float* up, float* out, int64_t n);

// y[i] = exp(x[i]), to about one unit in the last place (the tests compare with std::exp).
void exp_rows(const float* x, float* y, int64_t n);

}  // namespace aha::kernels

// ---- The packed pass's forward parts that keep what the backward needs, and the gradients.

namespace aha::kernels {

// rms_norm, returning 1 / sqrt(mean(x^2) + eps) for the backward.
float rms_norm_saving(const float* x, const float* w, float* y, int64_t n, float eps);
// Given dy of y = rms_norm(x): dx += the gradient to x, dw += the gradient to w.
void rms_norm_backward(const float* dy, const float* x, float inv, const float* w, float* dx, float* dw, int64_t n);
// Given dout of out = silu(gate) * up: the gradients to gate and up (written).
void silu_mul_backward(const float* gate, const float* up, const float* dout, float* dgate, float* dup, int64_t n);
// z <- log_softmax(z) and p <- softmax(z) over n; returns the entropy -sum p log p.
float log_softmax_entropy(float* z, int64_t n, float* p);
// Each row i of the n x n scores becomes softmax over columns 0..i, 0 beyond (causal).
void causal_softmax(float* s, int64_t n);
// dp (the gradient to p = causal_softmax(s)) <- the gradient to s.
void causal_softmax_backward(const float* p, float* dp, int64_t n);

}  // namespace aha::kernels
