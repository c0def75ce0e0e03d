#pragma once
// Byte-level BPE as in Hugging Face tokenizer.json files of Qwen2/2.5/3 and Llama-3:
// added tokens split out first (leftmost-longest), NFC, the split regex, bytes mapped to
// printable characters, merges applied by rank. Decoding maps them back to bytes.
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/text/pretokenizer.h"
#include "core/text/tokenizer.h"

namespace aha {

class BpeTokenizer : public Tokenizer {
 public:
  // `j` is tokenizer.json, `config` tokenizer_config.json (may be null) for the
  // eos/pad tokens. Throws naming `origin` and the part that is not supported.
  BpeTokenizer(nlohmann::json j, const nlohmann::json& config, const std::string& origin);

  std::vector<int> encode(std::string_view text) const override;
  std::string decode(const std::vector<int>& ids, bool skip_special = false) const override;
  std::string token_bytes(int id) const override;
  int vocab_size() const override { return static_cast<int>(id_to_token_.size()); }
  int eos_id() const override { return eos_; }
  int pad_id() const override { return pad_; }
  std::optional<int> token_id(std::string_view token) const override;
  void save(const std::filesystem::path& dir) const override;

 private:
  struct AddedToken {
    std::string content;
    int id;
    bool special;
  };
  struct Merge {
    int rank;
    int result;
  };

  void encode_ordinary(std::string_view text, std::vector<int>& ids) const;  // no added tokens inside
  void encode_piece(std::string_view piece, std::vector<int>& ids) const;
  int special_id(const nlohmann::json& config, const char* key, const std::vector<std::string>& fallbacks) const;

  nlohmann::json json_;
  nlohmann::json config_json_;
  std::optional<PreTokenizer> pre_;
  bool nfc_ = false;
  bool ignore_merges_ = false;
  std::vector<std::string> id_to_token_;   // byte-level form (added tokens: their content)
  std::unordered_map<std::string, int> token_to_id_;
  std::unordered_map<uint64_t, Merge> merges_;  // (left id << 32 | right id)
  int byte_id_[256];                            // the single-byte tokens
  int16_t char_byte_[512];                      // byte-level character -> byte, or -1
  std::string byte_char_[256];                  // byte -> its byte-level character, UTF-8
  std::vector<AddedToken> added_;               // sorted by content
  std::vector<bool> is_added_special_;          // by id: special added tokens
  bool added_first_byte_[256] = {};
  int eos_ = -1, pad_ = -1;

  // Pieces repeat a lot in real text; their ids are remembered (bounded).
  mutable std::mutex cache_mutex_;
  mutable std::unordered_map<std::string, std::vector<int>> cache_;
};

}  // namespace aha
