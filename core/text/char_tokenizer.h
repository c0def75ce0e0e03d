#pragma once
// Character-level tokenizer of the built-in model: printable ASCII and newline, one id
// per character, plus special tokens that are single ids (<think>, </answer>, ...), so
// that the R1-Zero tags cost one position each and stop detection is an id compare.
#include <map>

#include "core/text/tokenizer.h"

namespace aha {

class CharTokenizer : public Tokenizer {
 public:
  CharTokenizer();  // the built-in vocabulary
  std::vector<int> encode(std::string_view text) const override;
  std::string decode(const std::vector<int>& ids, bool skip_special = false) const override;
  int vocab_size() const override { return static_cast<int>(id_to_token_.size()); }
  int eos_id() const override { return eos_; }
  int pad_id() const override { return pad_; }
  std::optional<int> token_id(std::string_view token) const override;
  void save(const std::filesystem::path& dir) const override;

  static constexpr const char* kSpecials[] = {"<pad>", "<eos>", "<unk>", "<think>", "</think>", "<answer>", "</answer>"};
  static constexpr int kNumSpecials = 7;

 private:
  std::vector<std::string> id_to_token_;
  std::map<std::string, int, std::less<>> token_to_id_;
  int char_to_id_[128];
  int pad_ = 0, eos_ = 1, unk_ = 2;
};

}  // namespace aha
