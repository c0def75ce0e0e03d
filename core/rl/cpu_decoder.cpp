#include "core/model/blas_threads.h"
#include "core/model/cpu_decode.h"
#include "core/rl/decoder.h"

namespace aha {
namespace {

class CpuDecoder : public Decoder {
 public:
  CpuDecoder(Transformer& model, DecodeState s)
      : s_(std::move(s)), active_(s_.mask.size(0)), step_(model, s_.cache) {
    s_.cache = KVCache();  // the step keeps its own copy, keys transposed
  }

  // As the eager decoder: a shrink copies the cache, so once a quarter of the rows is done.
  bool should_shrink(int64_t still) const override { return still <= active_ * 3 / 4; }

  int64_t shrink(const torch::Tensor& keep) override {
    step_.keep_rows(keep);
    s_.mask = s_.mask.index_select(0, keep);
    s_.next_positions = s_.next_positions.index_select(0, keep);
    active_ = keep.size(0);
    return active_;
  }

  torch::Tensor step(const torch::Tensor& tokens, int64_t length) override {
    s_.mask.select(1, length - 1).fill_(1);
    auto logits = step_.step(tokens, s_.mask, s_.next_positions);
    s_.next_positions.add_(1);
    return logits;
  }

 private:
  SingleThreadedBlas blas_;  // each thread's products on its own core, while decoding
  DecodeState s_;
  int64_t active_;
  CpuDecodeStep step_;
};

}  // namespace

std::unique_ptr<Decoder> make_cpu_decoder(Transformer& model, DecodeState state) {
  return std::make_unique<CpuDecoder>(model, std::move(state));
}

}  // namespace aha
