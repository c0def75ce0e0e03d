#include "core/model/blas_threads.h"

#include <ATen/Parallel.h>
#include <dlfcn.h>

#include <atomic>

namespace aha {

namespace {

// Found in the process, not linked: libtorch brings whichever BLAS libblas.so.3 is.
using GetThreads = int (*)();
using SetThreads = void (*)(int);
const GetThreads get_threads = reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
const SetThreads set_threads = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
std::atomic<int> holders{0};  // nested or concurrent users: the first sets, the last restores
std::atomic<int> saved{0};

}  // namespace

SingleThreadedBlas::SingleThreadedBlas() {
  if (!get_threads || !set_threads) return;
  before_ = 1;
  if (holders++ == 0) {
    saved = get_threads();
    set_threads(1);
  }
}

SingleThreadedBlas::~SingleThreadedBlas() {
  if (before_ && --holders == 0) set_threads(saved);
}

SerialTorchOps::SerialTorchOps() {
  if (!get_threads || get_threads() < 2) return;  // products on one thread: keep libtorch's
  before_ = at::get_num_threads();
  if (before_ > 1) at::set_num_threads(1);
}

SerialTorchOps::~SerialTorchOps() {
  if (before_ > 1) at::set_num_threads(before_);
}

}  // namespace aha
