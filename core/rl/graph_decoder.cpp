// Decoding on CUDA from captured graphs. A decode step of a model of this size is bound by
// the host issuing its kernels (about 20 per layer), not by the GPU: each step shape is
// captured once (at::cuda::CUDAGraph) and then replayed as one launch. Shapes are bucketed
// so that few graphs are needed: the batch shrinks only to powers of two as rows finish
// (rows beyond the kept ones are padding), and attention covers the cache in blocks of 64
// positions, the positions not yet written masked out. Each graph reads its inputs from
// buffers that belong to its batch bucket (tokens, positions, mask, the write position, the
// cache), which step() fills before a replay.
#include "core/rl/decoder.h"

#if defined(AHA_WITH_CUDA) && TORCH_VERSION_MAJOR >= 2
#define AHA_CUDA_GRAPHS 1
#include <ATen/cuda/CUDAEvent.h>
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <spdlog/spdlog.h>

#include <map>
#endif

namespace aha {

#ifndef AHA_CUDA_GRAPHS

bool graph_decoding_available(Transformer&) { return false; }
std::unique_ptr<Decoder> make_graph_decoder(Transformer& model, DecodeState state) {
  return make_eager_decoder(model, std::move(state));
}

#else

namespace {

constexpr int64_t kKeyBlock = 64;        // attention covers the cache in blocks of this many positions
constexpr int64_t kSmallestBucket = 16;  // below this, a smaller batch saves nothing

// The buffers one batch size decodes from; graphs captured for it read and write these.
struct Bucket {
  KVCache cache;
  torch::Tensor tokens, positions, mask;  // [B,1] [B,1] [B,capacity], on the device
  std::map<int64_t, std::unique_ptr<at::cuda::CUDAGraph>> graphs;  // by attended positions
  std::map<int64_t, torch::Tensor> logits;                          // each graph's output
};

class GraphDecoder : public Decoder {
 public:
  GraphDecoder(Transformer& model, DecodeState s) : model_(model) {
    const int64_t B = s.mask.size(0);
    capacity_ = s.mask.size(1);
    write_position_ = torch::zeros({1}, s.mask.options());
    // A graph keeps the addresses it was captured with: the rotary tables must not move.
    model_->reserve_positions(capacity_);
    auto& b = buckets_[B];
    b.cache = std::move(s.cache);
    b.mask = s.mask;
    b.positions = s.next_positions.contiguous();
    b.tokens = torch::zeros({B, 1}, s.mask.options());
    current_ = B;
  }

  bool should_shrink(int64_t still) const override { return bucket_for(still) < current_; }

  int64_t shrink(const torch::Tensor& keep) override {
    const int64_t to = bucket_for(keep.size(0));
    auto& from = buckets_.at(current_);
    // Padding rows repeat the first kept row (their output is ignored).
    auto rows = torch::cat({keep, keep.narrow(0, 0, 1).expand({to - keep.size(0)})}).to(from.mask.device());
    auto& b = buckets_[to];
    if (!b.mask.defined()) {
      b.cache = model_->make_cache(to, capacity_);
      b.mask = torch::empty({to, capacity_}, from.mask.options());
      b.positions = torch::empty({to, 1}, from.positions.options());
      b.tokens = torch::zeros({to, 1}, from.tokens.options());
    }
    for (size_t l = 0; l < b.cache.k.size(); ++l) {
      torch::index_select_out(b.cache.k[l], from.cache.k[l], 0, rows);
      torch::index_select_out(b.cache.v[l], from.cache.v[l], 0, rows);
    }
    torch::index_select_out(b.mask, from.mask, 0, rows);
    torch::index_select_out(b.positions, from.positions, 0, rows);
    current_ = to;
    return to;
  }

  torch::Tensor step(const torch::Tensor& tokens, int64_t length) override {
    auto& b = buckets_.at(current_);
    b.tokens.copy_(tokens.view({-1, 1}));
    b.mask.select(1, length - 1).fill_(1);
    write_position_.fill_(length - 1);
    const int64_t attended = std::min(capacity_, (length + kKeyBlock - 1) / kKeyBlock * kKeyBlock);
    torch::Tensor logits;
    if (!capture_failed_) {
      auto graph = b.graphs.find(attended);
      if (graph == b.graphs.end()) graph = capture(b, attended);
      if (graph != b.graphs.end()) {
        graph->second->replay();
        logits = b.logits.at(attended);
      }
    }
    if (!logits.defined()) logits = forward(b, attended);  // eager, on the same buffers
    b.positions.add_(1);
    return logits;
  }

 private:
  int64_t bucket_for(int64_t rows) const {
    int64_t b = buckets_.rbegin()->first;  // the first (largest) batch
    while (b / 2 >= rows && b / 2 >= kSmallestBucket) b /= 2;
    return b;
  }

  // One decode step over the first `attended` cache positions, from the bucket's buffers.
  torch::Tensor forward(Bucket& b, int64_t attended) {
    KVCache view{b.cache.k, b.cache.v, attended - 1, write_position_};
    return model_->forward(b.tokens, b.mask.narrow(1, 0, attended), b.positions, &view).select(1, 0);
  }

  std::map<int64_t, std::unique_ptr<at::cuda::CUDAGraph>>::iterator capture(Bucket& b, int64_t attended) {
    try {
      auto graph = std::make_unique<at::cuda::CUDAGraph>();
      const auto side = c10::cuda::getStreamFromPool();
      at::cuda::CUDAEvent ready;
      ready.record(c10::cuda::getCurrentCUDAStream());
      ready.block(side);
      torch::Tensor out;
      {
        const c10::cuda::CUDAStreamGuard on_side(side);
        // A warm-up on the capturing stream first (cuBLAS handles, kernel selection). It
        // writes this step's keys and values, which the replay writes again, identically.
        forward(b, attended);
        graph->capture_begin();
        out = forward(b, attended);
        graph->capture_end();
      }
      at::cuda::CUDAEvent done;
      done.record(side);
      done.block(c10::cuda::getCurrentCUDAStream());
      b.logits[attended] = out;
      return b.graphs.emplace(attended, std::move(graph)).first;
    } catch (const std::exception& e) {
      spdlog::warn("CUDA graph capture of the decode step failed; decoding without graphs: {}", e.what());
      capture_failed_ = true;
      return b.graphs.end();
    }
  }

  Transformer& model_;
  int64_t capacity_ = 0, current_ = 0;
  torch::Tensor write_position_;  // [1]: the position each step writes (graphs read it)
  std::map<int64_t, Bucket> buckets_;
  bool capture_failed_ = false;
};

}  // namespace

bool graph_decoding_available(Transformer& model) { return model->model->embed_tokens->weight.is_cuda(); }

std::unique_ptr<Decoder> make_graph_decoder(Transformer& model, DecodeState state) {
  return std::make_unique<GraphDecoder>(model, std::move(state));
}

#endif

}  // namespace aha
