// The policy update against the machine's matrix-product speed, measured side by side.
//   build/tests/bench/bench_model [threads] [rounds] [both|fast|libtorch]
// Prints the matmul rate (1024^3 fp32) and, alternating for `rounds` rounds, the update
// (forward with grad, backward, AdamW) of the built-in model's shape on two batches, by
// libtorch's autograd (under SerialTorchOps, as the trainer ran it) and by the packed pass
// (core/model/packed_pass.h):
//   uniform  128 rows x 96 tokens, no padding;
//   demo     64 rows as the demo's late steps: prompts of 12-16 tokens, completions of
//            40-224 (uniform), left and right padding as build_scored_batch lays them out.
// FLOPs are counted the same way for both paths: 6 x parameters x real tokens (the padding
// libtorch also multiplies is not counted as work). Decoding is bench_decode's.
#include <chrono>
#include <cstdio>
#include <string>

#include "core/model/blas_threads.h"
#include "core/model/packed_pass.h"
#include "core/model/transformer.h"
#include "core/rl/sampler.h"
#include "core/text/char_tokenizer.h"

using Clock = std::chrono::steady_clock;
static double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

namespace {

double matmul_rate() {
  auto a = torch::randn({1024, 1024}), b = torch::randn({1024, 1024});
  torch::matmul(a, b);
  const auto t = Clock::now();
  for (int i = 0; i < 20; ++i) torch::matmul(a, b);
  return 2.0 * 1024 * 1024 * 1024 * 20 / seconds_since(t);
}

aha::ScoredBatch demo_batch(bool padded) {
  std::vector<std::vector<int>> prompts, completions;
  for (int r = 0; r < (padded ? 64 : 128); ++r) {
    const int lp = padded ? 12 + r % 5 : 1, lc = padded ? 40 + static_cast<int>((r * 7919) % 185) : 95;
    std::vector<int> p(lp), c(lc);
    for (int i = 0; i < lp; ++i) p[i] = 10 + (r * 31 + i * 7) % 80;
    for (int i = 0; i < lc; ++i) c[i] = 10 + (r * 17 + i * 13) % 80;
    prompts.push_back(p);
    completions.push_back(c);
  }
  return aha::build_scored_batch(prompts, completions, 0);
}

// One update: the loss is a stand-in for GRPO's, a weighted sum of the completion tokens'
// log-probabilities (what the trainer's loss reduces to for its gradient).
double update(aha::Transformer& model, torch::optim::AdamW& opt, const aha::ScoredBatch& batch, bool fast) {
  const auto t = Clock::now();
  torch::Tensor logps;
  if (fast) {
    logps = aha::packed_completion_scores(model, batch.ids, batch.attention_mask, batch.prompt_length, false, false).logps;
  } else {
    const aha::SerialTorchOps serial;  // as the trainer runs libtorch's update on the CPU
    const int64_t Lp = batch.prompt_length, Lc = batch.completion_mask.size(1);
    const auto logits = model->forward(batch.ids, batch.attention_mask, aha::positions_from_mask(batch.attention_mask));
    const auto logp = torch::log_softmax(logits.narrow(1, Lp - 1, Lc), -1);
    logps = logp.gather(-1, batch.ids.narrow(1, Lp, Lc).unsqueeze(-1)).squeeze(-1);
  }
  const auto loss = -(logps * batch.completion_mask).sum() / batch.completion_mask.sum();
  opt.zero_grad();
  loss.backward();
  opt.step();
  return seconds_since(t);
}

}  // namespace

int main(int argc, char** argv) {
  torch::set_num_threads(argc > 1 ? std::atoi(argv[1]) : 2);
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 3;
  const std::string paths = argc > 3 ? argv[3] : "both";  // one path alone: for a profile
  aha::ModelConfig c;
  c.vocab_size = aha::CharTokenizer().vocab_size();
  c.hidden_size = 160;
  c.intermediate_size = 432;
  aha::Transformer model(c);
  model->init_weights(1);
  torch::optim::AdamW opt(model->parameters(), torch::optim::AdamWOptions(1e-3));
  const double params = c.parameter_count();
  std::printf("threads %d, %.2fM parameters\n", torch::get_num_threads(), params / 1e6);
  for (const bool padded : {false, true}) {
    const auto batch = demo_batch(padded);
    const double tokens = batch.attention_mask.sum().item<double>();
    const double flops = 6 * params * tokens;
    std::printf("%s batch: %lld rows x %lld columns, %.0f real tokens (%.0f%% padding)\n", padded ? "demo" : "uniform",
                static_cast<long long>(batch.ids.size(0)), static_cast<long long>(batch.ids.size(1)), tokens,
                100.0 * (1 - tokens / batch.ids.numel()));
    update(model, opt, batch, true), update(model, opt, batch, false);  // warm up
    for (int r = 0; r < rounds; ++r) {
      const double mm = matmul_rate();
      for (const bool fast : {false, true}) {
        if (paths != "both" && (paths == "fast") != fast) continue;
        const double s = update(model, opt, batch, fast);
        std::printf("  round %d  %-9s %.3f s  %6.1f GFLOP/s = %.3f of matmul (%.1f GFLOP/s)\n", r + 1,
                    fast ? "packed" : "libtorch", s, flops / s / 1e9, flops / s / mm, mm / 1e9);
      }
    }
  }
}
