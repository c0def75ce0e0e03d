#include "db/run_admin.h"

#include <stdexcept>
#include <vector>

#include "db/run_lock.h"
#include "db/run_reader.h"
#include "db/run_sink.h"
#include "db/stored_path.h"
#include "db/tag_store.h"

namespace aha::db {

namespace fs = std::filesystem;

void rename_run(const std::string& db_path, const std::string& name, const std::string& new_name,
                const std::string& config_toml, const fs::path& checkpoint_root) {
  if (const auto why = run_name_problem(new_name); !why.empty())
    throw std::invalid_argument("cannot rename run '" + name + "': " + why);
  const auto run = RunReader(db_path).require_run(name);
  if (new_name == name) return;
  const RunLock lock(db_path, run.id, run.name);  // no writer meanwhile
  const fs::path old_dir = checkpoint_root / name, new_dir = checkpoint_root / new_name;
  if (fs::exists(new_dir))
    throw std::runtime_error("cannot rename run '" + name + "': the checkpoint folder '" + new_dir.string() +
                             "' exists already; move it away first");
  TagStore(db_path).rename_run(run.id, new_name, config_toml, old_dir.string(), new_dir.string());
  std::error_code ec;
  if (fs::exists(old_dir)) fs::rename(old_dir, new_dir, ec);
  if (ec) {  // the rows name the new folder: put the old name back, so that both agree
    TagStore(db_path).rename_run(run.id, name, run.config_toml, new_dir.string(), old_dir.string());
    throw std::runtime_error("cannot rename run '" + name + "': moving '" + old_dir.string() + "' failed: " +
                             ec.message());
  }
}

DeletedRun delete_run(const std::string& db_path, const std::string& name, const fs::path& checkpoint_root) {
  DeletedRun out;
  RunReader reader(db_path);
  const auto run = reader.require_run(name);
  const RunLock lock(db_path, run.id, run.name);
  out.samples = reader.connection().scalar_int("SELECT count(*) FROM samples WHERE run_id = " + std::to_string(run.id));
  // Only the run's own step folders: a path read back from an older or edited row that
  // points anywhere else is left alone.
  const fs::path own = checkpoint_root / name;
  const bool own_is_a_run_folder = run_name_problem(name).empty();
  std::vector<fs::path> folders;
  for (const auto& [step, path] : reader.checkpoints(run.id)) {
    const fs::path p(path);
    if (own_is_a_run_folder && path_inside(p, own) && p.filename().string().rfind("step-", 0) == 0) folders.push_back(p);
  }
  TagStore(db_path).delete_run(run.id);
  std::error_code ec;
  for (const auto& f : folders) out.checkpoints += fs::remove_all(f, ec) > 0;
  if (own_is_a_run_folder) fs::remove_all(own, ec);  // what the rows did not list (a save cut short)
  return out;
}

}  // namespace aha::db
