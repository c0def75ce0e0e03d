#pragma once
// Work split into one contiguous share per libtorch thread, for loops whose shares call
// single-threaded BLAS (core/model/blas_threads.h): one pool on the cores, not two.
#include <ATen/Parallel.h>

#include <cstdint>
#include <vector>

namespace aha {

class ThreadShares {
 public:
  // [0, n) in near-equal shares, one per thread (fewer when n is small).
  static ThreadShares even(int64_t n);
  // [0, cost.size()) in contiguous shares of near-equal total cost.
  static ThreadShares weighted(const std::vector<int64_t>& cost);

  int64_t count() const { return static_cast<int64_t>(bounds_.size()) - 1; }
  // fn(share, begin, end) for every share, each on its own thread.
  template <class Fn>
  void run(Fn&& fn) const {
    at::parallel_for(0, count(), 1, [&](int64_t a, int64_t b) {
      for (int64_t s = a; s < b; ++s) fn(s, bounds_[s], bounds_[s + 1]);
    });
  }

 private:
  std::vector<int64_t> bounds_{0};
};

inline ThreadShares ThreadShares::even(int64_t n) {
  ThreadShares s;
  const int64_t shares = std::max<int64_t>(1, std::min<int64_t>(at::get_num_threads(), n));
  for (int64_t i = 1; i <= shares; ++i) s.bounds_.push_back(n * i / shares);
  return s;
}

inline ThreadShares ThreadShares::weighted(const std::vector<int64_t>& cost) {
  ThreadShares s;
  const int64_t n = static_cast<int64_t>(cost.size());
  const int64_t shares = std::max<int64_t>(1, std::min<int64_t>(at::get_num_threads(), n));
  int64_t total = 0;
  for (int64_t c : cost) total += c;
  int64_t sum = 0, i = 0;
  for (int64_t k = 1; k < shares; ++k) {
    while (i < n && (sum + cost[i] / 2) * shares < total * k) sum += cost[i++];
    s.bounds_.push_back(i);
  }
  s.bounds_.push_back(n);
  return s;
}

}  // namespace aha
