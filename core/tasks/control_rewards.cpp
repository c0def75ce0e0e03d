#include "core/tasks/control_rewards.h"

#include <charconv>
#include <cmath>

namespace aha {
namespace {

uint64_t mix(uint64_t z) {  // SplitMix64's finaliser
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t text_hash(const std::string& s) {  // FNV-1a: stable across runs and builds
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

}  // namespace

uint64_t sample_key(uint64_t seed, int64_t step, int group, int index_in_group) {
  uint64_t k = mix(seed);
  for (int64_t part : {step, int64_t(group), int64_t(index_in_group)}) k = mix(k ^ uint64_t(part));
  return k;
}

double random_reward(uint64_t key, double p) {
  const double u = double(mix(key) >> 11) * 0x1.0p-53;  // uniform in [0, 1)
  return u < p ? 1.0 : 0.0;
}

std::optional<Problem> with_wrong_label(const Problem& p) {
  double value = 0;
  const char* end = p.reference.data() + p.reference.size();
  auto [stop, ec] = std::from_chars(p.reference.data(), end, value);
  if (ec != std::errc() || stop != end || !std::isfinite(value)) return std::nullopt;
  static constexpr int kMiss[] = {1, -1, 2, -2, 10, -10, 100, -100};
  int miss = kMiss[mix(text_hash(p.question)) % 8];
  if (value >= 0 && value + miss < 0) miss = -miss;  // a count stays a count
  Problem wrong = p;
  char text[32];
  wrong.reference.assign(text, std::to_chars(text, text + sizeof text, value + miss).ptr);  // "31", "13.5"
  if (p.target != 0) wrong.target = p.target + miss;  // Countdown judges against the target
  return wrong;
}

}  // namespace aha
