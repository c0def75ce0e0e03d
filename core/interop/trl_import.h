#pragma once
// The metric history of a Hugging Face Trainer / TRL run: trainer_state.json's
// log_history (in OUTPUT_DIR, or its newest checkpoint-N/ while the job runs). TRL's
// GRPO metric names are mostly ours. Torch-free.
#include <filesystem>
#include <string>
#include <vector>

#include "db/run_sink.h"

namespace aha {

// The trainer_state.json to read: OUTPUT_DIR's own, else the newest checkpoint's.
// Throws naming the directory when there is none.
std::filesystem::path trl_state_file(const std::filesystem::path& output_dir);

// One StepRecord (metrics only) per logged step, in step order. Entries without a step
// or with the end-of-training summary (train_runtime) are left out; non-numeric values
// are skipped. NaN and Infinity (which Python writes) are read, left out of the metrics
// and described in `notes`. rewards/accuracy/mean and rewards/format/mean are also stored
// as accuracy and format_rate. Throws naming the file on malformed JSON.
std::vector<StepRecord> read_trl_log_history(const std::filesystem::path& state_file,
                                             std::vector<std::string>* notes = nullptr);

}  // namespace aha
