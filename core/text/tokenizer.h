#pragma once
// Tokenizer interface shared by the built-in character tokenizer and byte-level BPE.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aha {

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;
  virtual std::vector<int> encode(std::string_view text) const = 0;
  virtual std::string decode(const std::vector<int>& ids, bool skip_special = false) const = 0;
  // The bytes token `id` adds to a decoded text, before UTF-8 repair (a byte-level BPE
  // token may hold part of a character); special tokens as written.
  virtual std::string token_bytes(int id) const { return decode({id}); }
  virtual int vocab_size() const = 0;
  virtual int eos_id() const = 0;
  virtual int pad_id() const = 0;
  // Id of a token written as one string (a special token such as "</answer>"), if any.
  virtual std::optional<int> token_id(std::string_view token) const = 0;
  // Writes tokenizer.json (Hugging Face layout) into `dir`.
  virtual void save(const std::filesystem::path& dir) const = 0;
};

// Reads `dir`/tokenizer.json, whichever kind it holds. Throws naming the file.
std::unique_ptr<Tokenizer> load_tokenizer(const std::filesystem::path& dir);

}  // namespace aha
