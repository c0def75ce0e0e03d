#pragma once
// Display transforms of metric series (Qt-free, so they are shared with export).
#include <vector>

namespace aha::ui {

// TensorBoard's smoothing: an exponential moving average with the start-up bias
// divided out, so the first points are not pulled towards zero. weight in [0, 1).
std::vector<double> debiased_ema(const std::vector<double>& values, double weight);

// Okabe-Ito colour-blind-safe palette (black last), as #RRGGBB.
const char* palette_color(int index);

}  // namespace aha::ui
