#include "core/support/json_file.h"

#include <fstream>
#include <stdexcept>

namespace aha {

nlohmann::json read_json_file(const std::filesystem::path& path, const std::string& what) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + what + " '" + path.string() + "'");
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(path.string() + ": not valid JSON: " + e.what());
  }
}

}  // namespace aha
