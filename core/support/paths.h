#pragma once
// Where files are: the built-in resources, and paths as users type them ("~/models").
#include <filesystem>
#include <string>

namespace aha {

// The directory of the built-in resources (presets, base model): next to the executable
// when installed, the source tree's resources/ in a build tree, or $AHA_RESOURCES.
std::filesystem::path resources_dir();
// "~" and "~/..." expanded to $HOME; anything else as given.
std::filesystem::path expand_user_path(const std::string& path);

}  // namespace aha
