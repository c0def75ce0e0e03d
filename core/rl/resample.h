#pragma once
// "Resample from here": continuations of a stored completion from a point in its text,
// the text before the point kept or edited (a "wait" deleted or inserted), sampled from
// stored weights with the run's sampling settings (the request and its result are in
// core/run/continuations.h). Torch-free header.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/run/anchor_map.h"
#include "core/run/continuations.h"

namespace aha {

// Throws naming the file when the weights do not load; the prefix leaves at least one
// token of the run's completion length to sample, or it is refused.
ResampleResult resample_from(const ResampleRequest& request);

// The anchor map of a request, timed (seconds: loading and sampling); nullopt when
// `progress` (continuations done, the budget) returned false. Throws naming the file
// when the weights do not load.
std::optional<AnchorMap> anchor_map_from(const AnchorRequest& request, const std::function<bool(int, int)>& progress);

// Continuations of many prefixes of completions from weights loaded once (anchor maps,
// causal verdicts): each row is the prompt, then its prefix, then up to the run's
// completion length less the prefix's tokens. Draws follow torch's generator, seeded at
// construction.
class PrefixContinuer {
 public:
  PrefixContinuer(const RunConfig& run, const WeightsOnDisk& weights, uint64_t seed);
  ~PrefixContinuer();
  // One continuation per prefix of `prompt`'s completion, in order, in one batch; a
  // prefix with no room left gets an empty, truncated continuation.
  std::vector<AnchorContinuation> operator()(const std::string& prompt, const std::vector<std::string>& prefixes);
  AnchorSampler sampler(const std::string& prompt);  // the same for one prompt (valid while this lives)
  int tokens(const std::string& prefix);              // the prefix's length in tokens


 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace aha
