#include "db/stored_path.h"

namespace aha::db {

namespace fs = std::filesystem;

namespace {

fs::path absolute_normal(const fs::path& p) {
  std::error_code ec;
  const fs::path abs = fs::absolute(p, ec);
  return (ec ? p : abs).lexically_normal();
}

fs::path database_folder(const std::string& db_path) { return absolute_normal(db_path).parent_path(); }

bool escapes(const fs::path& relative) { return relative.empty() || *relative.begin() == ".."; }

}  // namespace

bool path_inside(const fs::path& path, const fs::path& folder) {
  return !escapes(absolute_normal(path).lexically_relative(absolute_normal(folder)));
}

std::string path_to_store(const std::string& db_path, const fs::path& path) {
  const fs::path abs = absolute_normal(path);
  const fs::path rel = abs.lexically_relative(database_folder(db_path));
  return escapes(rel) ? abs.string() : rel.generic_string();
}

fs::path path_from_store(const std::string& db_path, const std::string& stored) {
  const fs::path p(stored);
  if (p.is_absolute()) return p.lexically_normal();
  const fs::path folder = database_folder(db_path);
  const std::string root_name = fs::path(db_path).filename().string() + ".checkpoints";
  fs::path rest;
  bool found = false;
  for (const auto& part : p) {
    if (found) rest /= part;
    else if (part == root_name) found = true;
  }
  return found ? (folder / root_name / rest).lexically_normal() : (folder / p).lexically_normal();
}

}  // namespace aha::db
