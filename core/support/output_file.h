#pragma once
// Writes a file whole or says why not. The system's reason (disk full, permission denied,
// no such directory) is checked after the last byte is flushed, so that a full disk or an
// unwritable special file is never reported as a success.
#include <functional>
#include <ostream>
#include <string>

namespace aha {

// Throws std::runtime_error "cannot write 'PATH': REASON" or "writing 'PATH' failed: REASON".
void write_output_file(const std::string& path, const std::function<void(std::ostream&)>& write);

}  // namespace aha
