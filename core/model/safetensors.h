#pragma once
// Reading and writing the safetensors format with our own code: an 8-byte little-endian
// header length, a JSON header {name: {dtype, shape, data_offsets}}, then raw data.
#include <torch/torch.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace aha {

struct TensorInfo {
  std::string dtype;  // "F32", "BF16", "F16", "I64", ...
  std::vector<int64_t> shape;
  size_t begin = 0, end = 0;  // byte offsets into the data section
};

// A memory-mapped safetensors file; tensors are copied out on request.
class SafetensorsFile {
 public:
  explicit SafetensorsFile(const std::filesystem::path& path);  // throws naming the file
  ~SafetensorsFile();
  SafetensorsFile(const SafetensorsFile&) = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;

  const std::map<std::string, TensorInfo>& tensors() const { return tensors_; }
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  bool contains(const std::string& name) const { return tensors_.count(name) > 0; }
  // A copy of the tensor in its stored dtype, on the CPU.
  torch::Tensor load(const std::string& name) const;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  std::map<std::string, TensorInfo> tensors_;
  std::map<std::string, std::string> metadata_;
  const uint8_t* data_ = nullptr;  // start of the data section inside the mapping
  void* map_ = nullptr;
  size_t map_size_ = 0;
};

// Writes `tensors` (any device, contiguous copies are made) atomically: a temporary file
// renamed into place, so a crash never leaves a half-written checkpoint.
void save_safetensors(const std::filesystem::path& path,
                      const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

}  // namespace aha
