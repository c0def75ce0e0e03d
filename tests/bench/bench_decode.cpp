// CPU decoding of the built-in model's shape against the machine's matrix-product speed,
// measured side by side, alternating, in one run.
//   build/tests/bench/bench_decode [threads=2] [rounds=3] [only=all|reference|fast|generate|attention] [batch=128]
// Each round: matmul 1024^3 fp32 (GFLOP/s, median and best of 20); 64 decode steps of the
// batch (median and best) after a 16-token prefill through the reference forward
// (Transformer::forward with the KV cache) and through the fast CPU path
// (core/model/cpu_decode.h); the attention kernel alone on one thread, over a cache as a
// step of the bench reads it (48 positions, the mean of its steps), against the rate at
// which one core reads memory; then generate() of the batch (96 new tokens, temperature 1)
// with its profile. A step's FLOPs: 2 x parameters x batch. Ratios: median step against
// median matmul, and best against best (on a machine shared with other jobs, each side's
// fastest is the nearest to what the machine does alone).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "core/model/blas_threads.h"
#include "core/model/cpu_decode.h"
#include "core/model/row_kernels.h"
#include "core/model/transformer.h"
#include "core/rl/sampler.h"
#include "core/text/char_tokenizer.h"

using Clock = std::chrono::steady_clock;
static double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

namespace {

// Timings of repeated work: the median, and the fastest (on a machine shared with other
// jobs, the nearest to what it does alone; both sides of a ratio are read the same way).
struct Timing {
  double median = 0, best = 0;
};
Timing timing_of(std::vector<double> seconds) {
  std::sort(seconds.begin(), seconds.end());
  return {seconds[seconds.size() / 2], seconds.front()};
}

// FLOP/s of a 1024^3 fp32 product: median and best of 20.
Timing matmul_flops() {
  auto a = torch::randn({1024, 1024}), b = torch::randn({1024, 1024});
  torch::matmul(a, b);
  std::vector<double> rates;
  for (int i = 0; i < 20; ++i) {
    const auto t = Clock::now();
    torch::matmul(a, b);
    rates.push_back(-2.0 * 1024 * 1024 * 1024 / seconds_since(t));  // negated: timing_of sorts ascending
  }
  const auto r = timing_of(rates);
  return {-r.median, -r.best};
}

// Seconds per decode step of batch B through `forward(tokens, length)`: median and best of `steps`.
template <class Step>
Timing decode_seconds(aha::Transformer& model, Step step, int B, int steps) {
  auto cache = model->make_cache(B, 256);
  auto prompt = torch::randint(10, 90, {B, 16}, torch::kLong);
  model->forward(prompt, {}, {}, &cache);
  std::vector<double> seconds;
  for (int i = 0; i < steps; ++i) {
    const auto tokens = torch::randint(10, 90, {B}, torch::kLong);
    const auto t = Clock::now();
    step(cache, tokens, 17 + i);
    seconds.push_back(seconds_since(t));
  }
  return timing_of(seconds);
}

// Bytes per second at which one thread reads memory: the sum of a 256 MB array, best of 3.
double stream_read_rate() {
  std::vector<float> a(64 << 20, 1.0f);
  double best = 0;
  for (int k = 0; k < 3; ++k) {
    const auto t = Clock::now();
    float lanes[8] = {};  // eight partial sums: a loop the compiler vectorizes
    for (size_t i = 0; i < a.size(); i += 8)
      for (int j = 0; j < 8; ++j) lanes[j] += a[i + j];
    const double s = seconds_since(t);
    if (lanes[0] != static_cast<float>(a.size() / 8)) std::printf("(sum off: %g)\n", lanes[0]);  // keeps the loop
    best = std::max(best, a.size() * sizeof(float) / s);
  }
  return best;
}

// kernels::attend over every layer of B rows' caches of n positions, one thread, laid out as
// the fast path keeps them (capacity 256 per row and head, rows apart in memory): seconds
// per step (median and best of 10), and the cache bytes a step reads.
Timing attention_seconds(const aha::ModelConfig& c, int B, int n, double* bytes) {
  const int64_t hd = c.head_dim(), kv = c.num_key_value_heads, rep = c.num_attention_heads / kv, per_head = 256 * hd;
  std::vector<torch::Tensor> keys, values;
  for (int l = 0; l < c.num_hidden_layers; ++l) {
    keys.push_back(torch::randn({B * kv * per_head}));
    values.push_back(torch::randn({B * kv * per_head}));
  }
  auto q = torch::randn({rep * hd}), scores = torch::empty({rep * 256}), out = torch::empty({rep * hd});
  auto blocked = torch::zeros({256}), kept = torch::ones({256});
  const float scale = 1.0f / std::sqrt(float(hd));
  std::vector<double> seconds;
  for (int i = 0; i < 10; ++i) {
    const auto t = Clock::now();
    for (int l = 0; l < c.num_hidden_layers; ++l)
      for (int64_t h = 0; h < B * kv; ++h)
        aha::kernels::attend(q.data_ptr<float>(), rep, keys[l].data_ptr<float>() + h * per_head,
                             values[l].data_ptr<float>() + h * per_head, blocked.data_ptr<float>(),
                             kept.data_ptr<float>(), n, hd, scale, scores.data_ptr<float>(), out.data_ptr<float>());
    seconds.push_back(seconds_since(t));
  }
  *bytes = 2.0 * c.num_hidden_layers * B * kv * n * hd * sizeof(float);
  return timing_of(seconds);
}

}  // namespace

int main(int argc, char** argv) {
  torch::set_num_threads(argc > 1 ? std::atoi(argv[1]) : 2);
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 3;
  const std::string only = argc > 3 ? argv[3] : "all";
  const int B = argc > 4 ? std::atoi(argv[4]) : 128;
  torch::NoGradGuard no_grad;
  aha::ModelConfig c;
  c.vocab_size = aha::CharTokenizer().vocab_size();
  c.hidden_size = 160;
  c.intermediate_size = 432;
  aha::Transformer model(c);
  model->init_weights(1);
  model->eval();
  model->fuse_projections();  // as the sampler's copy
  const double step_flops = 2.0 * c.parameter_count() * B;
  std::printf("threads %d; model %.2fM parameters; a batch-%d decode step is %.1f MFLOP\n", torch::get_num_threads(),
              c.parameter_count() / 1e6, B, step_flops / 1e6);

  for (int r = 0; r < rounds; ++r) {
    const Timing mm = matmul_flops();
    std::printf("round %d: matmul %.1f GFLOP/s (best %.1f)\n", r + 1, mm.median / 1e9, mm.best / 1e9);
    auto report = [&](const char* name, const Timing& s) {
      std::printf("  %s %6.2f ms = %.3f of matmul (best %.2f ms = %.3f of the best matmul)\n", name, s.median * 1e3,
                  step_flops / s.median / mm.median, s.best * 1e3, step_flops / s.best / mm.best);
    };
    if (only == "all" || only == "reference") {
      auto mask = torch::ones({B, 256}, torch::kLong);
      auto pos = torch::full({B, 1}, 16, torch::kLong);
      report("reference decode step:", decode_seconds(
                                             model,
                                             [&](aha::KVCache& cache, const torch::Tensor& tok, int64_t length) {
                                               model->forward(tok.unsqueeze(1), mask.narrow(1, 0, length),
                                                              pos + (length - 17), &cache);
                                             },
                                             B, 64));
    }
    if (only == "all" || only == "fast") {
      aha::SingleThreadedBlas blas;  // as the CPU decoder holds it
      auto mask = torch::ones({B, 256}, torch::kLong);
      auto pos = torch::full({B}, 16, torch::kLong);
      std::unique_ptr<aha::CpuDecodeStep> fast;
      // (The first step also makes the fast path's copy of the cache: median and best leave it out.)
      report("fast decode step:     ", decode_seconds(
                                             model,
                                             [&](aha::KVCache& cache, const torch::Tensor& tok, int64_t length) {
                                               if (!fast) fast = std::make_unique<aha::CpuDecodeStep>(model, cache);
                                               fast->step(tok, mask, pos + (length - 17));
                                             },
                                             B, 64));
    }
    if (only == "all" || only == "attention") {
      double bytes = 0;
      const Timing a = attention_seconds(c, B, 48, &bytes);
      const double memory = stream_read_rate();
      std::printf("  attention alone, 1 thread: %.2f ms (best %.2f) reading %.1f MB of cache = %.1f GB/s (best %.1f); "
                  "one core reads memory at %.1f GB/s\n",
                  a.median * 1e3, a.best * 1e3, bytes / 1e6, bytes / a.median / 1e9, bytes / a.best / 1e9, memory / 1e9);
    }
    if (only == "all" || only == "generate") {
      std::vector<std::vector<int>> prompts(B);
      for (int b = 0; b < B; ++b)
        for (int i = 0; i < 14 + b % 5; ++i) prompts[b].push_back(10 + (b * 7 + i * 3) % 80);
      aha::SamplingOptions so;
      so.max_new_tokens = 96;
      so.token_stats = true;
      aha::DecodeProfile profile;
      so.profile = &profile;
      torch::manual_seed(r);
      const auto t = Clock::now();
      const auto g = aha::generate(model, prompts, so);
      const double total = seconds_since(t);
      std::printf("  generate %d x 96: %.3f s in %ld steps (prefill %.3f, sample %.3f, bookkeeping %.3f, step %.3f)\n",
                  B, total, g.decode_steps, profile.prefill, profile.sample, profile.bookkeeping, profile.step);
    }
  }
}
