#include "core/text/bpe_tokenizer.h"

#include <algorithm>
#include <fstream>
#include <queue>
#include <stdexcept>

#include "core/text/unicode_text.h"

namespace aha {

namespace {

// GPT-2's printable stand-ins for bytes: printable Latin-1 bytes stand for themselves,
// the others for 256, 257, ... in byte order.
void byte_level_alphabet(char32_t (&out)[256]) {
  int extra = 0;
  for (int b = 0; b < 256; ++b) {
    const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    out[b] = printable ? static_cast<char32_t>(b) : static_cast<char32_t>(256 + extra++);
  }
}

std::string token_text(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && v.contains("content")) return v.at("content").get<std::string>();
  return {};
}

}  // namespace

BpeTokenizer::BpeTokenizer(nlohmann::json j, const nlohmann::json& config, const std::string& origin)
    : json_(std::move(j)), config_json_(config) {
  auto fail = [&](const std::string& what) { throw std::runtime_error(origin + ": " + what); };
  const auto& model = json_.at("model");
  if (model.value("byte_fallback", false)) fail("BPE with byte_fallback (SentencePiece style) is not supported");
  ignore_merges_ = model.value("ignore_merges", false);

  // Normalizer: none or NFC.
  const auto& norm = json_.value("normalizer", nlohmann::json());
  if (!norm.is_null()) {
    if (norm.value("type", "") != "NFC") fail("normalizer '" + norm.dump() + "' is not supported (only NFC)");
    nfc_ = true;
  }
  // Pre-tokenizer: Sequence[Split(regex), ByteLevel(use_regex=false)].
  const auto& pre = json_.value("pre_tokenizer", nlohmann::json());
  const auto& steps = pre.value("pretokenizers", nlohmann::json::array());
  if (pre.value("type", "") != "Sequence" || steps.size() != 2 || steps[0].value("type", "") != "Split" ||
      steps[1].value("type", "") != "ByteLevel" || steps[1].value("use_regex", true))
    fail("pre_tokenizer is not the Split + ByteLevel sequence of Qwen2/Qwen3/Llama-3 (supported families)");
  const std::string regex = steps[0].at("pattern").value("Regex", "");
  pre_ = PreTokenizer::from_regex(regex);
  if (!pre_) fail("pre_tokenizer regex is not one of Qwen2/Qwen3/Llama-3's: " + regex);

  // Vocabulary, then added tokens (which may extend it).
  for (auto& [token, idv] : model.at("vocab").items()) {
    const int id = idv.get<int>();
    if (id < 0) fail("negative id for token '" + token + "'");
    if (static_cast<size_t>(id) >= id_to_token_.size()) id_to_token_.resize(id + 1);
    id_to_token_[id] = token;
    token_to_id_[token] = id;
  }
  for (const auto& a : json_.value("added_tokens", nlohmann::json::array())) {
    AddedToken t{a.at("content").get<std::string>(), a.at("id").get<int>(), a.value("special", false)};
    if (t.content.empty()) fail("an added token with empty content");
    if (static_cast<size_t>(t.id) >= id_to_token_.size()) id_to_token_.resize(t.id + 1);
    id_to_token_[t.id] = t.content;
    added_first_byte_[static_cast<unsigned char>(t.content[0])] = true;
    added_.push_back(std::move(t));
  }
  is_added_special_.assign(id_to_token_.size(), false);
  for (const auto& t : added_) is_added_special_[t.id] = t.special;

  char32_t alphabet[256];
  byte_level_alphabet(alphabet);
  std::fill(std::begin(char_byte_), std::end(char_byte_), int16_t(-1));
  for (int b = 0; b < 256; ++b) {
    unicode::append_utf8(byte_char_[b], alphabet[b]);
    char_byte_[alphabet[b]] = static_cast<int16_t>(b);
    auto it = token_to_id_.find(byte_char_[b]);
    if (it == token_to_id_.end()) fail("vocabulary lacks the token for byte " + std::to_string(b));
    byte_id_[b] = it->second;
  }

  // Merges: "a b" strings (older files) or ["a", "b"] pairs; rank = position.
  const auto& merges = model.at("merges");
  merges_.reserve(merges.size());
  for (size_t rank = 0; rank < merges.size(); ++rank) {
    std::string left, right;
    if (merges[rank].is_array()) {
      left = merges[rank].at(0).get<std::string>();
      right = merges[rank].at(1).get<std::string>();
    } else {
      const std::string m = merges[rank].get<std::string>();
      const auto space = m.find(' ', 1);
      if (space == std::string::npos) fail("merge " + std::to_string(rank) + " '" + m + "' is not 'a b'");
      left = m.substr(0, space), right = m.substr(space + 1);
    }
    auto l = token_to_id_.find(left), r = token_to_id_.find(right), out = token_to_id_.find(left + right);
    if (l == token_to_id_.end() || r == token_to_id_.end() || out == token_to_id_.end())
      fail("merge " + std::to_string(rank) + " ('" + left + "', '" + right + "') uses a token not in the vocabulary");
    const uint64_t key = (uint64_t(uint32_t(l->second)) << 32) | uint32_t(r->second);
    merges_.emplace(key, Merge{static_cast<int>(rank), out->second});  // the first (lowest) rank wins
  }

  eos_ = special_id(config, "eos_token", {"<|endoftext|>", "<|end_of_text|>", "</s>"});
  if (eos_ < 0) fail("no end-of-sequence token (tokenizer_config.json's eos_token, or <|endoftext|>)");
  pad_ = special_id(config, "pad_token", {});
  if (pad_ < 0) pad_ = eos_;
}

int BpeTokenizer::special_id(const nlohmann::json& config, const char* key,
                             const std::vector<std::string>& fallbacks) const {
  std::vector<std::string> names;
  if (config.is_object() && config.contains(key)) names.push_back(token_text(config.at(key)));
  names.insert(names.end(), fallbacks.begin(), fallbacks.end());
  for (const auto& name : names)
    if (auto id = token_id(name)) return *id;
  return -1;
}

std::vector<int> BpeTokenizer::encode(std::string_view text) const {
  std::vector<int> ids;
  std::lock_guard lock(cache_mutex_);
  size_t start = 0;
  for (size_t i = 0; i < text.size();) {
    const AddedToken* best = nullptr;
    if (added_first_byte_[static_cast<unsigned char>(text[i])])
      for (const auto& t : added_)
        if (text.compare(i, t.content.size(), t.content) == 0 && (!best || t.content.size() > best->content.size()))
          best = &t;
    if (!best) {
      ++i;
      continue;
    }
    encode_ordinary(text.substr(start, i - start), ids);
    ids.push_back(best->id);
    i += best->content.size();
    start = i;
  }
  encode_ordinary(text.substr(start), ids);
  return ids;
}

void BpeTokenizer::encode_ordinary(std::string_view text, std::vector<int>& ids) const {
  if (text.empty()) return;
  const std::string normalized = nfc_ ? unicode::nfc(text) : unicode::repair_utf8(text);
  thread_local std::vector<std::string_view> pieces;
  pieces.clear();
  pre_->split(normalized, pieces);
  if (cache_.size() > 500000) cache_.clear();
  thread_local std::string key;
  for (auto piece : pieces) {
    key.assign(piece);
    auto it = cache_.find(key);
    if (it == cache_.end()) {
      std::vector<int> piece_ids;
      encode_piece(piece, piece_ids);
      it = cache_.emplace(key, std::move(piece_ids)).first;
    }
    ids.insert(ids.end(), it->second.begin(), it->second.end());
  }
}

void BpeTokenizer::encode_piece(std::string_view piece, std::vector<int>& ids) const {
  if (ignore_merges_) {  // Llama-3: a piece that is a whole token is taken as is
    std::string mapped;
    for (char ch : piece) mapped += byte_char_[static_cast<unsigned char>(ch)];
    if (auto it = token_to_id_.find(mapped); it != token_to_id_.end()) {
      ids.push_back(it->second);
      return;
    }
  }
  const int n = static_cast<int>(piece.size());
  std::vector<int> sym(n), next(n), prev(n);
  for (int k = 0; k < n; ++k) {
    sym[k] = byte_id_[static_cast<unsigned char>(piece[k])];
    next[k] = k + 1 < n ? k + 1 : -1;
    prev[k] = k - 1;
  }
  // Lowest rank first, leftmost among equal ranks; stale entries are skipped on pop.
  struct Candidate {
    int rank, pos, left, right;
    bool operator>(const Candidate& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
  };
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<>> heap;
  auto consider = [&](int pos) {
    if (pos < 0 || next[pos] < 0) return;
    const uint64_t key = (uint64_t(uint32_t(sym[pos])) << 32) | uint32_t(sym[next[pos]]);
    if (auto it = merges_.find(key); it != merges_.end()) heap.push({it->second.rank, pos, sym[pos], sym[next[pos]]});
  };
  for (int k = 0; k + 1 < n; ++k) consider(k);
  std::vector<bool> alive(n, true);
  while (!heap.empty()) {
    const Candidate c = heap.top();
    heap.pop();
    if (!alive[c.pos] || sym[c.pos] != c.left || next[c.pos] < 0 || sym[next[c.pos]] != c.right) continue;
    const int right = next[c.pos];
    const uint64_t key = (uint64_t(uint32_t(c.left)) << 32) | uint32_t(c.right);
    sym[c.pos] = merges_.at(key).result;
    alive[right] = false;
    next[c.pos] = next[right];
    if (next[c.pos] >= 0) prev[next[c.pos]] = c.pos;
    consider(prev[c.pos]);
    consider(c.pos);
  }
  for (int k = 0; k >= 0; k = next[k]) ids.push_back(sym[k]);
}

std::string BpeTokenizer::token_bytes(int id) const {
  if (id < 0 || id >= vocab_size()) return {};
  const std::string& token = id_to_token_[id];
  if (is_added_special_[id]) return token;
  std::string bytes;
  for (size_t i = 0; i < token.size();) {
    const char32_t c = unicode::next_code_point(token, i);
    if (c < 512 && char_byte_[c] >= 0)
      bytes += static_cast<char>(char_byte_[c]);
    else
      unicode::append_utf8(bytes, c);
  }
  return bytes;
}

std::string BpeTokenizer::decode(const std::vector<int>& ids, bool skip_special) const {
  std::string bytes;
  for (int id : ids) {
    if (id < 0 || id >= vocab_size() || (skip_special && is_added_special_[id])) continue;
    bytes += token_bytes(id);
  }
  return unicode::repair_utf8(bytes);
}

std::optional<int> BpeTokenizer::token_id(std::string_view token) const {
  for (const auto& t : added_)
    if (t.content == token) return t.id;
  std::string mapped;
  for (char ch : token) mapped += byte_char_[static_cast<unsigned char>(ch)];
  if (auto it = token_to_id_.find(mapped); it != token_to_id_.end()) return it->second;
  return std::nullopt;
}

void BpeTokenizer::save(const std::filesystem::path& dir) const {
  std::ofstream(dir / "tokenizer.json") << json_.dump() << "\n";
  if (!config_json_.is_null()) std::ofstream(dir / "tokenizer_config.json") << config_json_.dump(1) << "\n";
}

}  // namespace aha
