#pragma once
// Display transforms of metric series (Qt-free, so they are shared with export).
#include <cstddef>
#include <vector>

namespace aha::ui {

// TensorBoard's smoothing: an exponential moving average with the start-up bias
// divided out, so the first points are not pulled towards zero. weight in [0, 1).
std::vector<double> debiased_ema(const std::vector<double>& values, double weight);

// Which points of a long series to draw: the first and last, and per bucket the lowest
// and highest (in order), so spikes survive while a 10,000-step series draws as about
// 2 x `buckets` points. Short series keep every point.
std::vector<size_t> minmax_decimation(const std::vector<double>& values, size_t buckets);

// `points` evenly spaced indices of a series of n (first and last included); all of them
// when n is smaller. For smoothed series, where a pixel column holds no spikes.
std::vector<size_t> stride_decimation(size_t n, size_t points);

// Okabe-Ito colour-blind-safe palette (black last), as #RRGGBB.
const char* palette_color(int index);

}  // namespace aha::ui
