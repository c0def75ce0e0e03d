#include <torch/torch.h>

#include <QTemporaryDir>
#include <nlohmann/json.hpp>

#include <cmath>
#include <random>
#include <tuple>

#include "core/text/char_tokenizer.h"
#include "core/model/checkpoint.h"
#include "core/model/safetensors.h"
#include "core/rl/sampler.h"
#include "core/model/blas_threads.h"
#include "core/model/cpu_decode.h"
#include "core/model/packed_pass.h"
#include "core/model/row_kernels.h"
#include "core/model/transformer.h"
#include "tests/core/core_tests.h"

using namespace aha;

namespace {
ModelConfig small_config(bool tied = true, bool bias = true) {
  ModelConfig c;
  c.vocab_size = CharTokenizer().vocab_size();
  c.hidden_size = 32;
  c.intermediate_size = 48;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 4;
  c.num_key_value_heads = 2;
  c.tie_word_embeddings = tied;
  c.qkv_bias = bias;
  return c;
}

Transformer make_model(uint64_t seed, bool tied = true, bool bias = true) {
  Transformer m(small_config(tied, bias));
  m->init_weights(seed);
  // Larger weights than the init so that differences would show.
  torch::NoGradGuard ng;
  for (auto& p : m->parameters()) p.add_(torch::randn_like(p) * 0.2);
  m->eval();
  return m;
}
}  // namespace

void TransformerTest::cachedLogitsMatchUncached() {
  auto model = make_model(1);
  torch::NoGradGuard ng;
  auto ids = torch::randint(3, 100, {3, 12}, torch::kLong);
  auto full = model->forward(ids);
  // Prefill 5 tokens, then one token at a time with the cache.
  auto cache = model->make_cache(3, 16);
  auto first = model->forward(ids.narrow(1, 0, 5), {}, {}, &cache);
  double worst = (first - full.narrow(1, 0, 5)).abs().max().item<double>();
  for (int t = 5; t < 12; ++t) {
    auto step = model->forward(ids.narrow(1, t, 1), {}, {}, &cache);
    worst = std::max(worst, (step.select(1, 0) - full.select(1, t)).abs().max().item<double>());
  }
  // Two tokens at once after the cache (the causal mask must be offset).
  auto cache2 = model->make_cache(3, 16);
  model->forward(ids.narrow(1, 0, 6), {}, {}, &cache2);
  auto two = model->forward(ids.narrow(1, 6, 2), {}, {}, &cache2);
  worst = std::max(worst, (two - full.narrow(1, 6, 2)).abs().max().item<double>());
  QVERIFY2(worst < 1e-5, qPrintable(QString("max abs difference %1").arg(worst)));
}

void TransformerTest::gradientCheckpointingKeepsGradients() {
  // The same loss with and without checkpointing gives the same gradients, with padding.
  auto model = make_model(4);
  auto ids = torch::randint(3, 100, {2, 9}, torch::kLong);
  auto mask = torch::ones({2, 9}, torch::kLong);
  mask[1].narrow(0, 0, 3).zero_();
  auto grads = [&](bool checkpointing) {
    model->set_gradient_checkpointing(checkpointing);
    model->zero_grad();
    auto logits = model->forward(ids, mask, positions_from_mask(mask));
    (logits.log_softmax(-1).select(-1, 7) * mask).sum().backward();
    std::vector<torch::Tensor> out;
    for (auto& p : model->parameters()) out.push_back(p.grad().clone());
    return out;
  };
  const auto plain = grads(false), recomputed = grads(true);
  model->set_gradient_checkpointing(false);
  QCOMPARE(plain.size(), recomputed.size());
  double worst = 0, norm = 0;
  for (size_t i = 0; i < plain.size(); ++i) {
    worst = std::max(worst, (plain[i] - recomputed[i]).abs().max().item<double>());
    norm = std::max(norm, plain[i].abs().max().item<double>());
  }
  QVERIFY2(norm > 1e-3, "the loss must reach every parameter");
  QVERIFY2(worst < 1e-5, qPrintable(QString("max abs gradient difference %1").arg(worst)));
}

void TransformerTest::leftPaddingDoesNotChangeLogits() {
  auto model = make_model(2);
  torch::NoGradGuard ng;
  auto ids = torch::randint(3, 100, {1, 7}, torch::kLong);
  auto alone = model->forward(ids);
  // The same row left-padded by 3 in a batch, with mask and positions.
  auto padded = torch::cat({torch::zeros({1, 3}, torch::kLong), ids}, 1);
  auto mask = torch::cat({torch::zeros({1, 3}, torch::kLong), torch::ones({1, 7}, torch::kLong)}, 1);
  auto out = model->forward(padded, mask, positions_from_mask(mask));
  const double diff = (out.narrow(1, 3, 7) - alone).abs().max().item<double>();
  QVERIFY2(diff < 1e-5, qPrintable(QString("max abs difference %1").arg(diff)));
}

void TransformerTest::groupedQueryAttentionShapes() {
  auto model = make_model(3, /*tied=*/false, /*bias=*/false);
  auto params = model->named_parameters();
  QVERIFY(params.contains("model.layers.0.self_attn.k_proj.weight"));
  QCOMPARE(params["model.layers.0.self_attn.k_proj.weight"].size(0), int64_t(2 * 8));  // kv heads x head dim
  QCOMPARE(params["model.layers.0.self_attn.q_proj.weight"].size(0), int64_t(32));
  QVERIFY(params.contains("lm_head.weight"));
  QVERIFY(!params.contains("model.layers.0.self_attn.q_proj.bias"));
  QCOMPARE(int64_t(model->parameters().size()), int64_t(params.size()));
  long long n = 0;
  for (auto& p : model->parameters()) n += p.numel();
  QCOMPARE(n, model->config().parameter_count());
}

void TransformerTest::safetensorsRoundTrip() {
  QTemporaryDir dir;
  const auto path = dir.filePath("t.safetensors").toStdString();
  auto a = torch::randn({3, 4});
  auto b = torch::arange(10, torch::kLong);
  auto c = torch::randn({5}).to(torch::kBFloat16);
  save_safetensors(path, {{"a", a}, {"b", b}, {"c", c}}, {{"note", "x"}});
  SafetensorsFile f(path);
  QCOMPARE(f.tensors().size(), size_t(3));
  QVERIFY(torch::equal(f.load("a"), a));
  QVERIFY(torch::equal(f.load("b"), b));
  QVERIFY(torch::equal(f.load("c"), c));
  QCOMPARE(QString::fromStdString(f.metadata().at("note")), QString("x"));
}

void TransformerTest::checkpointRoundTrip() {
  QTemporaryDir dir;
  auto model = make_model(4, false, true);
  CharTokenizer tok;
  save_model(dir.path().toStdString(), model, tok);
  auto loaded = load_model(dir.path().toStdString());
  torch::NoGradGuard ng;
  auto ids = torch::randint(3, 100, {2, 9}, torch::kLong);
  // Weights round-trip bit for bit; logits agree up to BLAS summation order.
  auto saved = model->named_parameters();
  for (auto& p : loaded.model->named_parameters()) QVERIFY(torch::equal(p.value(), saved[p.key()]));
  const double diff = (model->forward(ids) - loaded.model->forward(ids)).abs().max().item<double>();
  QVERIFY2(diff < 1e-5, qPrintable(QString("max abs difference %1").arg(diff)));
  QCOMPARE(loaded.tokenizer->vocab_size(), tok.vocab_size());
  QCOMPARE(loaded.model->config().tie_word_embeddings, false);
}

void TransformerTest::loadErrorsNameTensorAndFile() {
  QTemporaryDir dir;
  auto model = make_model(5);
  CharTokenizer tok;
  save_model(dir.path().toStdString(), model, tok);
  const auto file = dir.filePath("model.safetensors").toStdString();
  // Rewrite the weights with one tensor missing, then with one mis-shaped.
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  for (auto& p : model->named_parameters())
    if (p.key() != "model.norm.weight") tensors.emplace_back(p.key(), p.value());
  save_safetensors(file, tensors);
  try {
    load_model(dir.path().toStdString());
    QFAIL("a missing tensor must fail");
  } catch (const std::exception& e) {
    QVERIFY2(std::string(e.what()).find("model.norm.weight") != std::string::npos, e.what());
  }
  tensors.emplace_back("model.norm.weight", torch::ones({7}));
  save_safetensors(file, tensors);
  try {
    load_model(dir.path().toStdString());
    QFAIL("a mis-shaped tensor must fail");
  } catch (const std::exception& e) {
    const std::string msg = e.what();
    QVERIFY2(msg.find("model.norm.weight") != std::string::npos && msg.find(file) != std::string::npos, e.what());
  }
}

void TransformerTest::samplerStopsAndPads() {
  auto model = make_model(6);
  CharTokenizer tok;
  // Make one token overwhelmingly likely: sampling must stop on it.
  {
    torch::NoGradGuard ng;
    auto& w = model->model->embed_tokens->weight;
    w[*tok.token_id("</answer>")].fill_(3.0);
  }
  SamplingOptions so;
  so.max_new_tokens = 20;
  so.temperature = 1.0;
  so.stop_ids = {*tok.token_id("</answer>")};
  so.pad_id = tok.pad_id();
  torch::manual_seed(0);
  auto gen = generate(model, {tok.encode("12+3="), tok.encode("7+1234=")}, so);
  QCOMPARE(gen.completions.size(), size_t(2));
  for (size_t b = 0; b < 2; ++b) {
    const auto& c = gen.completions[b];
    QVERIFY(!c.empty() && int(c.size()) <= so.max_new_tokens);
    const bool stopped = c.back() == so.stop_ids[0];
    QCOMPARE(bool(gen.truncated[b]), !stopped);
    for (size_t i = 0; i + 1 < c.size(); ++i) QVERIFY(c[i] != so.stop_ids[0]);
  }
  // A greedy batch equals greedy rows generated alone (padding is invisible).
  so.temperature = 0.0;
  auto batch = generate(model, {tok.encode("12+3="), tok.encode("7+1234=")}, so);
  auto single = generate(model, {tok.encode("12+3=")}, so);
  QCOMPARE(batch.completions[0], single.completions[0]);
  // A text stop (for "</answer>" spread over several BPE tokens) ends each row on the
  // step its tail first matches, here the third token, and leaves the other rows going.
  so.stop_ids.clear();
  so.temperature = 1.0;
  so.stop_when = [](const std::vector<int>& tail) { return tail.size() >= 3; };
  auto by_text = generate(model, {tok.encode("12+3="), tok.encode("7+1234="), tok.encode("5+5=")}, so);
  for (size_t b = 0; b < 3; ++b) {
    QCOMPARE(by_text.completions[b].size(), size_t(3));
    QVERIFY(!by_text.truncated[b]);
  }
  // With the real decoder: the row stops right after the text appears.
  const auto stop = stop_at_text(tok, "5+");
  QVERIFY(stop(tok.encode("x=5+")));
  QVERIFY(!stop(tok.encode("x=5")));
  QVERIFY(!stop_at_text(tok, ""));
}

void TransformerTest::topPKeepsNucleusOnly() {
  auto logits = torch::log(torch::tensor({{0.5f, 0.3f, 0.15f, 0.05f}}));
  torch::manual_seed(1);
  std::set<int64_t> seen;
  for (int i = 0; i < 400; ++i) seen.insert(sample_tokens(logits, 1.0, 0.7).item<int64_t>());
  // The nucleus of 0.7 is {0, 1}: tokens ranked below never appear.
  QCOMPARE(seen, (std::set<int64_t>{0, 1}));
  QCOMPARE(sample_tokens(logits, 0.0, 1.0).item<int64_t>(), int64_t(0));
}

void TransformerTest::transformers5ConfigAndRopeScaling() {
  // transformers 5 writes "dtype" and "rope_parameters"; 4 wrote "torch_dtype", "rope_theta"
  // and "rope_scaling". Both must give the same model.
  auto base = small_config().to_json();
  base["hidden_size"] = 128;  // head_dim 32: frequencies on both sides of the llama3 band and in it
  base.erase("torch_dtype");
  base.erase("rope_theta");
  auto v5 = base;
  v5["dtype"] = "bfloat16";
  v5["rope_parameters"] = {{"rope_type", "llama3"}, {"rope_theta", 5e5}, {"factor", 8.0}, {"low_freq_factor", 1.0},
                           {"high_freq_factor", 4.0}, {"original_max_position_embeddings", 64}};
  auto v4 = base;
  v4["torch_dtype"] = "bfloat16";
  v4["rope_theta"] = 5e5;
  v4["rope_scaling"] = v5["rope_parameters"];
  v4["rope_scaling"].erase("rope_theta");
  const auto a = ModelConfig::from_json(v5, "v5"), b = ModelConfig::from_json(v4, "v4");
  QCOMPARE(a.torch_dtype, std::string("bfloat16"));
  QCOMPARE(a.rope_theta, 5e5);
  QCOMPARE(a.rope_type, std::string("llama3"));
  QCOMPARE(a.rope_inv_freq(), b.rope_inv_freq());

  // llama3: wavelengths under original/high_freq_factor (16 positions) keep their
  // frequency, those over original/low_freq_factor (64) are divided by factor, and the
  // band between falls monotonically from one to the other.
  auto plain = a;
  plain.rope_type = "default";
  const auto scaled = a.rope_inv_freq(), unscaled = plain.rope_inv_freq();
  bool kept = false, divided = false, banded = false;
  for (size_t i = 0; i < scaled.size(); ++i) {
    const double wavelen = 2 * M_PI / unscaled[i];
    if (wavelen < 16) {
      QCOMPARE(scaled[i], unscaled[i]);
      kept = true;
    }
    if (wavelen > 64) {
      QVERIFY(std::abs(scaled[i] - unscaled[i] / 8) < 1e-15);
      divided = true;
    }
    if (wavelen >= 16 && wavelen <= 64) {
      QVERIFY(scaled[i] < unscaled[i] && scaled[i] > unscaled[i] / 8);
      banded = true;
    }
    if (i) QVERIFY(scaled[i] < scaled[i - 1]);
  }
  QVERIFY(kept && divided && banded);
  // The scaled tables change the logits; a reload of the saved config keeps the scaling.
  QVERIFY(ModelConfig::from_json(a.to_json(), "saved").rope_inv_freq() == scaled);

  for (const auto& [key, value, expected] :
       {std::tuple<std::string, nlohmann::json, std::string>{"rope_parameters", {{"rope_type", "yarn"}}, "yarn"},
        {"hidden_act", "gelu", "gelu"},
        {"head_dim", 64, "head_dim"}}) {
    auto bad = base;
    bad[key] = value;
    try {
      ModelConfig::from_json(bad, "config.json");
      QFAIL(qPrintable(QString::fromStdString(key + " must be refused")));
    } catch (const std::runtime_error& e) {
      const std::string msg = e.what();
      QVERIFY2(msg.find("config.json") != std::string::npos && msg.find(expected) != std::string::npos, e.what());
    }
  }
}

void TransformerTest::bfloat16CopySamplesLikeThePolicy() {
  auto model = make_model(9);
  Transformer copy{nullptr};
  copy_weights(copy, model, torch::kBFloat16);
  QCOMPARE(copy->model->embed_tokens->weight.scalar_type(), torch::kBFloat16);
  QVERIFY(!copy->parameters()[0].requires_grad());
  torch::NoGradGuard ng;
  auto ids = torch::randint(3, 100, {2, 10}, torch::kLong);
  const auto full = model->forward(ids);
  const double gap = (copy->forward(ids).to(torch::kFloat32) - full).abs().max().item<double>();
  const double scale = full.abs().max().item<double>();
  QVERIFY2(gap < 0.05 * scale, qPrintable(QString("bf16 copy differs by %1 (logits up to %2)").arg(gap).arg(scale)));
  // A later copy follows the updated weights.
  for (auto& p : model->parameters()) p.mul_(0.5);
  copy_weights(copy, model, torch::kBFloat16);
  const double after = (copy->forward(ids).to(torch::kFloat32) - model->forward(ids)).abs().max().item<double>();
  QVERIFY2(after < 0.05 * scale, qPrintable(QString("after an update the copy differs by %1").arg(after)));
}

void TransformerTest::bfloat16RoundTripKeepsPositions() {
  // Weights that bfloat16 holds exactly: a trip to bfloat16 and back must give the same
  // model. (The rotary frequencies once lived in a buffer that the trip rounded, which
  // misplaced far positions of every bfloat16 checkpoint.)
  auto model = make_model(10);
  torch::NoGradGuard ng;
  for (auto& p : model->parameters()) p.copy_(p.to(torch::kBFloat16).to(torch::kFloat32));
  auto ids = torch::randint(3, 100, {2, 300}, torch::kLong);
  const auto before = model->forward(ids);
  Transformer trip(model->config());  // as load_model builds a bfloat16 checkpoint
  trip->to(torch::kBFloat16);
  trip->to(torch::kFloat32);
  for (size_t i = 0; i < model->parameters().size(); ++i) trip->parameters()[i].copy_(model->parameters()[i]);
  const double gap = (trip->forward(ids) - before).abs().max().item<double>();
  QVERIFY2(gap < 1e-5, qPrintable(QString("logits moved by %1 after a bfloat16 round trip").arg(gap)));
}

void TransformerTest::fusedProjectionsMatchSeparateOnes() {
  for (const bool bias : {true, false}) {
    auto separate = make_model(11, /*tied=*/true, bias);
    auto fused = make_model(11, /*tied=*/true, bias);
    fused->fuse_projections();
    auto ids = torch::randint(3, 100, {3, 12}, torch::kLong);
    auto mask = torch::ones({3, 12}, torch::kLong);
    mask.narrow(1, 0, 4).select(0, 1).fill_(0);  // a left-padded row
    const auto pos = positions_from_mask(mask);
    auto logits = [&](Transformer& m) {
      torch::NoGradGuard ng;
      return m->forward(ids, mask, pos);
    };
    const double gap = (logits(fused) - logits(separate)).abs().max().item<double>();
    QVERIFY2(gap < 1e-5, qPrintable(QString("fused logits differ by %1 (bias %2)").arg(gap).arg(bias)));
    // An update of a separate parameter (the optimizer's) is an update of the fused matrix.
    {
      torch::NoGradGuard ng;
      for (auto* m : {&fused, &separate}) {
        auto layer = (*m)->model->layers[0]->as<DecoderLayer>();
        layer->self_attn->k_proj->weight.mul_(1.5);
        layer->mlp->up_proj->weight.add_(0.1);
      }
    }
    const double after = (logits(fused) - logits(separate)).abs().max().item<double>();
    QVERIFY2(after < 1e-5, qPrintable(QString("after an update, fused logits differ by %1").arg(after)));
    // Training goes through the separate parameters, which receive gradients.
    fused->train();
    fused->forward(ids, mask, pos).sum().backward();
    auto layer = fused->model->layers[1]->as<DecoderLayer>();
    QVERIFY(layer->self_attn->v_proj->weight.grad().defined());
    QVERIFY(layer->mlp->gate_proj->weight.grad().abs().sum().item<double>() > 0);
    // A model moved after fusing no longer uses the stale fused matrices.
    fused->to(torch::kFloat64);
    separate->to(torch::kFloat64);
    const double moved = (logits(fused) - logits(separate)).abs().max().item<double>();
    QVERIFY2(moved < 1e-9, qPrintable(QString("a moved fused model differs by %1").arg(moved)));
  }
}

void TransformerTest::decodeAtADevicePositionMatchesAppending() {
  // The graph decoder's form of a decode step: the write position in a tensor, attention
  // over a whole block of the cache with the unwritten positions masked.
  auto model = make_model(12);
  model->fuse_projections();
  torch::NoGradGuard ng;
  const int64_t B = 2, P = 5, capacity = 16;
  auto ids = torch::randint(3, 100, {B, P + 4}, torch::kLong);
  auto mask = torch::zeros({B, capacity}, torch::kLong);
  mask.narrow(1, 0, P).fill_(1);
  KVCache appending = model->make_cache(B, capacity), blocked = model->make_cache(B, capacity);
  model->forward(ids.narrow(1, 0, P), mask.narrow(1, 0, P), {}, &appending);
  model->forward(ids.narrow(1, 0, P), mask.narrow(1, 0, P), {}, &blocked);
  auto write = torch::zeros({1}, torch::kLong);
  for (int64_t t = P; t < P + 4; ++t) {
    mask.select(1, t).fill_(1);
    auto pos = torch::full({B, 1}, t, torch::kLong);
    const auto want = model->forward(ids.narrow(1, t, 1), mask.narrow(1, 0, t + 1), pos, &appending);
    write.fill_(t);
    KVCache view{blocked.k, blocked.v, capacity - 1, write};
    const auto got = model->forward(ids.narrow(1, t, 1), mask, pos, &view);
    const double gap = (got - want).abs().max().item<double>();
    QVERIFY2(gap < 1e-5, qPrintable(QString("step %1: logits differ by %2").arg(t).arg(gap)));
  }
}

void TransformerTest::attentionKernelEqualsPlainSoftmax() {
  // kernels::attend against softmax(q.k * scale) . v in double, every shape its loops
  // split on: one query head or a pair (and a pair plus one), head sizes with and without
  // a 32-wide block and an 8-wide or single-float rest, positions short of, at and past a
  // block, odd and even; two positions skipped by the mask.
  constexpr int64_t block = kernels::kPositionBlock;
  std::mt19937 rng(5);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (const int64_t heads : {1, 2, 3})
    for (const int64_t dim : {8, 13, 40, 64, 72})
      for (const int64_t n : {1, 6, 32, 33, 70}) {
        const int64_t padded = (n + block - 1) / block * block;
        std::vector<float> q(heads * dim), keys(n * dim), values(n * dim), keys_t(padded * dim, 0.0f);
        for (auto* v : {&q, &keys, &values})
          for (float& x : *v) x = normal(rng);
        for (int64_t t = 0; t < n; ++t)  // [block][dim][32]
          for (int64_t d = 0; d < dim; ++d) keys_t[(t / block) * dim * block + d * block + t % block] = keys[t * dim + d];
        std::vector<float> blocked(n, 0.0f), kept(n, 1.0f);
        for (int64_t t : {int64_t{0}, n / 2})
          if (n > 2) blocked[t] = -1e30f, kept[t] = 0.0f;
        const float scale = 1.0f / std::sqrt(float(dim));
        std::vector<float> scores(heads * padded), out(heads * dim);
        kernels::attend(q.data(), heads, keys_t.data(), values.data(), blocked.data(), kept.data(), n, dim, scale,
                        scores.data(), out.data());
        double worst = 0;
        for (int64_t h = 0; h < heads; ++h) {
          std::vector<double> w(n);
          double top = -1e300, sum = 0;
          for (int64_t t = 0; t < n; ++t) {
            double dot = 0;
            for (int64_t d = 0; d < dim; ++d) dot += double(q[h * dim + d]) * keys[t * dim + d];
            w[t] = kept[t] ? dot * scale : -1e300;
            top = std::max(top, w[t]);
          }
          for (int64_t t = 0; t < n; ++t) sum += (w[t] = kept[t] ? std::exp(w[t] - top) : 0.0);
          for (int64_t d = 0; d < dim; ++d) {
            double want = 0;
            for (int64_t t = 0; t < n; ++t) want += w[t] / sum * values[t * dim + d];
            worst = std::max(worst, std::abs(want - out[h * dim + d]));
          }
        }
        QVERIFY2(worst < 2e-6, qPrintable(QString("heads %1, dim %2, n %3: off by %4").arg(heads).arg(dim).arg(n).arg(worst)));
      }
}

void TransformerTest::cpuDecodeStepEqualsTheReference() {
  // The CPU decode path against the libtorch forward, step by step: left-padded rows of
  // different lengths, rows leaving the batch, a cache crossing a block of positions, on
  // two threads. Two models: a small random one (head_dim 8, tied, q/k/v bias) and the
  // built-in one (head_dim 40: past one 32-wide block of the value loop; its trained
  // weights).
  const int threads = at::get_num_threads();
  at::set_num_threads(2);
  SingleThreadedBlas blas;
  torch::NoGradGuard ng;
  for (const bool small : {true, false}) {
    Transformer model = small ? make_model(7) : load_model(AHA_SOURCE_DIR "/resources/models/tiny-arithmetic", torch::kCPU).model;
    model->eval();
    model->fuse_projections();  // as the sampler's copy: the reference's products are then the fast path's
    const ModelConfig c = model->config();
    QVERIFY(CpuDecodeStep::supports(model));

    const std::vector<int64_t> lengths = {3, 7, 5, 7, 1};
    const int64_t B = 5, Lp = 7, capacity = Lp + 34;
    auto ids = torch::randint(10, 60, {B, Lp}, torch::kLong);
    auto mask = torch::zeros({B, capacity}, torch::kLong);
    for (int64_t b = 0; b < B; ++b) mask[b].narrow(0, Lp - lengths[b], lengths[b]).fill_(1);
    KVCache reference = model->make_cache(B, capacity);
    model->forward(ids, mask.narrow(1, 0, Lp), positions_from_mask(mask.narrow(1, 0, Lp)), &reference);
    CpuDecodeStep fast(model, reference);
    auto positions = mask.narrow(1, 0, Lp).sum(1, true);
    double worst = 0, scale = 1;  // the largest difference, and the largest logit
    for (int t = 0; t < 34; ++t) {
      if (t == 12) {  // rows 1 and 4 are done
        const auto keep = torch::tensor({0, 2, 3}, torch::kLong);
        for (auto& k : reference.k) k = k.index_select(0, keep);
        for (auto& v : reference.v) v = v.index_select(0, keep);
        fast.keep_rows(keep);
        mask = mask.index_select(0, keep);
        positions = positions.index_select(0, keep);
      }
      const int64_t rows = mask.size(0);
      const auto tokens = torch::randint(10, 60, {rows}, torch::kLong);
      mask.select(1, Lp + t).fill_(1);
      const auto expected =
          model->forward(tokens.unsqueeze(1), mask.narrow(1, 0, Lp + t + 1), positions, &reference).select(1, 0);
      const auto got = fast.step(tokens, mask, positions);
      QCOMPARE(got.sizes(), expected.sizes());
      worst = std::max(worst, (got - expected).abs().max().item<double>());
      scale = std::max(scale, expected.abs().max().item<double>());
      positions = positions + 1;
    }
    QCOMPARE(fast.length(), reference.length);
    // Within 1e-5 of the logits' scale: float rounding (the built-in model's logits reach
    // 18, where a float's step is 2e-6). Bit for bit is not to be had: libtorch's own
    // product of the same matrices changes by 3e-5 at values of 60 between one and two
    // OpenBLAS threads (docs/CPU.md).
    QVERIFY2(worst <= 1e-5 * scale,
             qPrintable(QString("head_dim %1: logits differ by %2 at a scale of %3").arg(c.head_dim()).arg(worst).arg(scale)));
  }

  // Its exp against the C library's, over the range softmax and SiLU give it.
  std::vector<float> x, y(4001);
  for (int i = 0; i <= 4000; ++i) x.push_back(-86.0f + 172.0f * i / 4000);
  kernels::exp_rows(x.data(), y.data(), static_cast<int64_t>(x.size()));
  double rel = 0;
  for (size_t i = 0; i < x.size(); ++i) rel = std::max(rel, std::abs(y[i] / std::exp(double(x[i])) - 1));
  QVERIFY2(rel < 3e-7, qPrintable(QString::number(rel)));

  // Whole generations: greedy completions equal token for token with either decoder.
  Transformer model = make_model(11);
  std::vector<std::vector<int>> prompts = {{12, 13, 14}, {20, 21}, {30, 31, 32, 33, 34}};
  SamplingOptions so;
  so.temperature = 0;
  so.max_new_tokens = 40;
  so.stop_ids = {15};
  const auto fast = generate(model, prompts, so);
  so.cpu_decode_step = false;
  const auto plain = generate(model, prompts, so);
  QCOMPARE(fast.completions, plain.completions);
  QCOMPARE(fast.truncated, plain.truncated);
  at::set_num_threads(threads);
}

void TransformerTest::packedPassEqualsAutograd() {
  // The packed pass against libtorch's autograd through TransformerImpl::forward: the
  // same log-probabilities and entropies of the completion tokens, and the same gradient of
  // a loss over both to every parameter, within 1e-4 of each gradient's scale. Rows of
  // different prompt and completion lengths (left and right padding, sequences past 32
  // positions), three models: small tied with q/k/v bias, small untied without, and the
  // built-in one with its trained weights.
  torch::manual_seed(5);
  const int threads = at::get_num_threads();
  at::set_num_threads(2);  // the pass splits every phase across the threads: two shares, for real
  for (int which = 0; which < 3; ++which) {
    Transformer model = which == 2 ? load_model(AHA_SOURCE_DIR "/resources/models/tiny-arithmetic", torch::kCPU).model
                                   : make_model(9, which == 0, which == 0);
    model->train();
    QVERIFY(packed_pass_supports(model));
    const std::vector<int64_t> prompts = {4, 9, 1, 6}, completions = {37, 5, 12, 0};
    const int64_t B = 4, Lp = 9, Lc = 37;
    auto ids = torch::randint(10, 60, {B, Lp + Lc}, torch::kLong);
    auto mask = torch::zeros({B, Lp + Lc}, torch::kLong);
    auto completion_mask = torch::zeros({B, Lc});
    for (int64_t b = 0; b < B; ++b) {
      mask[b].narrow(0, Lp - prompts[b], prompts[b]).fill_(1);
      mask[b].narrow(0, Lp, completions[b]).fill_(1);
      completion_mask[b].narrow(0, 0, completions[b]).fill_(1);
    }
    // d loss / d logp and d loss / d entropy: random per token, zero on padding.
    const auto weight_logp = torch::randn({B, Lc}) * completion_mask;
    const auto weight_entropy = torch::randn({B, Lc}) * completion_mask;
    const auto params = model->parameters();
    const auto grads_of = [&](const torch::Tensor& logps, const torch::Tensor& entropy) {
      for (auto p : params) p.mutable_grad() = torch::Tensor();
      ((logps * weight_logp).sum() + (entropy * weight_entropy).sum()).backward();
      std::vector<torch::Tensor> out;
      for (const auto& p : params) out.push_back(p.grad().clone());
      return out;
    };

    const auto logits = model->forward(ids, mask, positions_from_mask(mask)).narrow(1, Lp - 1, Lc);
    const auto logp_all = torch::log_softmax(logits, -1);
    const auto ref_logps = logp_all.gather(-1, ids.narrow(1, Lp, Lc).unsqueeze(-1)).squeeze(-1);
    const auto ref_entropy = -(logp_all.exp() * logp_all).sum(-1);
    const auto expected = grads_of(ref_logps, ref_entropy);

    const auto fast = packed_completion_scores(model, ids, mask, Lp, true, true);
    QCOMPARE(fast.logps.sizes(), ref_logps.sizes());
    const double logp_error = ((fast.logps - ref_logps) * completion_mask).abs().max().item<double>();
    const double entropy_error = ((fast.entropy - ref_entropy) * completion_mask).abs().max().item<double>();
    // Within 1e-5 of the logits' scale, as the decode step (float rounding; the products
    // are split differently across threads).
    const double scale = std::max(1.0, logits.abs().max().item<double>());
    QVERIFY2(logp_error <= 1e-5 * scale && entropy_error <= 1e-5 * scale,
             qPrintable(QString("model %1: log p off by %2, entropy by %3 at a scale of %4")
                            .arg(which).arg(logp_error).arg(entropy_error).arg(scale)));
    QCOMPARE(((fast.logps.abs() + fast.entropy.abs()) * (1 - completion_mask)).sum().item<double>(), 0.0);
    const auto got = grads_of(fast.logps, fast.entropy);
    const auto names = model->named_parameters();
    for (size_t i = 0; i < params.size(); ++i) {
      const double scale = expected[i].abs().max().item<double>();
      const double error = (got[i] - expected[i]).abs().max().item<double>();
      QVERIFY2(scale > 0 && error <= 1e-4 * scale,
               qPrintable(QString("model %1, %2: gradient off by %3 at a scale of %4")
                              .arg(which).arg(QString::fromStdString(names[i].key())).arg(error).arg(scale)));
    }

    // Without grad mode: the same scores, and nothing to differentiate.
    torch::NoGradGuard ng;
    const auto plain = packed_completion_scores(model, ids, mask, Lp, false, false);
    QVERIFY(!plain.entropy.defined() && !plain.logps.requires_grad());
    QVERIFY(torch::equal(plain.logps, fast.logps.detach()));
  }
  at::set_num_threads(threads);
}

void TransformerTest::packedPrefillEqualsTheReference() {
  // The packed prefill against libtorch's forward with a cache: left-padded prompts (one
  // past 32 positions, one of a single token), the same keys and values at every real
  // column, padding columns untouched, and the same last logits; then decoding goes on
  // from either cache alike.
  torch::NoGradGuard ng;
  const int threads = at::get_num_threads();
  at::set_num_threads(2);
  for (const bool builtin : {false, true}) {
    Transformer model = builtin ? load_model(AHA_SOURCE_DIR "/resources/models/tiny-arithmetic", torch::kCPU).model
                                : make_model(13);
    model->eval();
    const std::vector<int64_t> lengths = {5, 40, 1};
    const int64_t B = 3, L = 40, capacity = 48;
    const auto ids = torch::randint(10, 60, {B, L}, torch::kLong);
    auto mask = torch::zeros({B, L}, torch::kLong);
    for (int64_t b = 0; b < B; ++b) mask[b].narrow(0, L - lengths[b], lengths[b]).fill_(1);
    KVCache reference = model->make_cache(B, capacity);
    const auto expected = model->forward(ids, mask, positions_from_mask(mask), &reference).select(1, L - 1);
    KVCache packed = model->make_cache(B, capacity);
    const auto got = packed_prefill(model, ids, mask, packed);
    QCOMPARE(packed.length, reference.length);
    const double scale = std::max(1.0, expected.abs().max().item<double>());
    QVERIFY2((got - expected).abs().max().item<double>() <= 1e-5 * scale, "last logits differ");
    const auto real = mask.to(torch::kFloat32).view({B, 1, L, 1});
    for (size_t l = 0; l < reference.k.size(); ++l) {
      for (const auto& [a, b] : {std::pair{packed.k[l], reference.k[l]}, std::pair{packed.v[l], reference.v[l]}}) {
        const double kv_scale = b.abs().max().item<double>();
        QVERIFY2(((a.narrow(2, 0, L) - b.narrow(2, 0, L)) * real).abs().max().item<double>() <= 1e-5 * kv_scale,
                 qPrintable(QString("layer %1: keys or values differ").arg(l)));
        QCOMPARE(((a.narrow(2, 0, L)) * (1 - real)).abs().sum().item<double>(), 0.0);  // padding untouched (zeros)
      }
    }
  }
  at::set_num_threads(threads);
}
