#include "core/text/tokenizer.h"

#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/text/bpe_tokenizer.h"
#include "core/text/char_tokenizer.h"
#include "core/support/json_file.h"

namespace aha {

std::unique_ptr<Tokenizer> load_tokenizer(const std::filesystem::path& dir) {
  const auto path = dir / "tokenizer.json";
  if (!std::filesystem::exists(path))
    throw std::runtime_error("no tokenizer at '" + path.string() + "' (a model directory needs tokenizer.json)");
  const nlohmann::json j = read_json_file(path, "tokenizer");
  const std::string type = j.value("/model/type"_json_pointer, std::string());
  if (type == "AhaChar") {
    auto tok = std::make_unique<CharTokenizer>();
    const auto& vocab = j.at("model").at("vocab");
    for (auto& [token, id] : vocab.items())
      if (tok->token_id(token) != id.get<int>())
        throw std::runtime_error(path.string() + ": character vocabulary differs from the built-in one at '" + token + "'");
    return tok;
  }
  if (type == "BPE") {
    nlohmann::json config;
    if (const auto cfg = dir / "tokenizer_config.json"; std::filesystem::exists(cfg))
      config = read_json_file(cfg, "tokenizer config");
    return std::make_unique<BpeTokenizer>(j, config, path.string());
  }
  throw std::runtime_error(path.string() + ": tokenizer model type '" + type +
                           "' is not supported (supported: BPE as in Qwen2/Qwen3/Llama-3, AhaChar)");
}

}  // namespace aha
