// Decoding on CUDA from captured graphs. A decode step of a model of this size is bound by
// the host issuing its kernels (about 20 per layer), not by the GPU: each step shape is
// captured once (at::cuda::CUDAGraph) and then replayed as one launch. Shapes are bucketed
// so that few graphs are needed: the batch shrinks only to powers of two as rows finish
// (rows beyond the kept ones are padding), and attention covers the cache in blocks of 64
// positions, the positions not yet written masked out. Each graph reads its inputs from
// buffers that belong to its batch bucket (tokens, positions, mask, the write position, the
// cache), which step() fills before a replay. Graphs and buffers stay with the model for the
// next call of the same batch size and capacity: a GRPO step decodes the same shapes each
// time, and capturing costs about two eager steps per graph.
#include "core/rl/decoder.h"

#if defined(AHA_WITH_CUDA) && TORCH_VERSION_MAJOR >= 2
#define AHA_CUDA_GRAPHS 1
#include <ATen/cuda/CUDAEvent.h>
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <map>
#endif

namespace aha {

#ifndef AHA_CUDA_GRAPHS

bool graph_decoding_available(Transformer&) { return false; }
int64_t graph_decoding_capacity(int64_t positions) { return positions; }
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

// What stays with the model between calls (TransformerImpl::decode_cache).
struct GraphCache {
  int64_t batch = 0, capacity = 0;  // of the calls it serves
  torch::Tensor write_position;     // [1]: the position each step writes (graphs read it)
  std::map<int64_t, Bucket> buckets;
  bool capture_failed = false;
};

class GraphDecoder : public Decoder {
 public:
  GraphDecoder(Transformer& model, DecodeState s) : model_(model) {
    const int64_t B = s.mask.size(0), capacity = s.mask.size(1);
    auto cache = std::static_pointer_cast<GraphCache>(model_->decode_cache);
    if (!cache || cache->batch != B || cache->capacity != capacity) {
      model_->decode_cache.reset();  // frees the old graphs and buffers first
      cache = std::make_shared<GraphCache>();
      cache->batch = B;
      cache->capacity = capacity;
      cache->write_position = torch::zeros({1}, s.mask.options());
      // A graph keeps the addresses it was captured with: the rotary tables must not move.
      model_->reserve_positions(capacity);
      model_->decode_cache = cache;
    }
    c_ = cache.get();
    auto& b = c_->buckets[B];
    if (!b.mask.defined()) {  // the prefill's buffers become the full batch's
      b.cache = std::move(s.cache);
      b.mask = s.mask;
      b.positions = s.next_positions.contiguous();
      b.tokens = torch::zeros({B, 1}, s.mask.options());
    } else {  // graphs read these buffers: the prefill's values are copied in
      for (size_t l = 0; l < b.cache.k.size(); ++l) {
        b.cache.k[l].copy_(s.cache.k[l]);
        b.cache.v[l].copy_(s.cache.v[l]);
      }
      b.mask.copy_(s.mask);
      b.positions.copy_(s.next_positions);
    }
    current_ = B;
  }

  double capture_seconds() const override { return capture_seconds_; }

  bool should_shrink(int64_t still) const override { return bucket_for(still) < current_; }

  int64_t shrink(const torch::Tensor& keep) override {
    const int64_t to = bucket_for(keep.size(0));
    auto& from = c_->buckets.at(current_);
    // Padding rows repeat the first kept row (their output is ignored).
    auto rows = torch::cat({keep, keep.narrow(0, 0, 1).expand({to - keep.size(0)})}).to(from.mask.device());
    auto& b = c_->buckets[to];
    if (!b.mask.defined()) {
      b.cache = model_->make_cache(to, c_->capacity);
      b.mask = torch::empty({to, c_->capacity}, from.mask.options());
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
    auto& b = c_->buckets.at(current_);
    b.tokens.copy_(tokens.view({-1, 1}));
    b.mask.select(1, length - 1).fill_(1);
    c_->write_position.fill_(length - 1);
    const int64_t attended = std::min(c_->capacity, graph_decoding_capacity(length));
    torch::Tensor logits;
    if (!c_->capture_failed) {
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
    int64_t b = c_->batch;
    while (b / 2 >= rows && b / 2 >= kSmallestBucket) b /= 2;
    return b;
  }

  // One decode step over the first `attended` cache positions, from the bucket's buffers.
  torch::Tensor forward(Bucket& b, int64_t attended) {
    KVCache view{b.cache.k, b.cache.v, attended - 1, c_->write_position};
    return model_->forward(b.tokens, b.mask.narrow(1, 0, attended), b.positions, &view).select(1, 0);
  }

  std::map<int64_t, std::unique_ptr<at::cuda::CUDAGraph>>::iterator capture(Bucket& b, int64_t attended) {
    const auto start = std::chrono::steady_clock::now();
    struct Timer {  // counts the capture's time however it ends
      std::chrono::steady_clock::time_point start;
      double& total;
      ~Timer() { total += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); }
    } timer{start, capture_seconds_};
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
      c_->capture_failed = true;
      return b.graphs.end();
    }
  }

  Transformer& model_;
  GraphCache* c_ = nullptr;  // owned by the model
  int64_t current_ = 0;
  double capture_seconds_ = 0;
};

}  // namespace

bool graph_decoding_available(Transformer& model) { return model->model->embed_tokens->weight.is_cuda(); }

int64_t graph_decoding_capacity(int64_t positions) { return (positions + kKeyBlock - 1) / kKeyBlock * kKeyBlock; }

std::unique_ptr<Decoder> make_graph_decoder(Transformer& model, DecodeState state) {
  return std::make_unique<GraphDecoder>(model, std::move(state));
}

#endif

}  // namespace aha
