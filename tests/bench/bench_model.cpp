// Model speed against the machine's matrix-product speed, measured side by side.
//   build/tests/bench/bench_model [threads]
// Prints: matmul GFLOP/s (1024^3 fp32) and the training forward+backward time for 128 x 96
// tokens, as a FLOP/s ratio. Decoding is bench_decode's: it times the path the sampler
// runs (the fast CPU step), which this bench's reference forward is not.
#include <chrono>
#include <cstdio>

#include "core/text/char_tokenizer.h"
#include "core/model/transformer.h"

using Clock = std::chrono::steady_clock;
static double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

int main(int argc, char** argv) {
  torch::set_num_threads(argc > 1 ? std::atoi(argv[1]) : 2);
  auto a = torch::randn({1024, 1024}), b = torch::randn({1024, 1024});
  torch::matmul(a, b);
  auto t = Clock::now();
  for (int i = 0; i < 20; ++i) torch::matmul(a, b);
  const double mm = 2.0 * 1024 * 1024 * 1024 * 20 / seconds_since(t);
  std::printf("threads %d, matmul %.1f GFLOP/s\n", torch::get_num_threads(), mm / 1e9);

  aha::ModelConfig c;
  c.vocab_size = aha::CharTokenizer().vocab_size();
  c.hidden_size = 160;
  c.intermediate_size = 432;
  aha::Transformer model(c);
  model->init_weights(1);
  const double params = c.parameter_count();
  const int B = 128;
  auto ids = torch::randint(10, 90, {B, 96}, torch::kLong);
  torch::optim::AdamW opt(model->parameters(), torch::optim::AdamWOptions(1e-3));
  t = Clock::now();
  for (int i = 0; i < 3; ++i) {
    auto logits = model->forward(ids);
    auto loss = logits.logsumexp(-1).mean();
    opt.zero_grad();
    loss.backward();
    opt.step();
  }
  const double train = seconds_since(t) / 3;
  const double flops = 6 * params * B * 96;
  std::printf("train step (%d x 96 tokens): %.3f s, %.1f GFLOP/s = %.3f of matmul\n", B, train, flops / train / 1e9,
              flops / train / mm);
}
