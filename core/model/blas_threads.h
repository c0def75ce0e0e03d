#pragma once
// One of the two thread pools set aside while the other works: libtorch's OpenMP threads
// and OpenBLAS's pthreads on the same cores spin against each other (a decode step of the
// built-in model took 2.5x as long; docs/CPU.md). Both do nothing under another BLAS.
// Torch-free header.
namespace aha {

// OpenBLAS on one thread per call: for a caller that splits the work across libtorch's
// threads itself (core/model/cpu_decode.h).
class SingleThreadedBlas {
 public:
  SingleThreadedBlas();   // OpenBLAS to one thread per call
  ~SingleThreadedBlas();  // back to what it was
  SingleThreadedBlas(const SingleThreadedBlas&) = delete;
  SingleThreadedBlas& operator=(const SingleThreadedBlas&) = delete;

 private:
  int before_ = 0;  // 0: not OpenBLAS, nothing to restore
};

// libtorch's operations on one thread, the products left to OpenBLAS's threads: for work
// whose time is in large products (training's forward and backward).
class SerialTorchOps {
 public:
  SerialTorchOps();
  ~SerialTorchOps();
  SerialTorchOps(const SerialTorchOps&) = delete;
  SerialTorchOps& operator=(const SerialTorchOps&) = delete;

 private:
  int before_ = 0;  // 0: nothing to restore
};

}  // namespace aha
