#pragma once
// What a run's checkpoints take on disk: the recorded folders still there and their
// bytes, for `aha runs` and the studio's runs panel (a run keeps only some:
// save_total_limit, save_keep_every).
#include <cstdint>
#include <string>
#include <vector>

namespace aha {

struct CheckpointDiskUse {
  int folders = 0;  // of those recorded, the ones still on disk
  uintmax_t bytes = 0;
  std::string describe() const;  // "2, 12.4 MB"; "-" for none
};

CheckpointDiskUse checkpoint_disk_use(const std::vector<std::string>& folders);

}  // namespace aha
