#pragma once
// Reads a JSON file; a missing file or a syntax error is an error naming the file.
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace aha {
nlohmann::json read_json_file(const std::filesystem::path& path, const std::string& what);
}  // namespace aha
