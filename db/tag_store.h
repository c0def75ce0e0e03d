#pragma once
// Tags and notes on samples, written from the studio on its own connection (small
// transactions; WAL lets them interleave with the training writer), and runs renamed or
// deleted (core/run/run_admin.h does the whole of it, files included).
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "db/schema.h"

namespace aha::db {

struct Tag {
  int64_t id = 0;
  std::string name, color;
  bool builtin = false;
};

class TagStore {
 public:
  explicit TagStore(const std::string& path, Access access = Access::Existing);

  std::vector<Tag> tags();
  std::optional<Tag> tag_by_name(const std::string& name);
  int64_t create_tag(const std::string& name, const std::string& color);  // throws if the name exists
  void rename_tag(int64_t id, const std::string& name);
  void recolor_tag(int64_t id, const std::string& color);
  void delete_tag(int64_t id);
  // Many samples in one transaction; attaching twice is harmless.
  void attach(int64_t tag_id, const std::vector<int64_t>& sample_ids);
  void detach(int64_t tag_id, const std::vector<int64_t>& sample_ids);
  std::vector<Tag> tags_of(int64_t sample_id);
  // Tag names of many samples at once (a page of the trace browser), in tag order.
  std::map<int64_t, std::vector<std::string>> tag_names_of(const std::vector<int64_t>& sample_ids);

  void set_note(int64_t sample_id, const std::string& text);  // empty text removes it
  std::string note(int64_t sample_id);

  // The run and everything of it (samples, metrics, prompts, tags on its samples, notes).
  void delete_run(int64_t run_id);
  // A new name, the config that says it, and checkpoint paths under `old_dir` moved to
  // `new_dir` (the caller moves the folder). Throws when the name is taken.
  void rename_run(int64_t run_id, const std::string& name, const std::string& config_toml, const std::string& old_dir,
                  const std::string& new_dir);

 private:
  std::unique_ptr<Connection> db_;
};

}  // namespace aha::db
