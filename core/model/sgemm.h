#pragma once
// cblas_sgemm of the BLAS that libtorch loaded, found in the process (not linked: libtorch
// brings whichever libblas.so.3 is installed), for the CPU paths that call products on
// blocks of rows and columns with their own leading dimensions, which libtorch's mm does
// not take. Torch-free.
#include <cstdint>

namespace aha {

// Whether the process has cblas_sgemm.
bool sgemm_available();

// c[m, n] = alpha op(a) op(b) + beta c, row-major, op a transpose where asked; nothing when
// m or n is 0.
void sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
           const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

}  // namespace aha
