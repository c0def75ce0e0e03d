#include "core/run/checkpoint_disk.h"

#include <cstdio>
#include <filesystem>

namespace aha {

std::string CheckpointDiskUse::describe() const {
  if (folders == 0) return "-";
  char out[48];
  std::snprintf(out, sizeof out, "%d, %.1f MB", folders, bytes / 1e6);
  return out;
}

CheckpointDiskUse checkpoint_disk_use(const std::vector<std::string>& folders) {
  CheckpointDiskUse use;
  std::error_code ec;
  for (const auto& folder : folders) {
    if (!std::filesystem::is_directory(folder, ec)) continue;
    ++use.folders;
    for (const auto& f : std::filesystem::recursive_directory_iterator(folder, ec))
      if (f.is_regular_file(ec)) use.bytes += f.file_size(ec);
  }
  return use;
}

}  // namespace aha
