#pragma once
// bfloat16 autocast on CUDA, across the libtorch versions whose autocast API differs.
// The state is thread-local, as torch's is: a backward pass on another thread must set
// it again (see the checkpointed layer in transformer.cpp).
#include <ATen/autocast_mode.h>
#include <torch/torch.h>

namespace aha {

inline bool cuda_autocast_enabled() {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
  return at::autocast::is_autocast_enabled(at::kCUDA);
#else
  return at::autocast::is_enabled();
#endif
}

// Sets bf16 autocast on (or off) for the scope; restores the previous state after.
class CudaAutocast {
 public:
  explicit CudaAutocast(bool enabled) : enabled_(enabled), was_(cuda_autocast_enabled()) {
    if (enabled_ != was_) set(enabled_);
  }
  ~CudaAutocast() {
    if (enabled_ == was_) return;
    set(was_);
    if (!was_) at::autocast::clear_cache();
  }
  CudaAutocast(const CudaAutocast&) = delete;
  CudaAutocast& operator=(const CudaAutocast&) = delete;

 private:
  static void set(bool enabled) {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    at::autocast::set_autocast_dtype(at::kCUDA, at::kBFloat16);
    at::autocast::set_autocast_enabled(at::kCUDA, enabled);
#else
    at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
    at::autocast::set_enabled(enabled);
#endif
  }
  bool enabled_, was_;
};

}  // namespace aha
