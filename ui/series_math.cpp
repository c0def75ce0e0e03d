#include "ui/series_math.h"

#include <cmath>

namespace aha::ui {

std::vector<double> debiased_ema(const std::vector<double>& values, double weight) {
  std::vector<double> out;
  out.reserve(values.size());
  double last = 0;
  int count = 0;
  for (double v : values) {
    if (!std::isfinite(v)) {  // gaps stay gaps and do not poison the average
      out.push_back(v);
      continue;
    }
    last = last * weight + (1 - weight) * v;
    ++count;
    const double debias = weight == 0 ? 1.0 : 1.0 - std::pow(weight, count);
    out.push_back(last / debias);
  }
  return out;
}

const char* palette_color(int index) {
  static const char* kColors[] = {"#0072B2", "#E69F00", "#009E73", "#D55E00",
                                  "#CC79A7", "#56B4E9", "#F0E442", "#000000"};
  return kColors[((index % 8) + 8) % 8];
}

}  // namespace aha::ui
