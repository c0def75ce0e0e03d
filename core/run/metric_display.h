#pragma once
// The name a person reads for a stored metric and its unit: one table for the dashboard,
// the figures' axes and what the export dialog lists, so that a figure needs no hand edits
// ("completions/mean_length_incorrect" is "length of wrong answers", in tokens). Torch-free.
#include <string>
#include <string_view>

namespace aha {

struct MetricDisplay {
  std::string label;  // "length of wrong answers"
  std::string unit;   // "tokens"; "" for none
  std::string axis_label() const { return unit.empty() ? label : label + " (" + unit + ")"; }
};

// Known metrics from the table; a reward function's, a reflection behaviour's or outcome's
// by their pattern; anything else by its last path part with spaces for underscores.
MetricDisplay metric_display(std::string_view metric);

}  // namespace aha
