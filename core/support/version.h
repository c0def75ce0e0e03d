#pragma once
// Code version stored with every run (runs are reproducible from config, seed and this).
namespace aha {
const char* version();       // release, e.g. "0.1.0"
const char* git_revision();  // `git describe` of the build tree, "unknown" outside git
}  // namespace aha
