#pragma once
// Models on disk in Hugging Face layout: config.json, model.safetensors (or shards with
// model.safetensors.index.json), tokenizer.json.
#include <filesystem>
#include <memory>

#include "core/text/tokenizer.h"
#include "core/model/transformer.h"

namespace aha {

struct LoadedModel {
  Transformer model{nullptr};
  std::unique_ptr<Tokenizer> tokenizer;
};

// Builds the model from config.json and fills every parameter from the safetensors
// file(s). A missing or mis-shaped tensor throws naming the tensor and the file; the
// model is returned only when complete.
LoadedModel load_model(const std::filesystem::path& dir, torch::Device device = torch::kCPU);
// The same on the CPU, ready to sample from: float32, projections fused, in eval mode (the
// probes, resampling, the contamination check, the model's verdicts).
LoadedModel load_for_sampling(const std::filesystem::path& dir);
// Parameters only, into an existing model of the same shape (used by resume).
void load_weights(Transformer& model, const std::filesystem::path& dir);
void save_model(const std::filesystem::path& dir, Transformer& model, const Tokenizer& tokenizer,
                const std::map<std::string, std::string>& metadata = {});

}  // namespace aha
