#include "core/model/checkpoint.h"

#include <fstream>

#include <nlohmann/json.hpp>

#include "core/support/json_file.h"
#include "core/model/safetensors.h"

namespace aha {

namespace {

torch::ScalarType dtype_of(const std::string& name) {
  if (name == "bfloat16") return torch::kBFloat16;
  if (name == "float16") return torch::kFloat16;
  return torch::kFloat32;
}

// Every tensor name -> the file that holds it (one file, or the shards of an index).
std::map<std::string, std::filesystem::path> locate_tensors(const std::filesystem::path& dir) {
  std::map<std::string, std::filesystem::path> where;
  const auto index = dir / "model.safetensors.index.json";
  if (std::filesystem::exists(index)) {
    const nlohmann::json j = read_json_file(index, "weight index");
    try {
      for (auto& [name, file] : j.at("weight_map").items()) where[name] = dir / file.get<std::string>();
    } catch (const nlohmann::json::exception& e) {
      throw std::runtime_error(index.string() + ": malformed index: " + e.what());
    }
    return where;
  }
  const auto single = dir / "model.safetensors";
  if (!std::filesystem::exists(single))
    throw std::runtime_error("no weights in '" + dir.string() + "' (expected model.safetensors or model.safetensors.index.json)");
  SafetensorsFile f(single);
  for (const auto& [name, info] : f.tensors()) where[name] = single;
  return where;
}

}  // namespace

void load_weights(Transformer& model, const std::filesystem::path& dir) {
  const auto where = locate_tensors(dir);
  std::map<std::filesystem::path, std::unique_ptr<SafetensorsFile>> files;
  // Read everything first, assign after: nothing is half-loaded on error.
  std::vector<std::pair<torch::Tensor, torch::Tensor>> assignments;
  for (auto& p : model->named_parameters()) {
    auto it = where.find(p.key());
    if (it == where.end())
      throw std::runtime_error("tensor '" + p.key() + "' is missing from the checkpoint in '" + dir.string() + "'");
    auto& file = files[it->second];
    if (!file) file = std::make_unique<SafetensorsFile>(it->second);
    auto t = file->load(p.key());
    if (t.is_floating_point() && !torch::isfinite(t).all().item<bool>())
      throw std::runtime_error("tensor '" + p.key() + "' in '" + it->second.string() +
                               "' holds NaN or infinite values: the checkpoint is damaged (or was saved after a "
                               "diverged step); use an earlier one");
    if (t.sizes() != p.value().sizes()) {
      std::ostringstream msg;
      msg << "tensor '" << p.key() << "' in '" << it->second.string() << "' has shape " << t.sizes()
          << ", the model config expects " << p.value().sizes();
      throw std::runtime_error(msg.str());
    }
    assignments.emplace_back(p.value(), t);
  }
  // Tensors the model would not use say that config.json and the weights disagree (a
  // num_hidden_layers of 2 over weights of 4 layers trains a truncated model).
  std::vector<std::string> unused;
  const auto params = model->named_parameters();
  for (const auto& [name, file] : where) {
    if (params.contains(name)) continue;
    // Buffers some exporters keep, and a tied head written out anyway.
    if (name.find("rotary_emb.inv_freq") != std::string::npos ||
        (name == "lm_head.weight" && model->config().tie_word_embeddings))
      continue;
    unused.push_back(name);
  }
  if (!unused.empty()) {
    std::string list;
    for (size_t i = 0; i < unused.size() && i < 4; ++i) list += (i ? ", " : "") + unused[i];
    if (unused.size() > 4) list += ", ... (" + std::to_string(unused.size()) + " in all)";
    throw std::runtime_error("the checkpoint in '" + dir.string() + "' has tensors the model config does not use: " +
                             list + "; config.json and the weights disagree (num_hidden_layers is " +
                             std::to_string(model->config().num_hidden_layers) + ")");
  }
  torch::NoGradGuard ng;
  for (auto& [param, value] : assignments) param.copy_(value);
}

LoadedModel load_model(const std::filesystem::path& dir, torch::Device device) {
  if (!std::filesystem::is_directory(dir))
    throw std::runtime_error("model directory '" + dir.string() + "' does not exist");
  ModelConfig cfg = ModelConfig::load(dir / "config.json");
  LoadedModel out;
  out.tokenizer = load_tokenizer(dir);
  if (out.tokenizer->vocab_size() > cfg.vocab_size)
    throw std::runtime_error(dir.string() + ": tokenizer has " + std::to_string(out.tokenizer->vocab_size()) +
                             " tokens but config.json vocab_size is " + std::to_string(cfg.vocab_size));
  Transformer model(cfg);
  load_weights(model, dir);
  model->to(device, dtype_of(cfg.torch_dtype));
  out.model = model;
  return out;
}

LoadedModel load_for_sampling(const std::filesystem::path& dir) {
  auto loaded = load_model(dir, torch::kCPU);
  loaded.model->to(torch::kFloat32);
  loaded.model->fuse_projections();
  loaded.model->eval();
  return loaded;
}

void save_model(const std::filesystem::path& dir, Transformer& model, const Tokenizer& tokenizer,
                const std::map<std::string, std::string>& metadata) {
  std::filesystem::create_directories(dir);
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  for (auto& p : model->named_parameters()) tensors.emplace_back(p.key(), p.value());
  auto meta = metadata;
  meta["format"] = "pt";
  save_safetensors(dir / "model.safetensors", tensors, meta);
  ModelConfig cfg = model->config();
  std::ofstream(dir / "config.json") << cfg.to_json().dump(2) << "\n";
  tokenizer.save(dir);
}

}  // namespace aha
