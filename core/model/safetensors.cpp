#include "core/model/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include <nlohmann/json.hpp>

namespace aha {

namespace {

struct DtypeName {
  const char* name;
  torch::ScalarType type;
};
const DtypeName kDtypes[] = {
    {"F32", torch::kFloat32}, {"F16", torch::kFloat16}, {"BF16", torch::kBFloat16},
    {"F64", torch::kFloat64}, {"I64", torch::kInt64},   {"I32", torch::kInt32},
    {"I16", torch::kInt16},   {"I8", torch::kInt8},     {"U8", torch::kUInt8},
    {"BOOL", torch::kBool},
};

torch::ScalarType dtype_from_name(const std::string& name, const std::string& where) {
  for (const auto& d : kDtypes)
    if (name == d.name) return d.type;
  throw std::runtime_error(where + ": unsupported safetensors dtype '" + name + "'");
}

const char* name_from_dtype(torch::ScalarType t) {
  for (const auto& d : kDtypes)
    if (t == d.type) return d.name;
  throw std::runtime_error(std::string("cannot store dtype ") + c10::toString(t) + " in safetensors");
}

}  // namespace

SafetensorsFile::SafetensorsFile(const std::filesystem::path& path) : path_(path) {
  const std::string where = path.string();
  int fd = ::open(where.c_str(), O_RDONLY);
  if (fd < 0) throw std::runtime_error("cannot open '" + where + "': " + std::strerror(errno));
  struct stat st {};
  fstat(fd, &st);
  map_size_ = static_cast<size_t>(st.st_size);
  if (map_size_ < 8) {
    ::close(fd);
    throw std::runtime_error(where + ": too short to be a safetensors file");
  }
  map_ = mmap(nullptr, map_size_, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (map_ == MAP_FAILED) {
    map_ = nullptr;
    throw std::runtime_error("cannot map '" + where + "': " + std::strerror(errno));
  }
  auto* bytes = static_cast<const uint8_t*>(map_);
  uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | bytes[i];
  if (header_len > map_size_ - 8) {
    munmap(map_, map_size_);
    map_ = nullptr;
    throw std::runtime_error(where + ": header length " + std::to_string(header_len) + " exceeds the file size (truncated or not safetensors)");
  }
  data_ = bytes + 8 + header_len;
  const size_t data_size = map_size_ - 8 - header_len;
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(bytes + 8, bytes + 8 + header_len);
    for (auto& [name, v] : header.items()) {
      if (name == "__metadata__") {
        for (auto& [k, m] : v.items()) metadata_[k] = m.is_string() ? m.get<std::string>() : m.dump();
        continue;
      }
      TensorInfo info;
      info.dtype = v.at("dtype").get<std::string>();
      info.shape = v.at("shape").get<std::vector<int64_t>>();
      auto off = v.at("data_offsets").get<std::vector<size_t>>();
      if (off.size() != 2 || off[0] > off[1] || off[1] > data_size)
        throw std::runtime_error("tensor '" + name + "' has data offsets outside the file");
      info.begin = off[0];
      info.end = off[1];
      int64_t numel = 1;
      for (auto s : info.shape) numel *= s;
      const auto elem = c10::elementSize(dtype_from_name(info.dtype, where));
      if (static_cast<size_t>(numel) * elem != info.end - info.begin)
        throw std::runtime_error("tensor '" + name + "' size does not match its shape and dtype");
      tensors_[name] = info;
    }
  } catch (const std::exception& e) {
    munmap(map_, map_size_);
    map_ = nullptr;
    throw std::runtime_error(where + ": bad safetensors header: " + e.what());
  }
}

SafetensorsFile::~SafetensorsFile() {
  if (map_) munmap(map_, map_size_);
  map_ = nullptr;
}

torch::Tensor SafetensorsFile::load(const std::string& name) const {
  auto it = tensors_.find(name);
  if (it == tensors_.end()) throw std::runtime_error(path_.string() + ": no tensor named '" + name + "'");
  const auto& info = it->second;
  auto type = dtype_from_name(info.dtype, path_.string());
  auto out = torch::empty(info.shape, torch::TensorOptions().dtype(type));
  std::memcpy(out.data_ptr(), data_ + info.begin, info.end - info.begin);
  return out;
}

void save_safetensors(const std::filesystem::path& path,
                      const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata) {
  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::vector<torch::Tensor> cpu;
  size_t offset = 0;
  for (const auto& [name, t] : tensors) {
    auto c = t.detach().to(torch::kCPU).contiguous();
    const size_t bytes = c.numel() * c.element_size();
    header[name] = {{"dtype", name_from_dtype(c.scalar_type())},
                    {"shape", c.sizes().vec()},
                    {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
    cpu.push_back(c);
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // keep the data section 8-byte aligned
  const auto tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write '" + tmp + "'");
    uint64_t len = text.size();
    for (int i = 0; i < 8; ++i) out.put(static_cast<char>((len >> (8 * i)) & 0xff));
    out.write(text.data(), text.size());
    for (const auto& c : cpu) out.write(static_cast<const char*>(c.data_ptr()), c.numel() * c.element_size());
    out.flush();
    if (!out) throw std::runtime_error("writing '" + tmp + "' failed (disk full?)");
  }
  std::filesystem::rename(tmp, path);
}

}  // namespace aha
