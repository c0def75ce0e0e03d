#include "db/run_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "db/sqlite.h"

namespace aha::db {
namespace {

std::string this_process() {
  std::ifstream cmdline("/proc/self/cmdline", std::ios::binary);
  std::string args((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
  for (char& c : args)
    if (c == '\0') c = ' ';
  while (!args.empty() && args.back() == ' ') args.pop_back();
  std::ostringstream out;
  out << "process " << getpid() << " (" << (args.empty() ? "?" : args) << ") since " << std::time(nullptr);
  return out.str();
}

std::string holder_of(int fd) {
  std::string text(512, '\0');
  const ssize_t n = pread(fd, text.data(), text.size(), 0);
  text.resize(n > 0 ? n : 0);
  // "since <epoch>": shown as a local time.
  const auto since = text.rfind(" since ");
  if (since != std::string::npos) {
    const std::time_t t = std::strtoll(text.c_str() + since + 7, nullptr, 10);
    char when[32];
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", std::localtime(&t));
    text = text.substr(0, since) + " since " + when;
  }
  return text.empty() ? "another process" : text;
}

std::string lock_file(const std::string& db_path, int64_t run_id) {
  return db_path + ".locks/run-" + std::to_string(run_id) + ".lock";
}

}  // namespace

bool run_has_writer(const std::string& db_path, int64_t run_id) {
  const int fd = open(lock_file(db_path, run_id).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;  // never locked (or unreadable): no writer to find
  const bool held = flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  close(fd);  // (releases the shared lock, if it was taken)
  return held;
}

RunLock::RunLock(const std::string& db_path, int64_t run_id, const std::string& run_name) {
  std::error_code ec;
  std::filesystem::create_directories(db_path + ".locks", ec);
  const std::filesystem::path file = lock_file(db_path, run_id);
  fd_ = open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0)
    throw DbError("cannot make the lock file '" + file.string() + "' for run '" + run_name + "': " + std::strerror(errno),
                  0);
  if (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    const std::string holder = holder_of(fd_);
    close(fd_);
    fd_ = -1;
    if (err == EWOULDBLOCK)
      throw DbError("run '" + run_name + "' is being written by " + holder +
                        "; a run has one writer: stop that one first (or wait for it to end)",
                    0);
    throw DbError("cannot lock run '" + run_name + "' (" + file.string() + "): " + std::strerror(err), 0);
  }
  const std::string me = this_process();
  if (ftruncate(fd_, 0) != 0 || pwrite(fd_, me.data(), me.size(), 0) < 0) {
    // The lock holds without the note; only the message of a second writer is poorer.
  }
}

RunLock::~RunLock() {
  if (fd_ < 0) return;
  // The note goes with the lock: a writer refused later must not be told of this one.
  if (ftruncate(fd_, 0) != 0) {
  }
  close(fd_);  // releases the lock
}

}  // namespace aha::db
