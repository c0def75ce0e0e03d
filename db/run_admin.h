#pragma once
// Stored runs renamed or deleted, whole: the rows, the search index and the checkpoint
// folders (<checkpoint_root>/<run name>/step-N, TrainingJob::default_checkpoint_root).
// The studio's runs panel and `aha runs rename|delete` use these. A run that a process is
// writing is refused, naming the process.
#include <cstdint>
#include <filesystem>
#include <string>

namespace aha::db {

// Renames the run and its checkpoint folder and stores `config_toml` (the run's config
// saying the new name: core/run/run_config.h's config_with_name), so that resuming it
// finds its checkpoints. Throws saying what is wrong; on failure nothing has changed.
void rename_run(const std::string& db_path, const std::string& name, const std::string& new_name,
                const std::string& config_toml, const std::filesystem::path& checkpoint_root);

struct DeletedRun {
  int64_t samples = 0;
  int checkpoints = 0;  // checkpoint folders removed
};
// Deletes the run with its samples, metrics, tags and notes on them, search entries and
// checkpoint folders.
DeletedRun delete_run(const std::string& db_path, const std::string& name, const std::filesystem::path& checkpoint_root);

}  // namespace aha::db
