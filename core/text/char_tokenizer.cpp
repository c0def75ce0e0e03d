#include "core/text/char_tokenizer.h"

#include <fstream>

#include <nlohmann/json.hpp>

namespace aha {

CharTokenizer::CharTokenizer() {
  for (const char* s : kSpecials) id_to_token_.push_back(s);
  for (auto& c : char_to_id_) c = unk_;
  auto add_char = [&](char c) {
    char_to_id_[static_cast<unsigned char>(c)] = static_cast<int>(id_to_token_.size());
    id_to_token_.push_back(std::string(1, c));
  };
  add_char('\n');
  for (char c = 32; c < 127; ++c) add_char(c);
  for (size_t i = 0; i < id_to_token_.size(); ++i) token_to_id_[id_to_token_[i]] = static_cast<int>(i);
}

std::vector<int> CharTokenizer::encode(std::string_view text) const {
  std::vector<int> ids;
  ids.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '<') {
      bool matched = false;
      for (int s = 3; s < kNumSpecials; ++s) {  // only the tags are written in text
        std::string_view tag = kSpecials[s];
        if (text.substr(i, tag.size()) == tag) {
          ids.push_back(s);
          i += tag.size();
          matched = true;
          break;
        }
      }
      if (matched) continue;
    }
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 128) {
      ids.push_back(char_to_id_[c]);
      ++i;
    } else {
      // One <unk> per UTF-8 code point, not per byte.
      ids.push_back(unk_);
      ++i;
      while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) ++i;
    }
  }
  return ids;
}

std::string CharTokenizer::decode(const std::vector<int>& ids, bool skip_special) const {
  std::string out;
  for (int id : ids) {
    if (id < 0 || id >= vocab_size()) continue;
    if (id < kNumSpecials && (skip_special || id == pad_ || id == eos_)) continue;
    out += id_to_token_[id];
  }
  return out;
}

std::optional<int> CharTokenizer::token_id(std::string_view token) const {
  auto it = token_to_id_.find(token);
  if (it == token_to_id_.end()) return std::nullopt;
  return it->second;
}

void CharTokenizer::save(const std::filesystem::path& dir) const {
  nlohmann::json vocab = nlohmann::json::object();
  for (size_t i = 0; i < id_to_token_.size(); ++i) vocab[id_to_token_[i]] = i;
  nlohmann::json added = nlohmann::json::array();
  for (int i = 0; i < kNumSpecials; ++i)
    added.push_back({{"id", i}, {"content", kSpecials[i]}, {"special", true}});
  nlohmann::json j = {{"version", "1.0"},
                      {"added_tokens", added},
                      {"model", {{"type", "AhaChar"}, {"vocab", vocab}}}};
  std::ofstream(dir / "tokenizer.json") << j.dump(1) << "\n";
  nlohmann::json cfg = {{"tokenizer_class", "AhaCharTokenizer"}, {"eos_token", "<eos>"}, {"pad_token", "<pad>"}};
  std::ofstream(dir / "tokenizer_config.json") << cfg.dump(1) << "\n";
}

}  // namespace aha
