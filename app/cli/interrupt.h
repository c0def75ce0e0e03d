#pragma once
#include <atomic>

namespace aha::cli {
// Ctrl-C sets the flag (the job stops at its next step boundary); a second Ctrl-C exits.
void install_interrupt_handler();
std::atomic<bool>& interrupt_requested();
}  // namespace aha::cli
