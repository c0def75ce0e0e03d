#include "core/analysis/token_trace.h"

#include <algorithm>
#include <cmath>

namespace aha {

namespace {

constexpr uint8_t kVersion = 1;
constexpr double kScale = 2048.0;  // fixed-point steps per nat

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

bool get_varint(std::string_view in, size_t& at, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64 && at < in.size(); shift += 7) {
    const auto byte = static_cast<uint8_t>(in[at++]);
    v |= uint64_t(byte & 0x7F) << shift;
    if (!(byte & 0x80)) return true;
  }
  return false;
}

void put_fixed(std::string& out, double nats) {
  const double q = std::isfinite(nats) ? std::round(std::clamp(nats, 0.0, 65535 / kScale) * kScale) : 65535;
  const auto v = static_cast<uint16_t>(q);
  out += static_cast<char>(v & 0xFF);
  out += static_cast<char>(v >> 8);
}

float get_fixed(std::string_view in, size_t at) {
  const unsigned v = static_cast<uint8_t>(in[at]) | (unsigned(static_cast<uint8_t>(in[at + 1])) << 8);
  return static_cast<float>(v / kScale);
}

}  // namespace

std::string encode_token_trace(const TokenTrace& t) {
  std::string out;
  out.reserve(2 + t.size() * 6);
  out += static_cast<char>(kVersion);
  put_varint(out, t.size());
  uint32_t previous = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    put_varint(out, static_cast<uint32_t>(t.ids[i]));
    const uint32_t begin = std::max(t.begins[i], previous);  // begins never go back
    put_varint(out, begin - previous);
    previous = begin;
    put_fixed(out, -static_cast<double>(t.logprobs[i]));
    put_fixed(out, t.entropies[i]);
  }
  return out;
}

std::optional<TokenTrace> decode_token_trace(std::string_view in) {
  if (in.empty() || static_cast<uint8_t>(in[0]) != kVersion) return std::nullopt;
  size_t at = 1;
  uint64_t n = 0;
  if (!get_varint(in, at, n) || n > in.size()) return std::nullopt;  // each token takes >= 6 bytes
  TokenTrace t;
  t.ids.reserve(n), t.begins.reserve(n), t.logprobs.reserve(n), t.entropies.reserve(n);
  uint64_t begin = 0;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t id = 0, delta = 0;
    if (!get_varint(in, at, id) || !get_varint(in, at, delta) || at + 4 > in.size()) return std::nullopt;
    begin += delta;
    t.ids.push_back(static_cast<int32_t>(id));
    t.begins.push_back(static_cast<uint32_t>(begin));
    t.logprobs.push_back(-get_fixed(in, at));
    t.entropies.push_back(get_fixed(in, at + 2));
    at += 4;
  }
  if (at != in.size()) return std::nullopt;
  return t;
}

std::vector<uint32_t> token_begins(const std::vector<std::string>& pieces) {
  std::vector<uint32_t> begins;
  begins.reserve(pieces.size());
  uint32_t code_points = 0;  // characters begun so far (UTF-8 lead bytes)
  int pending = 0;           // continuation bytes the current character still expects
  for (const auto& piece : pieces) {
    begins.push_back(pending > 0 ? code_points - 1 : code_points);
    for (char c : piece) {
      const auto b = static_cast<uint8_t>(c);
      if ((b & 0xC0) == 0x80) {
        pending = std::max(0, pending - 1);
        continue;
      }
      ++code_points;
      pending = b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : b >= 0xC0 ? 1 : 0;
    }
  }
  return begins;
}

}  // namespace aha
