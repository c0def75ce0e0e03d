#pragma once
// Which of a fixed list of keys are written at a position of a text. The scanners that
// look for phrases and markers at every byte of a completion reject most positions by
// their first byte, then test only the keys that begin with the position's first two
// bytes, by their first four bytes before any longer comparison. Torch-free, Qt-free.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace aha {

class PrefixIndex {
 public:
  explicit PrefixIndex(const std::vector<std::string_view>& keys);  // keys not empty, fewer than 65536

  // Whether some key starts with byte c.
  bool may_start(char c) const { return first_byte_[static_cast<unsigned char>(c)]; }

  // Calls f(i) for each key i (an index into the constructor's list, ascending) written
  // whole at t[p].
  template <class F>
  void for_each_match(std::string_view t, size_t p, F&& f) const {
    if (!may_start(t[p])) return;
    const unsigned second = p + 1 < t.size() ? static_cast<unsigned char>(t[p + 1]) : 0;
    const unsigned slot = static_cast<unsigned char>(t[p]) << 8 | second;
    if (offsets_[slot] == offsets_[slot + 1]) return;
    const uint32_t head = head_bytes(t, p);
    for (uint32_t k = offsets_[slot]; k < offsets_[slot + 1]; ++k) {
      const Key& key = keys_[ids_[k]];
      if ((head & key.mask) != key.head) continue;
      if (key.text.size() > 4 && (t.size() - p < key.text.size() ||
                                  t.compare(p + 4, key.text.size() - 4, std::string_view(key.text).substr(4)) != 0))
        continue;
      f(static_cast<size_t>(ids_[k]));
    }
  }

 private:
  // The first (up to) four bytes of s at pos as one little-endian word.
  static uint32_t head_bytes(std::string_view s, size_t pos) {
    uint32_t v = 0;
    std::memcpy(&v, s.data() + pos, std::min<size_t>(4, s.size() - pos));
    return v;
  }

  struct Key {
    std::string text;
    uint32_t head, mask;  // its first four bytes, and which of them it has
  };
  std::vector<Key> keys_;
  bool first_byte_[256] = {};      // some key starts with this byte
  // The keys of slot s = first << 8 | second are ids_[offsets_[s], offsets_[s + 1]).
  std::vector<uint32_t> offsets_;  // 65,537
  std::vector<uint16_t> ids_;
};

}  // namespace aha
