#include <cstdio>
#include <cstring>

#include "app/cli/commands.h"
#include "core/rl/runtime_info.h"
#include "core/support/version.h"

namespace aha::cli {

int cmd_version(int argc, char** argv, int first) {
  if (argc > first && (!std::strcmp(argv[first], "--help") || !std::strcmp(argv[first], "-h"))) {
    std::printf("usage: aha version\n       aha --version\n\n"
                "Prints the release, the git revision it was built from, the libtorch version (and its\n"
                "Debian package), the BLAS library libtorch loaded and the device training would use.\n");
    return 0;
  }
  const std::string package = aha::torch_package();
  std::printf("aha %s (git %s)\nlibtorch %s%s\nBLAS %s\ndevice %s\n", aha::version(), aha::git_revision(),
              aha::torch_version().c_str(), package.empty() ? "" : (" (package " + package + ")").c_str(),
              aha::blas_summary().c_str(), aha::device_summary().c_str());
  return 0;
}

}  // namespace aha::cli
