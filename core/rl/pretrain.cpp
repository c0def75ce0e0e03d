#include "core/rl/pretrain.h"

#include <chrono>
#include <cmath>
#include <fstream>

#include <spdlog/spdlog.h>

#include "core/text/char_tokenizer.h"
#include "core/model/checkpoint.h"
#include "core/support/config_reader.h"
#include "core/rl/evaluate.h"
#include "core/tasks/task_config.h"
#include "core/model/transformer.h"

namespace aha {

namespace {

// The [model] table: the architecture of the built-in tiny model.
ModelConfig read_model_table(ConfigReader r, int vocab_size) {
  ModelConfig m;
  m.vocab_size = vocab_size;
  m.architecture = r.text("architecture", m.architecture, {"Qwen2ForCausalLM", "LlamaForCausalLM"});
  m.hidden_size = r.integer("hidden_size", m.hidden_size, 16, 8192);
  m.intermediate_size = r.integer("intermediate_size", m.intermediate_size, 16, 65536);
  m.num_hidden_layers = r.integer("num_hidden_layers", m.num_hidden_layers, 1, 128);
  m.num_attention_heads = r.integer("num_attention_heads", m.num_attention_heads, 1, 128);
  m.num_key_value_heads = r.integer("num_key_value_heads", m.num_key_value_heads, 1, 128);
  m.max_position_embeddings = r.integer("max_position_embeddings", m.max_position_embeddings, 16, 1 << 20);
  m.rope_theta = r.real("rope_theta", m.rope_theta, 1.0, 1e9);
  m.tie_word_embeddings = r.boolean("tie_word_embeddings", m.tie_word_embeddings);
  m.qkv_bias = r.boolean("qkv_bias", m.qkv_bias);
  r.reject_unknown();
  return m;
}

}  // namespace

PretrainConfig PretrainConfig::load(const std::filesystem::path& file) {
  auto root = parse_toml_file(file.string());
  ConfigReader r(root, file.string());
  PretrainConfig c;
  c.model = read_model_table(r.table("model"), CharTokenizer().vocab_size());
  c.task = read_task_table(r.table("task"));
  c.corpus = read_corpus_table(r.table("corpus"));
  ConfigReader t = r.table("train");
  c.iterations = t.integer("iterations", c.iterations, 1, 10000000);
  c.batch_size = t.integer("batch_size", c.batch_size, 1, 65536);
  c.learning_rate = t.real("learning_rate", c.learning_rate, 1e-7, 1.0);
  c.min_learning_rate = t.real("min_learning_rate", c.min_learning_rate, 0.0, 1.0);
  c.warmup_steps = t.integer("warmup_steps", c.warmup_steps, 0, 1000000);
  c.weight_decay = t.real("weight_decay", c.weight_decay, 0.0, 10.0);
  c.seed = static_cast<uint64_t>(t.integer("seed", static_cast<int>(c.seed), 0, 2147483647));
  c.threads = t.integer("threads", c.threads, 0, 1024);
  c.eval_samples = t.integer("eval_samples", c.eval_samples, 0, 1000000);
  c.init_from = t.text("init_from", c.init_from);
  if (!c.init_from.empty() && std::filesystem::path(c.init_from).is_relative())
    c.init_from = (std::filesystem::path(file).parent_path() / c.init_from).lexically_normal().string();
  t.reject_unknown();
  r.reject_unknown();
  return c;
}

void pretrain(const PretrainConfig& cfg, const std::filesystem::path& config_file, const std::filesystem::path& out_dir,
              const std::function<void(const PretrainProgress&)>& progress, const std::atomic<bool>* stop,
              int report_every) {
  if (cfg.threads > 0) torch::set_num_threads(cfg.threads);
  torch::manual_seed(cfg.seed);
  CharTokenizer tok;
  auto task = make_task(cfg.task);
  CorpusGenerator corpus(*task, cfg.corpus, cfg.seed);

  Transformer model(cfg.model);
  model->init_weights(cfg.seed);
  if (!cfg.init_from.empty()) {
    if (ModelConfig::load(std::filesystem::path(cfg.init_from) / "config.json").to_json() != cfg.model.to_json())
      throw std::runtime_error("init_from '" + cfg.init_from + "': its config.json differs from the [model] table");
    load_weights(model, cfg.init_from);
    spdlog::info("continuing from {}", cfg.init_from);
  }
  spdlog::info("pretraining a {}-parameter model for {} iterations of {} sequences", cfg.model.parameter_count(),
               cfg.iterations, cfg.batch_size);
  torch::optim::AdamW opt(model->parameters(),
                          torch::optim::AdamWOptions(cfg.learning_rate).betas({0.9, 0.95}).weight_decay(cfg.weight_decay));

  const auto t0 = std::chrono::steady_clock::now();
  double loss_avg = 0;
  int64_t tokens = 0;
  for (int it = 1; it <= cfg.iterations; ++it) {
    if (stop && stop->load()) break;
    // Learning rate: linear warm-up, then cosine to the minimum.
    double lr = cfg.learning_rate;
    if (it <= cfg.warmup_steps) {
      lr = cfg.learning_rate * it / std::max(1, cfg.warmup_steps);
    } else {
      const double progress_frac = double(it - cfg.warmup_steps) / std::max(1, cfg.iterations - cfg.warmup_steps);
      lr = cfg.min_learning_rate + 0.5 * (cfg.learning_rate - cfg.min_learning_rate) * (1 + std::cos(M_PI * progress_frac));
    }
    for (auto& g : opt.param_groups()) static_cast<torch::optim::AdamWOptions&>(g.options()).lr(lr);

    std::vector<std::vector<int>> seqs;
    size_t longest = 0;
    for (int b = 0; b < cfg.batch_size; ++b) {
      seqs.push_back(tok.encode(corpus.next()));
      longest = std::max(longest, seqs.back().size());
    }
    auto ids = torch::full({cfg.batch_size, static_cast<int64_t>(longest)}, tok.pad_id(), torch::kLong);
    auto acc = ids.accessor<int64_t, 2>();
    for (int b = 0; b < cfg.batch_size; ++b)
      for (size_t i = 0; i < seqs[b].size(); ++i) acc[b][i] = seqs[b][i], ++tokens;

    model->train();
    auto logits = model->forward(ids.narrow(1, 0, longest - 1));
    auto targets = ids.narrow(1, 1, longest - 1);
    auto loss = torch::nn::functional::cross_entropy(
        logits.reshape({-1, logits.size(-1)}), targets.reshape({-1}),
        torch::nn::functional::CrossEntropyFuncOptions().ignore_index(tok.pad_id()));
    opt.zero_grad();
    loss.backward();
    torch::nn::utils::clip_grad_norm_(model->parameters(), 1.0);
    opt.step();

    loss_avg = it == 1 ? loss.item<double>() : 0.95 * loss_avg + 0.05 * loss.item<double>();
    if (it % report_every == 0 || it == cfg.iterations) {
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      progress({it, cfg.iterations, loss_avg, lr, secs, tokens / secs});
    }
  }

  std::filesystem::create_directories(out_dir);
  save_model(out_dir, model, tok, {{"pretrain_seed", std::to_string(cfg.seed)}});
  if (config_file != out_dir / "pretrain.toml") std::filesystem::copy_file(config_file, out_dir / "pretrain.toml", std::filesystem::copy_options::overwrite_existing);
  if (cfg.eval_samples > 0) {
    PromptFormat format;
    format.prompt_template = cfg.corpus.prompt_template;
    auto r = evaluate_model(model, tok, *task, format, cfg.eval_samples, 1.0, 200, cfg.seed + 1);
    spdlog::info("base model on {} fresh problems (temperature 1): accuracy {:.3f}, format {:.3f}, self-check share "
                 "{:.3f}, accuracy when self-checked {:.3f} vs direct {:.3f}, mean length {:.1f} tokens",
                 r.samples, r.accuracy, r.format_rate, r.check_share, r.accuracy_checked, r.accuracy_direct,
                 r.mean_length);
  }
}

}  // namespace aha
