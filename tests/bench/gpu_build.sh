#!/bin/bash
# Builds the headless CLI and bench_hf_model against the machine's pip PyTorch (CUDA
# libtorch) into build-cuda/, for the GPU checks (gpu_check.sh, gpu_decode.sh). Debian
# packages of the other build dependencies (spdlog, fmt, SQLite, nlohmann-json, toml++,
# ICU) may be given as .deb files in $AHA_DEBS; they are unpacked under /tmp, not into /.
# Extra CMake options are passed on (e.g. -DAHA_CUDA_GRAPHS=OFF).
#   tests/bench/gpu_build.sh LOG_DIR [CMAKE_OPTIONS...]
# Source it to get LD_LIBRARY_PATH for the unpacked libraries.
log=${1:?log directory}; shift
prefix=""
if [ -n "${AHA_DEBS:-}" ]; then
  deps=/tmp/aha-deps
  mkdir -p $deps && for f in "$AHA_DEBS"/*.deb; do dpkg -x "$f" $deps; done
  prefix="$deps/usr"
  export LD_LIBRARY_PATH=$deps/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}
fi
torch_prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
# libtorch_cuda.so needs the CUDA libraries of the pip packages at link time too.
nvlibs=$(python3 -c 'import glob, os, torch; sp = os.path.dirname(os.path.dirname(torch.__file__)); print(":".join(sorted(glob.glob(sp + "/nvidia/**/lib", recursive=True))))')
cmake -S . -B build-cuda -G Ninja -DCMAKE_BUILD_TYPE=Release -DAHA_BUILD_STUDIO=OFF -DAHA_BUILD_TESTS=OFF \
  -DCMAKE_PREFIX_PATH="$torch_prefix;$prefix" ${prefix:+-DICU_ROOT=$prefix} \
  -DTORCH_CUDA_ARCH_LIST=9.0 -DCMAKE_CUDA_ARCHITECTURES=90 \
  -DCMAKE_EXE_LINKER_FLAGS="-Wl,-rpath-link,$nvlibs" "$@" >$log/configure.log 2>&1 \
  || { tail -40 $log/configure.log; return 1 2>/dev/null || exit 1; }
grep -iE "torch|cuda" $log/configure.log | head -8
time ninja -C build-cuda -k 0 aha bench_hf_model >$log/build.log 2>&1 \
  || { grep -E "error|FAILED" -A3 $log/build.log | head -60; return 1 2>/dev/null || exit 1; }
