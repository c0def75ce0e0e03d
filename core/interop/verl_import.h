#pragma once
// veRL's rollout dumps (trainer.rollout_data_dir): one "<step>.jsonl" per training step,
// each line {"input", "output", "score", "step", "gts"?, extra reward fields...}.
// Beside them, "metrics.jsonl" (veRL's file logger, VERL_FILE_LOGGER_PATH, as our launch
// script sets it): one {"step": N, "data": {...}} line per step, stored with that step.
// Import and follow both go through VerlIngest: steps after the run's last stored step,
// each in one transaction, so a restart neither repeats nor loses a step.
#include <filesystem>
#include <functional>
#include <map>
#include <set>

#include "core/interop/rollout_import.h"

namespace aha {

// Throws std::runtime_error saying what is wrong with the line. Numeric extra fields
// become per-function rewards; other fields are kept in `extra`.
RolloutSample parse_verl_line(const std::string& line, int64_t* step = nullptr);

struct VerlStepFile {
  int64_t step = 0;
  std::filesystem::path path;
};
// The "<step>.jsonl" files of `dir`, by step. Two names of one step ("1.jsonl" and
// "01.jsonl") keep the one veRL would write (no leading zero); the others go to `doubles`.
std::vector<VerlStepFile> list_verl_step_files(const std::filesystem::path& dir,
                                               std::vector<VerlStepFile>* doubles = nullptr);

// One line of veRL's metrics.jsonl as (step, metrics): every numeric value under its
// veRL name, and the ones the engine also measures under ours too (actor/entropy ->
// entropy, actor/grad_norm -> grad_norm, ...). Throws saying what is wrong with the line.
std::pair<int64_t, std::vector<std::pair<std::string, double>>> parse_verl_metrics_line(const std::string& line);

class VerlIngest {
 public:
  using Report = std::function<void(const std::string&)>;
  VerlIngest(std::filesystem::path dir, RunSink& sink, const RolloutStepBuilder& builder, Report report);

  // Stores every finished step file whose step the sink lacks, by step number whatever
  // order the files arrived in, and returns how many. A file is finished once its last
  // line ends with a newline (the newest: and it has not changed for `settle_seconds`, 0:
  // at once); an older file that stopped changing is read whatever it holds: its bad lines
  // are reported by file and line and skipped, and a file with no good line is reported
  // and skipped whole. Until then a file is left for the next call, never reported. With a metrics.jsonl beside the dumps, a step
  // also waits for its metrics line (veRL writes it after the dump) unless a later step's
  // file is there.
  int poll(double settle_seconds);
  // The newest step file after the sink's last step that poll() left: still being
  // written, or cut short. Empty when there is none.
  std::filesystem::path pending() const;

 private:
  StepRecord read_step(const VerlStepFile& file) const;  // parse, group, detect
  void read_new_metrics();                               // the lines metrics.jsonl gained
  std::filesystem::path dir_;
  RunSink& sink_;
  const RolloutStepBuilder& builder_;
  Report report_;
  std::set<int64_t> skipped_;  // steps with no good line: reported once
  std::set<std::filesystem::path> doubles_reported_;
  std::map<int64_t, std::vector<std::pair<std::string, double>>> metrics_;  // by step, not yet stored
  bool has_metrics_file_ = false;
  std::streamoff metrics_read_ = 0;  // bytes of metrics.jsonl read, up to its last whole line
  long metrics_lines_ = 0;
  static constexpr size_t kMetricsHeadBytes = 256;
  std::string metrics_head_;  // its first bytes as read: a file that starts otherwise was rewritten
};

}  // namespace aha
