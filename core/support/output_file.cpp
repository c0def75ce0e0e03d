#include "core/support/output_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace aha {

void write_output_file(const std::string& path, const std::function<void(std::ostream&)>& write) {
  errno = 0;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write '" + path + "': " + (errno ? std::strerror(errno) : "unknown error"));
  write(out);
  errno = 0;
  out.flush();
  if (out) out.close();
  if (out.fail())
    throw std::runtime_error("writing '" + path + "' failed: " + (errno ? std::strerror(errno) : "the write did not complete"));
}

}  // namespace aha
