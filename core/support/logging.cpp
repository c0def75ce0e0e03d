#include "core/support/logging.h"

#include <algorithm>

#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace aha {

void init_logging(const std::filesystem::path& log_file, bool verbose) {
  std::vector<spdlog::sink_ptr> sinks;
  sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  if (!log_file.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(log_file.parent_path(), ec);
    try {
      sinks.push_back(std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
          log_file.string(), 5 * 1024 * 1024, 5));
    } catch (const spdlog::spdlog_ex& e) {
      // A log file we cannot open must not stop the app; say so on the console.
      spdlog::warn("cannot open log file {}: {}", log_file.string(), e.what());
    }
  }
  auto logger = std::make_shared<spdlog::logger>("aha", sinks.begin(), sinks.end());
  logger->set_level(verbose ? spdlog::level::debug : spdlog::level::info);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  spdlog::flush_every(std::chrono::seconds(2));
}

void add_log_sink(std::shared_ptr<spdlog::sinks::sink> sink) {
  spdlog::default_logger()->sinks().push_back(std::move(sink));
}

void remove_log_sink(const std::shared_ptr<spdlog::sinks::sink>& sink) {
  auto& sinks = spdlog::default_logger()->sinks();
  sinks.erase(std::remove(sinks.begin(), sinks.end(), sink), sinks.end());
}

}  // namespace aha
