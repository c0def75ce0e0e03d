#pragma once
// What the sampler saw at each token of a completion (the token lens, docs/TOKEN_LENS.md):
// the token, where it starts in the decoded text, its log-probability under the sampling
// distribution and that distribution's entropy. Stored per sample as one small blob.
// Torch-free, Qt-free.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aha {

struct TokenTrace {
  std::vector<int32_t> ids;
  std::vector<uint32_t> begins;  // code-point offset of each token's first character in the completion
  std::vector<float> logprobs;   // nats, <= 0
  std::vector<float> entropies;  // nats, >= 0
  size_t size() const { return ids.size(); }
  // Code points [begin, end) of token i (end: the next token's begin, or `text_length`).
  uint32_t end_of(size_t i, uint32_t text_length) const { return i + 1 < size() ? begins[i + 1] : text_length; }
};

// The blob: a version byte, the token count, then per token its id and its begin's delta
// (unsigned LEB128 varints) and -logprob and entropy as 16-bit fixed point in 1/2048 nat
// (exact to 2.5e-4 nat over 0..32 nats; beyond, 32). About 6 bytes a token.
std::string encode_token_trace(const TokenTrace& trace);
// Empty on a blob this build cannot read (another version, cut short): no lens, no crash.
std::optional<TokenTrace> decode_token_trace(std::string_view blob);

// Code-point offset of each token's start in the concatenation of `pieces` (the raw
// bytes of each token, Tokenizer::token_bytes). A token that starts inside a multi-byte
// character starts at that character.
std::vector<uint32_t> token_begins(const std::vector<std::string>& pieces);

}  // namespace aha
