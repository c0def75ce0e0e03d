#include <cstdio>

#include "app/cli/commands.h"
#include "core/rl/runtime_info.h"
#include "core/support/version.h"

namespace aha::cli {

int cmd_version(int, char**, int) {
  std::printf("aha %s (git %s)\nlibtorch %s\ndevice %s\n", aha::version(), aha::git_revision(),
              aha::torch_version().c_str(), aha::device_summary().c_str());
  return 0;
}

}  // namespace aha::cli
