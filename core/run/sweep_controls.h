#pragma once
// The controls form of a sweep or a run (Shao et al. 2025, "Spurious Rewards"): the same
// configs trained with each control reward in the place of accuracy, same seeds, so that
// the gain report (core/run/gain_report.h) can say how much of a gain a control also
// reaches. Torch-free.
#include <filesystem>
#include <string>
#include <vector>

#include "core/run/sweep.h"

namespace aha {

// The arms of the controls form: "truth" (the reward functions as configured), then one per
// control reward of core/tasks/rewards.h, named by it.
std::vector<std::string> control_arm_names();

// Each arm of `spec` (or its one arm) times the control arms: reward_funcs with "accuracy"
// replaced by the control (the truth arm unchanged), labels "<arm>-<control>" or "<control>",
// the name "<name>-controls", the same seeds and grid. The reward functions come from the
// arm's own reward_funcs, else [set]'s, else the base config's; a ConfigError names the sweep
// when they have no accuracy to stand in for.
SweepSpec with_controls(SweepSpec spec);

// A run config file as a one-arm sweep of itself (its seed, named after its run), ready for
// with_controls. A file with `base = ...` is a sweep file and is loaded as one.
SweepSpec sweep_of_file(const std::filesystem::path& file);

}  // namespace aha
