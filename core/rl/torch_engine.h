#pragma once
// The libtorch engine that the executables hand to TrainingJob (core/run/engine.h).
// Torch-free header.
#include "core/run/engine.h"

namespace aha {
Engine torch_engine();
}  // namespace aha
