#include "core/model/model_config.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/support/json_file.h"

namespace aha {

namespace {
template <class T>
T field(const nlohmann::json& j, const char* key, T fallback) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  return it->get<T>();
}
// transformers 4 writes "rope_theta" and "rope_scaling" (null or a table); transformers 5
// writes "rope_parameters" holding rope_theta and rope_type.
void read_rope_scaling(const nlohmann::json& j, ModelConfig& c) {
  const nlohmann::json* table = nullptr;
  for (const char* key : {"rope_parameters", "rope_scaling"})
    if (auto it = j.find(key); it != j.end() && it->is_object()) table = &*it;
  if (!table) return;
  c.rope_theta = field(*table, "rope_theta", c.rope_theta);
  c.rope_type = field<std::string>(*table, "rope_type", field<std::string>(*table, "type", "default"));
  c.rope_factor = field(*table, "factor", 1.0);
  c.rope_low_freq_factor = field(*table, "low_freq_factor", c.rope_low_freq_factor);
  c.rope_high_freq_factor = field(*table, "high_freq_factor", c.rope_high_freq_factor);
  c.rope_original_max_position =
      field(*table, "original_max_position_embeddings", c.rope_original_max_position);
}

}  // namespace

std::vector<double> ModelConfig::rope_inv_freq() const {
  const int hd = head_dim();
  std::vector<double> inv(hd / 2);
  for (int i = 0; i < hd / 2; ++i) inv[i] = 1.0 / std::pow(rope_theta, 2.0 * i / hd);
  if (rope_type == "linear") {
    for (double& f : inv) f /= rope_factor;
  } else if (rope_type == "llama3") {
    // Short wavelengths stay, long ones are divided by factor, the band between blends.
    const double old_len = rope_original_max_position;
    const double low_wavelen = old_len / rope_low_freq_factor, high_wavelen = old_len / rope_high_freq_factor;
    for (double& f : inv) {
      const double wavelen = 2 * M_PI / f;
      if (wavelen > low_wavelen) {
        f /= rope_factor;
      } else if (wavelen >= high_wavelen) {
        const double smooth = (old_len / wavelen - rope_low_freq_factor) / (rope_high_freq_factor - rope_low_freq_factor);
        f = (1 - smooth) * f / rope_factor + smooth * f;
      }
    }
  }
  return inv;
}

ModelConfig ModelConfig::from_json(const nlohmann::json& j, const std::string& origin) {
  // The shape of the network: never a default, which would build another network.
  for (const char* key : {"vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads"})
    if (!j.contains(key) || !j[key].is_number_integer())
      throw std::runtime_error(origin + ": " + key + " is " + (j.contains(key) ? "not a whole number" : "missing") +
                               "; config.json must give the model's " + key + " (as Hugging Face writes it)");
  ModelConfig c;
  try {
    if (auto a = j.find("architectures"); a != j.end() && a->is_array() && !a->empty())
      c.architecture = (*a)[0].get<std::string>();
    c.vocab_size = field(j, "vocab_size", 0);
    c.hidden_size = field(j, "hidden_size", c.hidden_size);
    c.intermediate_size = field(j, "intermediate_size", c.intermediate_size);
    c.num_hidden_layers = field(j, "num_hidden_layers", c.num_hidden_layers);
    c.num_attention_heads = field(j, "num_attention_heads", c.num_attention_heads);
    c.num_key_value_heads = field(j, "num_key_value_heads", c.num_attention_heads);
    c.max_position_embeddings = field(j, "max_position_embeddings", c.max_position_embeddings);
    c.rope_theta = field(j, "rope_theta", c.rope_theta);
    read_rope_scaling(j, c);
    c.rms_norm_eps = field(j, "rms_norm_eps", c.rms_norm_eps);
    c.tie_word_embeddings = field(j, "tie_word_embeddings", false);
    c.torch_dtype = field<std::string>(j, "dtype", field<std::string>(j, "torch_dtype", "float32"));
    if (const auto act = field<std::string>(j, "hidden_act", "silu"); act != "silu")
      throw std::runtime_error(origin + ": hidden_act '" + act + "' is not supported (only silu)");
    if (const int hd = field(j, "head_dim", 0); hd && hd != c.hidden_size / std::max(1, c.num_attention_heads))
      throw std::runtime_error(origin + ": head_dim " + std::to_string(hd) +
                               " differs from hidden_size / num_attention_heads; not supported");
    c.qkv_bias = c.architecture == "Qwen2ForCausalLM" ? true : field(j, "attention_bias", false);
    if (auto e = j.find("eos_token_id"); e != j.end())
      c.eos_token_id = e->is_array() ? (*e)[0].get<int>() : (e->is_number() ? e->get<int>() : -1);
    c.bos_token_id = j.contains("bos_token_id") && j["bos_token_id"].is_number() ? j["bos_token_id"].get<int>() : -1;
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(origin + ": malformed model config: " + e.what());
  }
  c.validate(origin);
  return c;
}

ModelConfig ModelConfig::load(const std::filesystem::path& config_json) {
  return from_json(read_json_file(config_json, "model config"), config_json.string());
}

nlohmann::json ModelConfig::to_json() const {
  nlohmann::json j = {
      {"architectures", {architecture}},
      {"model_type", architecture == "LlamaForCausalLM" ? "llama" : "qwen2"},
      {"vocab_size", vocab_size},
      {"hidden_size", hidden_size},
      {"intermediate_size", intermediate_size},
      {"num_hidden_layers", num_hidden_layers},
      {"num_attention_heads", num_attention_heads},
      {"num_key_value_heads", num_key_value_heads},
      {"max_position_embeddings", max_position_embeddings},
      {"rope_theta", rope_theta},
      {"rms_norm_eps", rms_norm_eps},
      {"tie_word_embeddings", tie_word_embeddings},
      {"hidden_act", "silu"},
      {"torch_dtype", torch_dtype},
  };
  if (architecture == "LlamaForCausalLM") j["attention_bias"] = qkv_bias;
  if (rope_type != "default")
    j["rope_scaling"] = {{"rope_type", rope_type},
                         {"factor", rope_factor},
                         {"low_freq_factor", rope_low_freq_factor},
                         {"high_freq_factor", rope_high_freq_factor},
                         {"original_max_position_embeddings", rope_original_max_position}};
  if (bos_token_id >= 0) j["bos_token_id"] = bos_token_id;
  if (eos_token_id >= 0) j["eos_token_id"] = eos_token_id;
  return j;
}

void ModelConfig::validate(const std::string& origin) const {
  auto bad = [&](const std::string& what) {
    throw std::runtime_error(origin + ": " + what);
  };
  if (architecture != "Qwen2ForCausalLM" && architecture != "LlamaForCausalLM")
    bad("unsupported architecture '" + architecture +
        "' (supported: Qwen2ForCausalLM, LlamaForCausalLM)");
  if (rope_type != "default" && rope_type != "linear" && rope_type != "llama3")
    bad("rope type '" + rope_type + "' is not supported (default, linear, llama3)");
  if (rope_factor <= 0 || (rope_type == "llama3" && rope_high_freq_factor <= rope_low_freq_factor))
    bad("rope scaling factors must be positive, high_freq_factor above low_freq_factor");
  if (vocab_size <= 0) bad("vocab_size must be positive");
  if (hidden_size <= 0 || num_attention_heads <= 0 || hidden_size % num_attention_heads)
    bad("hidden_size must be a positive multiple of num_attention_heads");
  if (num_key_value_heads <= 0 || num_attention_heads % num_key_value_heads)
    bad("num_attention_heads must be a multiple of num_key_value_heads");
  if (head_dim() % 2) bad("head dimension must be even for rotary embeddings");
  if (num_hidden_layers <= 0 || intermediate_size <= 0) bad("num_hidden_layers and intermediate_size must be positive");
  if (torch_dtype != "float32" && torch_dtype != "bfloat16" && torch_dtype != "float16")
    bad("unsupported torch_dtype '" + torch_dtype + "' (float32, bfloat16, float16)");
}

long long ModelConfig::parameter_count() const {
  long long d = hidden_size, kv = num_key_value_heads * head_dim();
  long long attn = d * d * 2 + d * kv * 2 + (qkv_bias ? d + 2 * kv : 0);
  long long mlp = 3 * d * intermediate_size;
  long long layer = attn + mlp + 2 * d;
  long long emb = (long long)vocab_size * d;
  return emb * (tie_word_embeddings ? 1 : 2) + layer * num_hidden_layers + d;
}

}  // namespace aha
