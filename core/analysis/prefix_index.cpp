#include "core/analysis/prefix_index.h"

#include <stdexcept>

namespace aha {

PrefixIndex::PrefixIndex(const std::vector<std::string_view>& keys) : offsets_(65537, 0) {
  if (keys.size() >= 65536) throw std::invalid_argument("prefix index: too many keys");
  // The slots a key is listed in: its first two bytes, or every second byte for a one-byte key.
  auto for_each_slot = [](std::string_view k, auto&& f) {
    const unsigned first = static_cast<unsigned char>(k[0]) << 8;
    if (k.size() >= 2) return f(first | static_cast<unsigned char>(k[1]));
    for (unsigned second = 0; second < 256; ++second) f(first | second);
  };
  for (const auto& k : keys) {
    if (k.empty()) throw std::invalid_argument("prefix index: an empty key");
    keys_.push_back({std::string(k), head_bytes(k, 0), k.size() >= 4 ? 0xFFFFFFFFu : (1u << (8 * k.size())) - 1});
    first_byte_[static_cast<unsigned char>(k[0])] = true;
    for_each_slot(k, [&](unsigned slot) { ++offsets_[slot + 1]; });
  }
  for (size_t s = 0; s < 65536; ++s) offsets_[s + 1] += offsets_[s];
  ids_.resize(offsets_.back());
  std::vector<uint32_t> filled(offsets_.begin(), offsets_.end() - 1);
  for (size_t i = 0; i < keys.size(); ++i)
    for_each_slot(keys[i], [&](unsigned slot) { ids_[filled[slot]++] = static_cast<uint16_t>(i); });
}

}  // namespace aha
