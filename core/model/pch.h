#pragma once
// Precompiled for every torch-heavy target: parsing torch/torch.h costs ~25 s a unit.
#include <torch/torch.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
