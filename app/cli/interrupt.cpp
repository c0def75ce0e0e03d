#include "app/cli/interrupt.h"

#include <csignal>
#include <cstdlib>
#include <unistd.h>

namespace aha::cli {

std::atomic<bool>& interrupt_requested() {
  static std::atomic<bool> flag{false};
  return flag;
}

namespace {
void on_signal(int) {
  if (interrupt_requested().exchange(true)) _exit(130);
  const char msg[] = "\nstopping at the next step boundary (Ctrl-C again to quit at once)\n";
  (void)!write(2, msg, sizeof msg - 1);
}
}  // namespace

void install_interrupt_handler() {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
}

}  // namespace aha::cli
