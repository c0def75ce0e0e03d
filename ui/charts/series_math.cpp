#include "ui/charts/series_math.h"

#include <cmath>

namespace aha::ui {

std::vector<double> debiased_ema(const std::vector<double>& values, double weight) {
  std::vector<double> out;
  out.reserve(values.size());
  double last = 0;
  double weight_power = 1;  // weight^count, kept as a running product (pow() per point is slow)
  size_t i = 0;
  // While weight^count still changes 1 - weight^count, the debiasing divides...
  for (; i < values.size() && weight_power > 1e-17; ++i) {
    const double v = values[i];
    if (!std::isfinite(v)) {  // gaps stay gaps and do not poison the average
      out.push_back(v);
      continue;
    }
    last = last * weight + (1 - weight) * v;
    weight_power *= weight;
    out.push_back(last / (1.0 - weight_power));
  }
  // ...then it is exactly 1: no division, and no product sinking into slow denormals.
  for (; i < values.size(); ++i) {
    const double v = values[i];
    if (!std::isfinite(v)) {
      out.push_back(v);
      continue;
    }
    last = last * weight + (1 - weight) * v;
    out.push_back(last);
  }
  return out;
}

std::vector<size_t> minmax_decimation(const std::vector<double>& values, size_t buckets) {
  const size_t n = values.size();
  std::vector<size_t> keep;
  if (buckets == 0 || n <= 2 * buckets + 2) {
    for (size_t i = 0; i < n; ++i) keep.push_back(i);
    return keep;
  }
  keep.push_back(0);
  for (size_t b = 0; b < buckets; ++b) {
    const size_t lo = 1 + b * (n - 2) / buckets, hi = 1 + (b + 1) * (n - 2) / buckets;
    size_t mn = lo, mx = lo;
    for (size_t i = lo; i < hi; ++i) {
      if (values[i] < values[mn]) mn = i;
      if (values[i] > values[mx]) mx = i;
    }
    keep.push_back(std::min(mn, mx));
    if (mn != mx) keep.push_back(std::max(mn, mx));
  }
  keep.push_back(n - 1);
  return keep;
}

std::vector<size_t> stride_decimation(size_t n, size_t points) {
  std::vector<size_t> keep;
  if (n <= points || points < 2) {
    for (size_t i = 0; i < n; ++i) keep.push_back(i);
    return keep;
  }
  for (size_t k = 0; k < points; ++k) keep.push_back(k * (n - 1) / (points - 1));
  return keep;
}

const char* palette_color(int index) {
  static const char* kColors[] = {"#0072B2", "#E69F00", "#009E73", "#D55E00",
                                  "#CC79A7", "#56B4E9", "#F0E442", "#000000"};
  return kColors[((index % 8) + 8) % 8];
}

}  // namespace aha::ui
