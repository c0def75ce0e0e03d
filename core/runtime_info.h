#pragma once
#include <string>

// Torch-free description of the compute backend, for --version, About and run records.
namespace aha {

std::string torch_version();   // e.g. "1.13.1"
bool cuda_available();
std::string device_summary();  // "CPU (2 threads)" or "CUDA: NVIDIA H100 ..." 

}  // namespace aha
