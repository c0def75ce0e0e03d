#pragma once
#include <filesystem>
#include <memory>

namespace spdlog::sinks { class sink; }

namespace aha {

// Sets up the default spdlog logger: coloured console plus a rotating file
// (5 files x 5 MB) at `log_file`. An empty path logs to the console only.
// Extra sinks (the studio's log panel) can be added later with add_log_sink().
void init_logging(const std::filesystem::path& log_file, bool verbose = false);
void add_log_sink(std::shared_ptr<spdlog::sinks::sink> sink);
void remove_log_sink(const std::shared_ptr<spdlog::sinks::sink>& sink);

}  // namespace aha
