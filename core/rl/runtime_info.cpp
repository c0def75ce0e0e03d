#include "core/rl/runtime_info.h"

#include <dlfcn.h>

#include <torch/torch.h>

namespace aha {

std::string torch_version() {
  return std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "." +
         std::to_string(TORCH_VERSION_PATCH);
}

bool cuda_available() { return torch::cuda::is_available(); }

std::string device_summary() {
  if (cuda_available())
    return "CUDA (" + std::to_string(torch::cuda::device_count()) + " device(s))";
  return "CPU (" + std::to_string(at::get_num_threads()) + " threads)";
}

double gpu_memory_used_bytes() {
  // Through the CUDA runtime that a CUDA libtorch has already loaded, so that this
  // build needs no CUDA headers or libraries; a CPU build simply finds none.
  using MemGetInfo = int (*)(size_t*, size_t*);
  static const MemGetInfo get_info = []() -> MemGetInfo {
    for (const char* lib : {"libcudart.so", "libcudart.so.13", "libcudart.so.12", "libcudart.so.11.0"})
      if (void* h = dlopen(lib, RTLD_LAZY | RTLD_NOLOAD)) return reinterpret_cast<MemGetInfo>(dlsym(h, "cudaMemGetInfo"));
    return nullptr;
  }();
  size_t free_bytes = 0, total_bytes = 0;
  if (!get_info || get_info(&free_bytes, &total_bytes) != 0) return -1;
  return static_cast<double>(total_bytes - free_bytes);
}

std::string explain_failure(const std::exception& e) {
  const auto* torch_error = dynamic_cast<const c10::Error*>(&e);
  const std::string error = torch_error ? torch_error->what_without_backtrace() : e.what();
  if (error.find("out of memory") == std::string::npos) return error;
  return error + "\nThe GPU ran out of memory. Lower per_device_train_batch_size or num_generations "
                 "(completions held at once), max_completion_length (the KV cache and activations grow "
                 "with it), or use beta = 0 (no reference model); the run database is intact and the "
                 "run resumes from its last checkpoint.";
}

}  // namespace aha
