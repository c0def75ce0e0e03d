#include "core/support/paths.h"

#include <unistd.h>

namespace aha {

std::filesystem::path resources_dir() {
  if (const char* env = std::getenv("AHA_RESOURCES")) return env;
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n > 0) {
    std::filesystem::path exe(std::string(buf, n));
    // Installed: <prefix>/bin/aha -> <prefix>/share/aha-studio/resources.
    auto installed = exe.parent_path().parent_path() / "share" / "aha-studio" / "resources";
    if (std::filesystem::exists(installed / "presets")) return installed;
  }
#ifdef AHA_SOURCE_RESOURCES
  return AHA_SOURCE_RESOURCES;  // a build tree
#else
  return "resources";
#endif
}

std::filesystem::path expand_user_path(const std::string& path) {
  const char* home = std::getenv("HOME");
  if (home && (path == "~" || path.rfind("~/", 0) == 0)) return std::filesystem::path(home) / path.substr(std::min<size_t>(2, path.size()));
  return path;
}

}  // namespace aha
