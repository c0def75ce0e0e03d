// A Hugging Face model directory through our engine, for checks against transformers
// (tests/bench/gpu_check.py runs both on the same random checkpoint):
//   bench_hf_model logits DIR IDS.txt OUT.f32
//     IDS.txt: one row of token ids per line; shorter rows are left-padded and masked.
//     Writes the float32 logits [rows, longest, vocab] (native byte order).
//   bench_hf_model generate DIR BATCH PROMPT_LEN NEW_TOKENS fp32|bf16 [CPU_THREADS [STOP_ID]]
//     Times batched sampling (temperature 1, KV cache; no stop token unless STOP_ID, with
//     which rows finish at different steps and leave the batch) after a warm-up;
//     prints tokens/s, the median of 3 runs. bf16 = the trainer's bfloat16 sampling copy.
//     BENCH_PAD=1: prompts of different lengths, left-padded as in training.
//     BENCH_GRAPHS=0: decode without CUDA graphs. BENCH_UNFUSED=1: q/k/v and gate/up as
//     separate products. BENCH_RUNS=N: timed runs (default 3). BENCH_PROFILE=1: one more run,
//     synchronized around each phase, says where its time went.
//   bench_hf_model compare DIR BATCH PROMPT_LEN NEW_TOKENS fp32|bf16 STOP_ID
//     Greedy decoding with and without CUDA graphs: the tokens must be the same.
// Runs on CUDA when libtorch sees a GPU, else on the CPU.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/model/checkpoint.h"
#include "core/rl/sampler.h"

namespace {

using Clock = std::chrono::steady_clock;

torch::Device pick_device() { return torch::cuda::is_available() ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU); }

void synchronize(const torch::Device& d) {
  if (d.is_cuda()) torch::cuda::synchronize();
}

int logits(const std::string& dir, const std::string& ids_path, const std::string& out_path) {
  const auto device = pick_device();
  auto model = aha::load_model(dir, device).model;
  model->eval();
  std::ifstream in(ids_path);
  std::vector<std::vector<int64_t>> rows;
  for (std::string line; std::getline(in, line);) {
    std::istringstream ls(line);
    std::vector<int64_t> row;
    for (int64_t id; ls >> id;) row.push_back(id);
    if (!row.empty()) rows.push_back(std::move(row));
  }
  if (rows.empty()) {
    std::fprintf(stderr, "%s: no token ids\n", ids_path.c_str());
    return 1;
  }
  size_t T = 0;
  for (const auto& r : rows) T = std::max(T, r.size());
  const int64_t B = rows.size();
  auto ids = torch::zeros({B, int64_t(T)}, torch::kLong);
  auto mask = torch::zeros({B, int64_t(T)}, torch::kLong);
  bool padded = false;
  for (int64_t b = 0; b < B; ++b) {
    const size_t off = T - rows[b].size();
    padded |= off > 0;
    for (size_t i = 0; i < rows[b].size(); ++i) {
      ids[b][off + i] = rows[b][i];
      mask[b][off + i] = 1;
    }
  }
  torch::NoGradGuard ng;
  ids = ids.to(device);
  mask = mask.to(device);
  auto out = padded ? model->forward(ids, mask, aha::positions_from_mask(mask)) : model->forward(ids);
  out = out.to(torch::kFloat32).to(torch::kCPU).contiguous();
  std::ofstream(out_path, std::ios::binary).write(reinterpret_cast<const char*>(out.data_ptr<float>()), out.numel() * sizeof(float));
  std::printf("logits [%lld, %zu, %lld] on %s -> %s\n", static_cast<long long>(B), T, static_cast<long long>(out.size(2)),
              device.is_cuda() ? "CUDA" : "CPU", out_path.c_str());
  return 0;
}

bool env_is(const char* name, const char* value) {
  const char* v = std::getenv(name);
  return v && std::string(v) == value;
}

// The model as the trainer samples from it: float32 weights, or their bfloat16 copy; q/k/v
// and gate/up fused unless BENCH_UNFUSED=1.
aha::Transformer sampling_model(const std::string& dir, const std::string& precision) {
  const auto device = pick_device();
  auto model = aha::load_model(dir, device).model;
  model->to(torch::kFloat32);
  model->eval();
  const bool fuse = !env_is("BENCH_UNFUSED", "1");
  if (precision == "bf16") {
    aha::Transformer copy{nullptr};
    if (fuse) {
      aha::copy_weights(copy, model, torch::kBFloat16);
    } else {
      copy = aha::Transformer(model->config());
      copy->to(device, torch::kBFloat16);
      copy->eval();
      torch::NoGradGuard ng;
      for (size_t i = 0; i < model->parameters().size(); ++i) copy->parameters()[i].copy_(model->parameters()[i]);
    }
    return copy;
  }
  if (fuse) model->fuse_projections();
  return model;
}

std::vector<std::vector<int>> random_prompts(int64_t vocab, int batch, int prompt_len) {
  torch::manual_seed(0);
  auto prompt_ids = torch::randint(vocab / 10, vocab / 2, {batch, prompt_len}, torch::kLong);
  std::vector<std::vector<int>> prompts(batch);
  // BENCH_PAD=1: prompts of 8 different lengths, left-padded in the batch as the trainer's are.
  const bool padded = std::getenv("BENCH_PAD") != nullptr;
  for (int b = 0; b < batch; ++b)
    for (int i = padded ? b % 8 : 0; i < prompt_len; ++i)
      prompts[b].push_back(static_cast<int>(prompt_ids[b][i].item<int64_t>()));
  return prompts;
}

int compare(const std::string& dir, int batch, int prompt_len, int new_tokens, const std::string& precision,
            int stop_id) {
  auto model = sampling_model(dir, precision);
  const auto prompts = random_prompts(model->config().vocab_size, batch, prompt_len);
  aha::SamplingOptions opt;
  opt.temperature = 0.0;  // greedy: the same logits give the same tokens
  opt.max_new_tokens = new_tokens;
  opt.stop_ids = {stop_id};
  opt.cuda_graphs = false;
  const auto eager = aha::generate(model, prompts, opt);
  opt.cuda_graphs = true;
  const auto graphs = aha::generate(model, prompts, opt);
  int same = 0, first_diff = -1;
  int64_t min_len = new_tokens, max_len = 0;
  for (int b = 0; b < batch; ++b) {
    same += eager.completions[b] == graphs.completions[b];
    if (first_diff < 0 && eager.completions[b] != graphs.completions[b]) first_diff = b;
    min_len = std::min<int64_t>(min_len, eager.completions[b].size());
    max_len = std::max<int64_t>(max_len, eager.completions[b].size());
  }
  std::printf("compare %s: graphs vs eager, greedy, batch %d, completions of %lld..%lld tokens: %d/%d rows identical%s\n",
              precision.c_str(), batch, static_cast<long long>(min_len), static_cast<long long>(max_len), same, batch,
              first_diff < 0 ? "" : (", first different row " + std::to_string(first_diff)).c_str());
  return same == batch ? 0 : 1;
}

int generate(const std::string& dir, int batch, int prompt_len, int new_tokens, const std::string& precision,
             int stop_id) {
  const auto device = pick_device();
  auto model = sampling_model(dir, precision);
  const auto prompts = random_prompts(model->config().vocab_size, batch, prompt_len);
  const bool padded = std::getenv("BENCH_PAD") != nullptr;
  aha::SamplingOptions opt;
  opt.cuda_graphs = !env_is("BENCH_GRAPHS", "0");
  opt.temperature = 1.0;
  opt.max_new_tokens = new_tokens;
  if (stop_id >= 0) opt.stop_ids = {stop_id};
  aha::generate(model, prompts, opt);  // warm-up: kernels, allocator, handles, CUDA graphs
  std::vector<double> seconds;
  int64_t produced = 0, steps = 0;
  const int runs = std::max(1, std::getenv("BENCH_RUNS") ? std::atoi(std::getenv("BENCH_RUNS")) : 3);
  for (int run = 0; run < runs; ++run) {
    synchronize(device);
    const auto t = Clock::now();
    auto gen = aha::generate(model, prompts, opt);
    synchronize(device);
    seconds.push_back(std::chrono::duration<double>(Clock::now() - t).count());
    produced = 0;
    for (const auto& c : gen.completions) produced += c.size();
    steps = gen.decode_steps;
  }
  std::sort(seconds.begin(), seconds.end());
  const double median = seconds[seconds.size() / 2];
  std::printf("%lld decode steps; ", static_cast<long long>(steps));
  std::printf("generate %s on %s, %d CPU threads%s%s%s%s: batch %d, prompt %d, %d new tokens: %.0f tokens/s "
              "(median %.3f s, %lld tokens, %.3f ms/step)\n",
              precision.c_str(), device.is_cuda() ? "CUDA" : "CPU", torch::get_num_threads(), stop_id >= 0 ? ", stopping" : "",
              padded ? ", padded" : "", opt.cuda_graphs && device.is_cuda() ? ", graphs" : "",
              env_is("BENCH_UNFUSED", "1") ? ", unfused" : "", batch, prompt_len, new_tokens, produced / median, median,
              static_cast<long long>(produced), 1e3 * median / std::max<int64_t>(1, steps));
  if (env_is("BENCH_PROFILE", "1")) {  // one more run, synchronized around each phase
    aha::DecodeProfile profile;
    opt.profile = &profile;
    aha::generate(model, prompts, opt);
    std::printf("profile of the last run, ms per decode step: prefill %.3f, sampling %.3f, bookkeeping %.3f, "
                "decode step %.3f (graph captures %.3f)\n",
                1e3 * profile.prefill / steps, 1e3 * profile.sample / steps, 1e3 * profile.bookkeeping / steps,
                1e3 * profile.step / steps, 1e3 * profile.capture / steps);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string verb = argc > 1 ? argv[1] : "";
    if (verb == "logits" && argc == 5) return logits(argv[2], argv[3], argv[4]);
    if (verb == "generate" && argc >= 7 && argc <= 9) {
      if (argc >= 8) torch::set_num_threads(std::atoi(argv[7]));
      return generate(argv[2], std::atoi(argv[3]), std::atoi(argv[4]), std::atoi(argv[5]), argv[6],
                      argc == 9 ? std::atoi(argv[8]) : -1);
    }
    if (verb == "compare" && argc == 8)
      return compare(argv[2], std::atoi(argv[3]), std::atoi(argv[4]), std::atoi(argv[5]), argv[6], std::atoi(argv[7]));
    std::fprintf(stderr,
                 "usage: bench_hf_model logits DIR IDS.txt OUT.f32\n"
                 "       bench_hf_model compare DIR BATCH PROMPT_LEN NEW_TOKENS fp32|bf16 STOP_ID\n"
                 "       bench_hf_model generate DIR BATCH PROMPT_LEN NEW_TOKENS fp32|bf16 [CPU_THREADS [STOP_ID]]\n");
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_hf_model: %s\n", e.what());
    return 1;
  }
}
