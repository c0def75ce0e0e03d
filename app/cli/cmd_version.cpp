#include <cstdio>

#include "app/cli/commands.h"
#include "core/rl/runtime_info.h"
#include "core/support/version.h"

namespace aha::cli {

int cmd_version(int, char**, int) {
  const std::string package = aha::torch_package();
  std::printf("aha %s (git %s)\nlibtorch %s%s\nBLAS %s\ndevice %s\n", aha::version(), aha::git_revision(),
              aha::torch_version().c_str(), package.empty() ? "" : (" (package " + package + ")").c_str(),
              aha::blas_summary().c_str(), aha::device_summary().c_str());
  return 0;
}

}  // namespace aha::cli
