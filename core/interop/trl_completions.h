#pragma once
// TRL's completions (TRL >= 0.28 with log_completions = True): one Parquet file per logged
// step, OUTPUT_DIR/completions/completions_<step>.parquet, one row per completion with
// the columns step, prompt, completion, one per reward function, the log_extra columns
// and TRL's advantage. Torch-free.
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "core/interop/rollout_import.h"

namespace aha {

struct TrlCompletionFile {
  int64_t step = 0;
  std::filesystem::path path;
};
// The completions_<step>.parquet files under `output_dir`/completions, by step.
std::vector<TrlCompletionFile> list_trl_completion_files(const std::filesystem::path& output_dir);

// The rows of one file as samples, with TRL's advantages. `reward_weights` names the
// reward functions and their weights (the run config's); empty: every numeric column but
// step and advantage is one, weighted 1, as TRL weighs them by default. The score is the
// weighted sum (a null reward counts 0, as TRL's nansum); an "accuracy" column says
// whether the completion is right. Text columns and unnamed numbers are kept as extra
// data. Throws naming the file for one that cannot be read or lacks prompt/completion.
std::vector<RolloutSample> read_trl_completions(const std::filesystem::path& file,
                                                const std::vector<std::pair<std::string, double>>& reward_weights);

}  // namespace aha
