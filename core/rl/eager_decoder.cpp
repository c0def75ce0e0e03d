#include "core/rl/decoder.h"

namespace aha {
namespace {

class EagerDecoder : public Decoder {
 public:
  EagerDecoder(Transformer& model, DecodeState s) : model_(model), s_(std::move(s)), active_(s_.mask.size(0)) {}

  // Decoding cost is per row and completions differ a lot in length, but each shrink
  // copies the cache: shrink once a quarter of the batch is done.
  bool should_shrink(int64_t still) const override { return still <= active_ * 3 / 4; }

  int64_t shrink(const torch::Tensor& keep) override {
    const auto idx = keep.to(s_.mask.device());
    for (auto& k : s_.cache.k) k = k.index_select(0, idx);
    for (auto& v : s_.cache.v) v = v.index_select(0, idx);
    s_.mask = s_.mask.index_select(0, idx);
    s_.next_positions = s_.next_positions.index_select(0, idx);
    active_ = keep.size(0);
    return active_;
  }

  torch::Tensor step(const torch::Tensor& tokens, int64_t length) override {
    s_.mask.select(1, length - 1).fill_(1);
    auto logits = model_->forward(tokens.to(s_.mask.device()).unsqueeze(1), s_.mask.narrow(1, 0, length),
                                  s_.next_positions, &s_.cache);
    s_.next_positions = s_.next_positions + 1;
    return logits.select(1, 0);
  }

 private:
  Transformer& model_;
  DecodeState s_;
  int64_t active_;
};

}  // namespace

std::unique_ptr<Decoder> make_eager_decoder(Transformer& model, DecodeState state) {
  return std::make_unique<EagerDecoder>(model, std::move(state));
}

}  // namespace aha
