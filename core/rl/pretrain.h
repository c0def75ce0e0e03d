#pragma once
// `aha pretrain`: next-token prediction of the built-in base model on the synthetic
// corpus. Reproducible from its TOML config (which holds the seed).
#include <atomic>
#include <filesystem>
#include <functional>
#include <string>

#include "core/tasks/corpus.h"
#include "core/model/model_config.h"
#include "core/tasks/task.h"

namespace aha {

struct PretrainConfig {
  ModelConfig model;
  TaskOptions task;
  CorpusOptions corpus;
  int iterations = 3000;
  int batch_size = 64;
  double learning_rate = 2e-3;
  double min_learning_rate = 2e-4;
  int warmup_steps = 100;
  double weight_decay = 0.1;
  uint64_t seed = 1234;
  int threads = 0;  // 0 = all cores
  int eval_samples = 512;
  std::string init_from;  // continue from this model directory instead of a fresh init

  // Reads a TOML file; unknown keys and bad values are errors naming the key.
  static PretrainConfig load(const std::filesystem::path& toml_file);
};

struct PretrainProgress {
  int iteration = 0, total = 0;
  double loss = 0, learning_rate = 0, seconds = 0, tokens_per_second = 0;
};

// Trains and writes the model to `out_dir` (HF layout, plus pretrain.toml copied for
// reproduction). `progress` is called every `report_every` iterations; `stop` ends early.
void pretrain(const PretrainConfig& cfg, const std::filesystem::path& config_file,
              const std::filesystem::path& out_dir, const std::function<void(const PretrainProgress&)>& progress,
              const std::atomic<bool>* stop = nullptr, int report_every = 50);

}  // namespace aha
