#include "core/support/paths.h"

#include <unistd.h>

namespace aha {

std::filesystem::path resources_dir() {
  if (const char* env = std::getenv("AHA_RESOURCES")) return env;
  // <dir>/share/aha-studio/resources in a folder above the executable: <prefix> when
  // installed (<prefix>/bin/aha), the build tree's top (a link to the sources' resources,
  // CMakeLists.txt) for build/app/aha and build/tests/core/test_core. No path is compiled
  // in, so two builds in different folders make the same binaries.
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n > 0) {
    std::filesystem::path dir = std::filesystem::path(std::string(buf, n)).parent_path();
    for (int up = 0; up < 4 && dir.has_relative_path(); ++up, dir = dir.parent_path()) {
      const auto candidate = dir.parent_path() / "share" / "aha-studio" / "resources";
      if (std::filesystem::exists(candidate / "presets")) return candidate;
    }
  }
  return "resources";
}

std::filesystem::path expand_user_path(const std::string& path) {
  const char* home = std::getenv("HOME");
  if (home && (path == "~" || path.rfind("~/", 0) == 0)) return std::filesystem::path(home) / path.substr(std::min<size_t>(2, path.size()));
  return path;
}

}  // namespace aha
