#pragma once
#include <exception>
#include <string>

// Torch-free description of the compute backend, for --version, About and run records.
namespace aha {

std::string torch_version();   // e.g. "1.13.1"
bool cuda_available();
std::string device_summary();  // "CPU (2 threads)" or "CUDA (1 device(s))"
// The BLAS library this process runs on (Debian's libtorch calls whichever libblas.so.3
// the alternatives system picks: OpenBLAS, or the reference BLAS, many times slower).
std::string blas_summary();
// The installed libtorch package and its version ("libtorch1.13 1.13.1+dfsg-4"), or "".
std::string torch_package();
// GPU memory in use on the current CUDA device (as nvidia-smi counts it), in bytes;
// negative when there is no CUDA runtime in this process.
double gpu_memory_used_bytes();
// The message of a failed run: libtorch's errors without their C++ backtrace, and a
// CUDA out-of-memory error with the knobs that lower memory use appended.
std::string explain_failure(const std::exception& error);

}  // namespace aha
