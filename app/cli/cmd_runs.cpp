#include <algorithm>
#include <cstdio>
#include <filesystem>

#include <unistd.h>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "core/analysis/aha_onset.h"
#include "core/run/checkpoint_disk.h"
#include "core/run/job.h"
#include "core/run/run_config.h"
#include "core/support/output_file.h"
#include "db/run_admin.h"
#include "db/run_reader.h"
#include "db/schema.h"

namespace aha::cli {

namespace {

constexpr const char* kUsage =
    "usage: aha runs --db FILE                      the runs with status and progress\n"
    "       aha runs rename NAME NEW_NAME --db FILE   rename a run (its checkpoints and config too)\n"
    "       aha runs delete NAME --db FILE [--yes]    delete a run: samples, metrics, tags, notes,\n"
    "                                               search entries, checkpoints (asks first)\n"
    "       aha runs duplicate NAME --db FILE [--out F.toml]  the run's config under a new name,\n"
    "                                               to start a run like it (aha train --config)\n";

int rename(const Args& args) {
  args.allow_only({"db"});
  if (args.positional().size() != 3) throw UsageError("aha runs rename NAME NEW_NAME --db FILE");
  const std::string db = args.require("db"), name = args.positional()[1], new_name = args.positional()[2];
  const auto run = db::RunReader(db).require_run(name);
  db::rename_run(db, name, new_name, run.config_toml.empty() ? "" : config_with_name(run.config_toml, new_name),
                 TrainingJob::default_checkpoint_root(db));
  std::printf("renamed run '%s' to '%s'\n", args.positional()[1].c_str(), args.positional()[2].c_str());
  return 0;
}

int remove(const Args& args) {
  args.allow_only({"db", "yes"});
  if (args.positional().size() != 2) throw UsageError("aha runs delete NAME --db FILE [--yes]");
  const std::string name = args.positional()[1];
  db::RunReader(args.require("db"), db::Access::ReadOnly).require_run(name);  // a clear error before asking
  if (!args.has("yes")) {
    if (!::isatty(STDIN_FILENO))
      throw UsageError("deleting run '" + name + "' cannot be undone: add --yes to confirm");
    std::printf("delete run '%s' with its samples, tags, notes and checkpoints? This cannot be undone. [y/N] ",
                name.c_str());
    std::fflush(stdout);
    char answer[16] = {};
    if (!std::fgets(answer, sizeof answer, stdin) || (answer[0] != 'y' && answer[0] != 'Y')) {
      std::printf("nothing deleted\n");
      return 1;
    }
  }
  const auto gone = db::delete_run(args.require("db"), name, TrainingJob::default_checkpoint_root(args.require("db")));
  std::printf("deleted run '%s': %lld samples, %d checkpoint(s)\n", name.c_str(), static_cast<long long>(gone.samples),
              gone.checkpoints);
  return 0;
}

int duplicate(const Args& args) {
  args.allow_only({"db", "out"});
  if (args.positional().size() != 2) throw UsageError("aha runs duplicate NAME --db FILE [--out F.toml]");
  db::RunReader reader(args.require("db"), db::Access::ReadOnly);
  const auto run = reader.require_run(args.positional()[1]);
  if (run.config_toml.empty())
    throw std::runtime_error("run '" + run.name + "' has no stored config (imported without --config): nothing to copy");
  const std::string toml =
      config_with_name(run.config_toml, fresh_run_name(run.name, [&](const std::string& n) { return bool(reader.run_by_name(n)); }));
  if (!args.has("out")) {
    std::fputs(toml.c_str(), stdout);
    return 0;
  }
  write_output_file(args.get("out"), [&](std::ostream& out) { out << toml; });
  std::printf("wrote %s; start it with: aha train --config %s --db %s\n", args.get("out").c_str(), args.get("out").c_str(),
              args.require("db").c_str());
  return 0;
}

}  // namespace

namespace {
size_t utf8_width(const std::string& s) {  // characters, not bytes (names may be any UTF-8)
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}
}  // namespace

int cmd_runs(int argc, char** argv, int first) {
  Args args(argc, argv, first, {"help", "yes"});
  if (args.has("help")) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  const std::string verb = args.positional().empty() ? "" : args.positional()[0];
  if (verb == "rename") return rename(args);
  if (verb == "delete") return remove(args);
  if (verb == "duplicate") return duplicate(args);
  if (!verb.empty()) throw UsageError("'" + verb + "' is not a runs command (rename, delete, duplicate)\n" + kUsage);
  args.allow_only({"db", "help"});
  db::RunReader reader(args.require("db"), db::Access::ReadOnly);  // (checks the file for damage)
  // Columns as wide as their longest entry, so that a long run name shifts nothing.
  std::vector<std::vector<std::string>> rows = {
      {"id", "name", "status", "steps", "aha onset", "checkpoints", "task", "model"}};
  for (const auto& r : reader.runs()) {
    std::vector<std::string> folders;  // recorded: a moved or renamed run's too
    for (const auto& [step, path] : reader.checkpoints(r.id)) folders.push_back(path);
    std::vector<std::pair<int64_t, double>> rate;
    for (const auto& p : reader.metric_series(r.id, "aha_rate")) rate.emplace_back(p.step, p.value);
    const auto onset = aha_onset_step(rate);
    // Imported runs have no known total: their last step number instead. Steps count from
    // 1 everywhere (the N-th update, as veRL's and TRL's global_step).
    const std::string steps = r.total_steps > 0 ? std::to_string(std::max<int64_t>(r.last_step, 0)) + "/" + std::to_string(r.total_steps)
                                                : "step " + std::to_string(r.last_step);
    rows.push_back({std::to_string(r.id), r.name, r.status, steps, onset ? std::to_string(*onset) : "-",
                    checkpoint_disk_use(folders).describe(), r.task, r.model});
  }
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& row : rows)
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], utf8_width(row[c]));
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c)
      line += row[c] + (c + 1 < row.size() ? std::string(width[c] - utf8_width(row[c]) + 1, ' ') : "");
    std::printf("%s\n", line.c_str());
  }
  return 0;
}

}  // namespace aha::cli
