#include "core/rl/sampler.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include "core/model/blas_threads.h"
#include "core/model/cpu_decode.h"
#include "core/model/packed_pass.h"
#include "core/rl/decoder.h"

namespace aha {

torch::Tensor sample_tokens(const torch::Tensor& logits_in, double temperature, double top_p) {
  auto logits = logits_in.to(torch::kFloat32);
  if (temperature <= 0.0) return logits.argmax(-1);
  auto probs = torch::softmax(logits / temperature, -1);
  if (top_p < 1.0) {
    auto [sorted, order] = probs.sort(-1, /*descending=*/true);
    auto before = sorted.cumsum(-1) - sorted;  // mass of the tokens ranked above
    sorted = sorted.masked_fill(before > top_p, 0.0);
    probs = torch::zeros_like(probs).scatter_(-1, order, sorted);
  }
  return torch::multinomial(probs, 1).squeeze(-1);
}

torch::Tensor sampled_token_stats(const torch::Tensor& logits, const torch::Tensor& tokens, double temperature) {
  auto logp = torch::log_softmax(logits.to(torch::kFloat32) / (temperature > 0 ? temperature : 1.0), -1);
  auto chosen = logp.gather(-1, tokens.unsqueeze(-1)).squeeze(-1);
  // A masked logit (-inf) has p = 0 and adds nothing: clamped so that 0 * log 0 is 0.
  auto entropy = -(logp.exp() * logp.clamp_min(-1e30)).sum(-1);
  return torch::stack({chosen, entropy});
}

std::function<bool(const std::vector<int>&)> stop_at_text(const Tokenizer& tok, std::string text) {
  if (text.empty()) return {};
  return [&tok, text = std::move(text)](const std::vector<int>& tail) {
    return tok.decode(tail).find(text) != std::string::npos;
  };
}

Generation generate(Transformer& model, const std::vector<std::vector<int>>& prompts, const SamplingOptions& opt) {
  torch::NoGradGuard no_grad;
  const int64_t B = static_cast<int64_t>(prompts.size());
  Generation out;
  out.completions.resize(B);
  out.truncated.assign(B, false);
  if (opt.token_stats) out.logprobs.resize(B), out.entropies.resize(B);
  if (B == 0) return out;
  const auto device = model->model->embed_tokens->weight.device();
  int64_t Lp = 0;
  for (const auto& p : prompts) Lp = std::max<int64_t>(Lp, p.size());
  const bool graphs = opt.cuda_graphs && graph_decoding_available(model);
  const int64_t capacity = graphs ? graph_decoding_capacity(Lp + opt.max_new_tokens) : Lp + opt.max_new_tokens;
  using Clock = std::chrono::steady_clock;
  auto now = [&] {  // with a profile, the device finishes each phase before it is timed
    if (opt.profile && device.is_cuda()) torch::cuda::synchronize();
    return Clock::now();
  };
  auto seconds = [](Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); };
  const auto t_prefill = now();

  auto ids = torch::full({B, Lp}, opt.pad_id, torch::kLong);
  auto mask = torch::zeros({B, capacity}, torch::kLong);
  for (int64_t b = 0; b < B; ++b) {
    const auto& p = prompts[b];
    const int64_t off = Lp - static_cast<int64_t>(p.size());
    auto acc = ids.accessor<int64_t, 2>();
    for (size_t i = 0; i < p.size(); ++i) acc[b][off + i] = p[i];
    mask.index_put_({b, torch::indexing::Slice(off, Lp)}, 1);
  }
  ids = ids.to(device);
  mask = mask.to(device);

  KVCache cache = model->make_cache(B, capacity);
  auto prefix_mask = mask.narrow(1, 0, Lp);
  torch::Tensor logits;
  const bool cpu_step = !graphs && opt.cpu_decode_step && CpuDecodeStep::supports(model);
  if (cpu_step && packed_pass_supports(model)) {
    // Packed: no work on the left padding, no libtorch operation per layer (judging a
    // step's reflections, 24 prompts of ~140 tokens, is mostly this prefill).
    logits = packed_prefill(model, ids, prefix_mask, cache);
  } else {
    // The prompts at once are products on large matrices: on the CPU, OpenBLAS's threads
    // do them and libtorch's operations stay serial (blas_threads.h); with both pools
    // busy the prefill of 128 prompts took 0.39 s against 0.23 s (docs/CPU.md).
    std::optional<SerialTorchOps> serial;
    if (device.is_cpu()) serial.emplace();
    logits = model->forward(ids, prefix_mask, positions_from_mask(prefix_mask), &cache).select(1, Lp - 1);
  }
  DecodeState state{std::move(cache), mask, prefix_mask.sum(1, /*keepdim=*/true)};  // next position: real tokens so far
  std::unique_ptr<Decoder> decoder = graphs     ? make_graph_decoder(model, std::move(state))
                                     : cpu_step ? make_cpu_decoder(model, std::move(state))
                                                : make_eager_decoder(model, std::move(state));
  DecodeProfile profile;
  auto t0 = now();
  profile.prefill = seconds(t_prefill, t0);

  // Finished rows leave the batch when the decoder says so. Per step, the only
  // device-to-host transfer is the sampled tokens; the bookkeeping stays on the host.
  std::vector<int64_t> rows(B);  // batch row -> original row (-1: padding of the decoder's)
  for (int64_t b = 0; b < B; ++b) rows[b] = b;
  auto tokens = torch::full({B, opt.max_new_tokens}, opt.pad_id, torch::kLong);  // per original row
  auto ta = tokens.accessor<int64_t, 2>();
  std::vector<int64_t> produced(B, 0);
  std::vector<bool> stopped(B, false);
  std::vector<int> tail;
  for (int t = 0; t < opt.max_new_tokens; ++t) {
    auto drawn = sample_tokens(logits, opt.temperature, opt.top_p);
    torch::Tensor stats;  // [2, batch] on the host
    if (opt.token_stats) stats = sampled_token_stats(logits, drawn, opt.temperature).to(torch::kCPU).contiguous();
    auto tok = drawn.to(torch::kCPU);
    const float* st = opt.token_stats ? stats.data_ptr<float>() : nullptr;  // logprobs, then entropies
    const auto t1 = now();
    profile.sample += seconds(t0, t1);
    auto tk = tok.accessor<int64_t, 1>();
    std::vector<int64_t> keep;  // batch rows still generating
    for (int64_t i = 0; i < tk.size(0); ++i) {
      const int64_t r = rows[i];
      if (r >= 0 && !stopped[r]) {  // a row finished earlier stays in the batch as padding
        ta[r][t] = tk[i];
        produced[r] = t + 1;
        if (st) {
          out.logprobs[r].push_back(st[i]);
          out.entropies[r].push_back(st[tk.size(0) + i]);
        }
        stopped[r] = std::find(opt.stop_ids.begin(), opt.stop_ids.end(), int(tk[i])) != opt.stop_ids.end();
        if (!stopped[r] && opt.stop_when) {
          tail.clear();
          for (int64_t k = std::max<int64_t>(0, t - 7); k <= t; ++k) tail.push_back(static_cast<int>(ta[r][k]));
          stopped[r] = opt.stop_when(tail);
        }
      }
      if (r < 0 || stopped[r]) tk[i] = opt.pad_id;  // fed as padding from now on
      else keep.push_back(i);
    }
    ++out.decode_steps;
    const int64_t still = static_cast<int64_t>(keep.size());
    if (still == 0 || t + 1 == opt.max_new_tokens) break;
    if (decoder->should_shrink(still)) {
      const int64_t rows_after = decoder->shrink(torch::tensor(keep, torch::kLong));
      std::vector<int64_t> kept_rows;
      for (int64_t i : keep) kept_rows.push_back(rows[i]);
      kept_rows.resize(rows_after, -1);
      keep.resize(rows_after, keep.front());  // padding rows are fed a kept row's token
      tok = tok.index_select(0, torch::tensor(keep, torch::kLong));
      rows = std::move(kept_rows);
    }
    const auto t2 = now();
    profile.bookkeeping += seconds(t1, t2);
    logits = decoder->step(tok, Lp + t + 1);  // positions in the cache after this token
    t0 = now();
    profile.step += seconds(t2, t0);
  }
  profile.capture = decoder->capture_seconds();
  if (opt.profile) *opt.profile = profile;

  for (int64_t b = 0; b < B; ++b) {
    for (int64_t t = 0; t < produced[b]; ++t) out.completions[b].push_back(static_cast<int>(ta[b][t]));
    out.truncated[b] = !stopped[b];
  }
  return out;
}

ScoredBatch build_scored_batch(const std::vector<std::vector<int>>& prompts,
                               const std::vector<std::vector<int>>& completions, int pad_id) {
  const int64_t B = static_cast<int64_t>(prompts.size());
  int64_t Lp = 0, Lc = 1;
  for (const auto& p : prompts) Lp = std::max<int64_t>(Lp, p.size());
  for (const auto& c : completions) Lc = std::max<int64_t>(Lc, c.size());
  ScoredBatch s;
  s.prompt_length = Lp;
  s.ids = torch::full({B, Lp + Lc}, pad_id, torch::kLong);
  s.attention_mask = torch::zeros({B, Lp + Lc}, torch::kLong);
  s.completion_mask = torch::zeros({B, Lc}, torch::kFloat32);
  auto ids = s.ids.accessor<int64_t, 2>();
  auto am = s.attention_mask.accessor<int64_t, 2>();
  auto cm = s.completion_mask.accessor<float, 2>();
  for (int64_t b = 0; b < B; ++b) {
    const int64_t off = Lp - static_cast<int64_t>(prompts[b].size());
    for (size_t i = 0; i < prompts[b].size(); ++i) ids[b][off + i] = prompts[b][i], am[b][off + i] = 1;
    for (size_t i = 0; i < completions[b].size(); ++i) ids[b][Lp + i] = completions[b][i], am[b][Lp + i] = 1, cm[b][i] = 1;
  }
  return s;
}

torch::Tensor completion_logprobs(Transformer& model, const ScoredBatch& batch, torch::Tensor* entropy,
                                  bool entropy_gradient) {
  const int64_t Lp = batch.prompt_length;
  if (packed_pass_supports(model)) {
    auto scores = packed_completion_scores(model, batch.ids, batch.attention_mask, Lp, entropy != nullptr, entropy_gradient);
    if (entropy) *entropy = scores.entropy;
    return scores.logps;
  }
  const auto device = model->model->embed_tokens->weight.device();
  auto ids = batch.ids.to(device);
  auto mask = batch.attention_mask.to(device);
  const int64_t Lc = batch.completion_mask.size(1);
  auto h = model->hidden(ids, mask, positions_from_mask(mask), nullptr);
  // The logits at position t predict token t+1: the completion is predicted from Lp-1 on.
  auto logits = model->lm_logits(h.narrow(1, Lp - 1, Lc)).to(torch::kFloat32);
  auto logp = torch::log_softmax(logits, -1);
  auto targets = ids.narrow(1, Lp, Lc);
  if (entropy) {
    std::optional<torch::NoGradGuard> ng;
    if (!entropy_gradient) ng.emplace();
    *entropy = -(logp.exp() * logp).sum(-1);
  }
  return logp.gather(-1, targets.unsqueeze(-1)).squeeze(-1);
}

}  // namespace aha
