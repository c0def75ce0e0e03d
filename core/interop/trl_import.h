#pragma once
// The metric history of a Hugging Face Trainer / TRL run: trainer_state.json's
// log_history (in OUTPUT_DIR, or its newest checkpoint-N/ while the job runs). TRL's
// GRPO metric names are ours, so they map one to one. Torch-free.
#include <filesystem>

#include "db/run_sink.h"

namespace aha {

// The trainer_state.json to read: OUTPUT_DIR's own, else the newest checkpoint's.
// Throws naming the directory when there is none.
std::filesystem::path trl_state_file(const std::filesystem::path& output_dir);

// One StepRecord (metrics only) per logged step, in step order. Entries without a step
// or with the end-of-training summary (train_runtime) are left out; non-numeric values
// are skipped. Throws naming the file on malformed JSON.
std::vector<StepRecord> read_trl_log_history(const std::filesystem::path& state_file);

}  // namespace aha
