#include "db/tag_store.h"

#include <filesystem>
#include <utility>
#include <vector>

#include "db/stored_path.h"

#include <spdlog/spdlog.h>

#include "db/schema.h"
#include "db/search_index.h"

namespace aha::db {

TagStore::TagStore(const std::string& path, Access access) : db_(open_run_database(path, access)) {}

std::vector<Tag> TagStore::tags() {
  Statement st(*db_, "SELECT id, name, color, builtin FROM tags ORDER BY builtin DESC, id");
  std::vector<Tag> out;
  while (st.step()) out.push_back({st.column_int(0), st.column_text(1), st.column_text(2), st.column_int(3) != 0});
  return out;
}

std::optional<Tag> TagStore::tag_by_name(const std::string& name) {
  Statement st(*db_, "SELECT id, name, color, builtin FROM tags WHERE name = ?");
  st.bind(1, name);
  if (!st.step()) return std::nullopt;
  return Tag{st.column_int(0), st.column_text(1), st.column_text(2), st.column_int(3) != 0};
}

int64_t TagStore::create_tag(const std::string& name, const std::string& color) {
  if (name.empty()) throw DbError("a tag needs a name", 0);
  if (tag_by_name(name)) throw DbError("a tag named '" + name + "' already exists", 0);
  Statement st(*db_, "INSERT INTO tags(name, color) VALUES(?, ?)");
  st.bind(1, name).bind(2, color).run();
  return db_->last_insert_id();
}

void TagStore::rename_tag(int64_t id, const std::string& name) {
  if (name.empty()) throw DbError("a tag needs a name", 0);
  if (auto other = tag_by_name(name); other && other->id != id)
    throw DbError("a tag named '" + name + "' already exists", 0);
  Statement st(*db_, "UPDATE tags SET name = ? WHERE id = ?");
  st.bind(1, name).bind(2, id).run();
}

void TagStore::recolor_tag(int64_t id, const std::string& color) {
  Statement st(*db_, "UPDATE tags SET color = ? WHERE id = ?");
  st.bind(1, color).bind(2, id).run();
}

void TagStore::delete_tag(int64_t id) {
  Statement st(*db_, "DELETE FROM tags WHERE id = ?");
  st.bind(1, id).run();
}

void TagStore::attach(int64_t tag_id, const std::vector<int64_t>& sample_ids) {
  Transaction tx(*db_);
  Statement st(*db_, "INSERT OR IGNORE INTO sample_tags(sample_id, tag_id) VALUES(?, ?)");
  for (int64_t id : sample_ids) st.bind(1, id).bind(2, tag_id).run();
  tx.commit();
}

void TagStore::detach(int64_t tag_id, const std::vector<int64_t>& sample_ids) {
  Transaction tx(*db_);
  Statement st(*db_, "DELETE FROM sample_tags WHERE sample_id = ? AND tag_id = ?");
  for (int64_t id : sample_ids) st.bind(1, id).bind(2, tag_id).run();
  tx.commit();
}

std::vector<Tag> TagStore::tags_of(int64_t sample_id) {
  Statement st(*db_,
      "SELECT t.id, t.name, t.color, t.builtin FROM tags t JOIN sample_tags st ON st.tag_id = t.id"
      " WHERE st.sample_id = ? ORDER BY t.id");
  st.bind(1, sample_id);
  std::vector<Tag> out;
  while (st.step()) out.push_back({st.column_int(0), st.column_text(1), st.column_text(2), st.column_int(3) != 0});
  return out;
}

std::map<int64_t, std::vector<std::string>> TagStore::tag_names_of(const std::vector<int64_t>& sample_ids) {
  std::map<int64_t, std::vector<std::string>> out;
  Statement st(*db_,
      "SELECT t.name FROM tags t JOIN sample_tags st ON st.tag_id = t.id WHERE st.sample_id = ? ORDER BY t.id");
  for (int64_t id : sample_ids) {
    st.reset();
    st.bind(1, id);
    while (st.step()) out[id].push_back(st.column_text(0));
  }
  return out;
}

void TagStore::set_note(int64_t sample_id, const std::string& text) {
  if (text.empty()) {
    Statement st(*db_, "DELETE FROM notes WHERE sample_id = ?");
    st.bind(1, sample_id).run();
    return;
  }
  Statement st(*db_,
      "INSERT INTO notes(sample_id, text) VALUES(?, ?) ON CONFLICT(sample_id) DO UPDATE SET text = excluded.text,"
      " updated_at = (julianday('now') - 2440587.5) * 86400.0");
  st.bind(1, sample_id).bind(2, text).run();
}

std::string TagStore::note(int64_t sample_id) {
  Statement st(*db_, "SELECT text FROM notes WHERE sample_id = ?");
  st.bind(1, sample_id);
  return st.step() ? st.column_text(0) : std::string();
}

void TagStore::delete_run(int64_t run_id) {
  // The full-text entries first: they need the text. Should that fail (a read-only
  // index), they stay behind unseen: their ids are never handed out again.
  try {
    SearchIndex(db_->path()).purge_run(run_id);
  } catch (const DbError& e) {
    spdlog::warn("deleting run {}: its search index entries stay behind: {}", run_id, e.what());
  }
  // Foreign keys cascade to samples (and through them to tags and notes), metrics,
  // prompts and checkpoints.
  Transaction tx(*db_);
  Statement st(*db_, "DELETE FROM runs WHERE id = ?");
  st.bind(1, run_id).run();
  tx.commit();
}

void TagStore::rename_run(int64_t run_id, const std::string& name, const std::string& config_toml,
                          const std::string& old_dir, const std::string& new_dir) {
  Transaction tx(*db_);
  Statement taken(*db_, "SELECT count(*) FROM runs WHERE name = ? AND id != ?");
  taken.bind(1, name).bind(2, run_id);
  if (taken.step() && taken.column_int(0) > 0) throw DbError("the database has a run named '" + name + "' already", 0);
  Statement run(*db_, "UPDATE runs SET name = ?, config_toml = ? WHERE id = ?");
  run.bind(1, name).bind(2, config_toml).bind(3, run_id).run();
  // Each stored folder read back against the database, moved to the new folder if it was
  // under the old one, and stored again (relative to the database: older rows were
  // relative to their writer's working directory).
  std::vector<std::pair<int64_t, std::string>> moved;
  Statement rows(*db_, "SELECT id, path FROM checkpoints WHERE run_id = ?");
  rows.bind(1, run_id);
  while (rows.step()) {
    const auto path = path_from_store(db_->path(), rows.column_text(1));
    if (!path_inside(path, old_dir)) continue;
    const auto within = path.lexically_relative(std::filesystem::absolute(old_dir).lexically_normal());
    moved.emplace_back(rows.column_int(0), path_to_store(db_->path(), std::filesystem::path(new_dir) / within));
  }
  Statement update(*db_, "UPDATE checkpoints SET path = ? WHERE id = ?");
  for (const auto& [id, path] : moved) {
    update.bind(1, path).bind(2, id).run();
    update.reset();
  }
  tx.commit();
}

}  // namespace aha::db
