#pragma once
// How generate() advances a batch by one token after the prefill. The loop itself
// (sampling, stops, which rows are done) is generate()'s; a Decoder owns the KV cache, the
// attention mask and the positions, and decides how finished rows leave the batch.
#include <torch/torch.h>

#include <memory>

#include "core/model/transformer.h"

namespace aha {

class Decoder {
 public:
  virtual ~Decoder() = default;
  // Whether the batch should shrink now that `still` of its rows are generating.
  virtual bool should_shrink(int64_t still) const = 0;
  // Keeps the batch rows `keep` (long, CPU, in order); returns the batch's new row count,
  // which may exceed keep's (rows after keep's are padding whose output is ignored).
  virtual int64_t shrink(const torch::Tensor& keep) = 0;
  // Feeds `tokens` [batch] (CPU) at the cache's next position, after which the cache holds
  // `length` positions; returns the logits [batch, vocab] of the token after.
  virtual torch::Tensor step(const torch::Tensor& tokens, int64_t length) = 0;
  // Seconds this decoder spent capturing graphs so far.
  virtual double capture_seconds() const { return 0; }
};

// Inputs of a decoder: the prefilled cache, the attention mask over the cache's whole
// capacity [B, capacity] (1 = a real token), and each row's next position [B, 1].
struct DecodeState {
  KVCache cache;
  torch::Tensor mask, next_positions;
};

// Plain forward calls; rows leave once a quarter of the batch is done. Any device.
std::unique_ptr<Decoder> make_eager_decoder(Transformer& model, DecodeState state);

// CpuDecodeStep's loops over row blocks, one per thread (core/model/cpu_decode.h), with
// OpenBLAS kept to one thread per call while it lives; CpuDecodeStep::supports(model) must
// hold. Rows leave as with the eager decoder.
std::unique_ptr<Decoder> make_cpu_decoder(Transformer& model, DecodeState state);

// Whether `model` can decode by replaying CUDA graphs: on a CUDA device, with a libtorch
// built with CUDA graphs (core/rl/graph_decoder.cpp).
bool graph_decoding_available(Transformer& model);
// The KV cache capacity the graph decoder uses for `positions`: rounded up to its blocks,
// so that calls with prompts of slightly different lengths share its captured graphs.
int64_t graph_decoding_capacity(int64_t positions);
// Replays captured CUDA graphs (graph_decoding_available() must hold); it decodes eagerly
// on the same buffers if a capture fails. The graphs and their buffers stay with the model
// (TransformerImpl::decode_cache) for the next call with the same batch size and capacity.
std::unique_ptr<Decoder> make_graph_decoder(Transformer& model, DecodeState state);

}  // namespace aha
