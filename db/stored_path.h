#pragma once
// Paths the store keeps (checkpoint folders) are written relative to the database's own
// folder, or absolute when they lie outside it, and read back against that folder: never
// against the working directory of whichever process wrote or reads them.
#include <filesystem>
#include <string>

namespace aha::db {

std::string path_to_store(const std::string& db_path, const std::filesystem::path& path);

// Databases written before this rule hold paths relative to their writer's working
// directory ("dA/runs.db.checkpoints/demo/step-3"): the part from the component named
// "<database file>.checkpoints" on is read against the database's folder.
std::filesystem::path path_from_store(const std::string& db_path, const std::string& stored);

// Whether `path` lies inside `folder` (both made absolute and normal first).
bool path_inside(const std::filesystem::path& path, const std::filesystem::path& folder);

}  // namespace aha::db
