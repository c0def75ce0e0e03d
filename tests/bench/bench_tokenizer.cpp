// Byte-level BPE encoding speed on mixed text (English-like words, numbers, Chinese,
// code, whitespace runs), target >= 2 MB/s. Run by hand:
//   build/tests/bench/bench_tokenizer [TOKENIZER_DIR] [MEGABYTES]
// (default: ../shared/testdata/tokenizer-qwen3, 8 MB). Reports the first pass (every
// piece new to the cache), a second pass over the same text, and the pre-tokenizer
// alone on the same text as the baseline share.
#include <chrono>
#include <cstdio>
#include <random>
#include <string>

#include "core/text/pretokenizer.h"
#include "core/text/tokenizer.h"
#include "core/text/unicode_text.h"

namespace {

// Words drawn Zipf-like from a made-up vocabulary, so that repetition resembles text.
std::string mixed_text(size_t bytes, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::string> vocab;
  std::uniform_int_distribution<int> len(1, 10), letter(0, 25);
  for (int i = 0; i < 30000; ++i) {
    std::string w;
    for (int k = len(rng); k > 0; --k) w += static_cast<char>('a' + letter(rng));
    vocab.push_back(w);
  }
  std::discrete_distribution<int> kind({70, 10, 8, 6, 4, 2});
  std::uniform_real_distribution<double> u(0, 1);
  std::uniform_int_distribution<int> han(0x4E00, 0x9FA5), num(0, 99999);
  const char* punct[] = {", ", ". ", "? ", " = ", " + ", "(", ")", "*", ": ", "\n", "\n\n", "    ", "{", "};\n"};
  std::string out;
  while (out.size() < bytes) {
    switch (kind(rng)) {
      case 0: {
        const auto r = static_cast<size_t>(std::pow(vocab.size(), u(rng)));  // Zipf-like rank
        if (u(rng) < 0.1) out += static_cast<char>(vocab[r - 1][0] - 32), out += vocab[r - 1].substr(1);
        else out += vocab[r - 1];
        out += ' ';
        break;
      }
      case 1: out += std::to_string(num(rng)) + ' '; break;
      case 2:
        for (int k = 0; k < 6; ++k) aha::unicode::append_utf8(out, static_cast<char32_t>(han(rng)));
        out += "，";
        break;
      case 3: out += punct[rng() % std::size(punct)]; break;
      case 4: out += "<think>"; break;
      default: out += "It's "; break;
    }
  }
  return out;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : AHA_SHARED_DIR "/testdata/tokenizer-qwen3";
  const size_t mb = argc > 2 ? std::stoul(argv[2]) : 8;
  auto t0 = std::chrono::steady_clock::now();
  const auto tok = aha::load_tokenizer(dir);
  std::printf("load %s: %.2f s\n", dir.c_str(), seconds_since(t0));
  const std::string text = mixed_text(mb << 20, 7);

  // Documents of ~4 KB, as a dataset or a batch of completions would come.
  auto encode_all = [&](size_t& tokens) {
    tokens = 0;
    const auto start = std::chrono::steady_clock::now();
    for (size_t i = 0, end; i < text.size(); i = end) {
      end = std::min(text.size(), i + 4096);
      while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) ++end;  // whole characters
      tokens += tok->encode(std::string_view(text).substr(i, end - i)).size();
    }
    return seconds_since(start);
  };
  size_t tokens = 0;
  const double first = encode_all(tokens);
  const double second = encode_all(tokens);
  t0 = std::chrono::steady_clock::now();
  std::vector<std::string_view> pieces;
  aha::PreTokenizer(1).split(text, pieces);
  const double split_only = seconds_since(t0);
  const double mbytes = text.size() / 1e6;
  std::printf("text %.1f MB, %zu tokens (%.2f bytes/token), %zu pieces\n", mbytes, tokens, text.size() / double(tokens),
              pieces.size());
  std::printf("encode, first pass : %6.2f MB/s  (%.2fx the 2 MB/s target)\n", mbytes / first, mbytes / first / 2);
  std::printf("encode, second pass: %6.2f MB/s  (%.2fx the target)\n", mbytes / second, mbytes / second / 2);
  std::printf("pre-tokenizer alone: %6.2f MB/s  (%.0f%% of the first pass's time)\n", mbytes / split_only,
              100 * split_only / first);
  return 0;
}
