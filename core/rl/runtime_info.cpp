#include "core/rl/runtime_info.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
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

std::string blas_summary() {
  // The library behind libblas.so.3 in this process, by the file the loader mapped.
  std::ifstream maps("/proc/self/maps");
  std::string line, found;
  while (std::getline(maps, line)) {
    const auto slash = line.find('/');
    if (slash == std::string::npos) continue;
    const std::string path = line.substr(slash);
    if (path.find("libblas.so") != std::string::npos || path.find("libopenblas") != std::string::npos ||
        path.find("libmkl") != std::string::npos || path.find("libblis") != std::string::npos) {
      found = path;
      break;
    }
  }
  if (found.empty()) return "none found in this process";
  std::error_code ec;
  const std::string real = std::filesystem::canonical(found, ec).string();
  const std::string& p = ec ? found : real;
  const char* kind = p.find("openblas") != std::string::npos ? "OpenBLAS"
                     : p.find("mkl") != std::string::npos    ? "Intel MKL"
                     : p.find("blis") != std::string::npos   ? "BLIS"
                     : p.find("atlas") != std::string::npos  ? "ATLAS"
                     : p.find("/blas/") != std::string::npos ? "reference BLAS (slow: sudo apt install libopenblas0-pthread)"
                                                             : "unknown";
  return std::string(kind) + ", " + p;
}

std::string torch_package() {
  // Debian names the package for the library's soname version.
  const std::string name = "libtorch" + std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR);
  FILE* dpkg = ::popen(("dpkg-query -W -f='${Version}' " + name + " 2>/dev/null").c_str(), "r");
  if (!dpkg) return {};
  char buf[128] = {};
  const size_t n = std::fread(buf, 1, sizeof buf - 1, dpkg);
  ::pclose(dpkg);
  return n ? name + " " + std::string(buf, n) : std::string();
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
