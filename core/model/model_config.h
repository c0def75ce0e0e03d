#pragma once
// Hugging Face config.json of a decoder-only Qwen2/Llama-family model. Torch-free.
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace aha {

struct ModelConfig {
  std::string architecture = "Qwen2ForCausalLM";  // or LlamaForCausalLM
  int vocab_size = 0;
  int hidden_size = 128;
  int intermediate_size = 352;
  int num_hidden_layers = 4;
  int num_attention_heads = 4;
  int num_key_value_heads = 2;
  int max_position_embeddings = 512;
  double rope_theta = 10000.0;
  // Rotary scaling ("rope_scaling", or transformers 5's "rope_parameters"): "default",
  // "linear" (positions divided by factor) or "llama3" (Llama 3.1+ frequency bands).
  std::string rope_type = "default";
  double rope_factor = 1.0;
  double rope_low_freq_factor = 1.0, rope_high_freq_factor = 4.0;
  int rope_original_max_position = 8192;
  double rms_norm_eps = 1e-6;
  bool tie_word_embeddings = true;
  bool qkv_bias = true;  // Qwen2 always has it; Llama reads "attention_bias"
  std::string torch_dtype = "float32";
  int bos_token_id = -1;
  int eos_token_id = -1;

  // Rotary inverse frequencies, one per pair of head dimensions, scaling applied.
  std::vector<double> rope_inv_freq() const;
  int head_dim() const { return hidden_size / num_attention_heads; }
  // Throws std::runtime_error naming the file and the key on a bad or unsupported config.
  static ModelConfig from_json(const nlohmann::json& j, const std::string& origin);
  static ModelConfig load(const std::filesystem::path& config_json);
  nlohmann::json to_json() const;
  void validate(const std::string& origin) const;
  long long parameter_count() const;
};

}  // namespace aha
