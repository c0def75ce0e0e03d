#include "core/runtime_info.h"

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

}  // namespace aha
