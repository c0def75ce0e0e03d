#pragma once
// OpenBLAS's own thread pool, set aside while a caller splits the work across threads
// itself: libtorch's OpenMP threads and OpenBLAS's pthreads on the same cores spin against
// each other (a decode step of the built-in model took 2.5x as long; docs/CPU.md). Does
// nothing under another BLAS. Torch-free.
namespace aha {

class SingleThreadedBlas {
 public:
  SingleThreadedBlas();   // OpenBLAS to one thread per call
  ~SingleThreadedBlas();  // back to what it was
  SingleThreadedBlas(const SingleThreadedBlas&) = delete;
  SingleThreadedBlas& operator=(const SingleThreadedBlas&) = delete;

 private:
  int before_ = 0;  // 0: not OpenBLAS, nothing to restore
};

}  // namespace aha
