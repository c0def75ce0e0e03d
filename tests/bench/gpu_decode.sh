#!/bin/bash
# Issue 26's GPU checks in one run (an NVIDIA GPU, pip PyTorch 2.x with transformers, no
# network), sized for a few minutes of GPU time:
#   1. builds aha and bench_hf_model against pip torch (gpu_build.sh; again without CUDA
#      graphs if that build fails, so that the rest still measures);
#   2. CUDA graphs decode exactly as eager decoding: greedy tokens compared row by row,
#      with rows that stop and leave the batch (the built-in model) and without;
#   3. decode against the memory-bandwidth roofline and transformers' generate, Qwen2.5
#      0.5B and 1.5B shapes with random weights, batch 64 and 256, bf16 (gpu_decode.py);
#   4. the built-in demo on the GPU in bf16 and float32, with and without graphs.
#   AHA_DEBS=.gpu/debs tests/bench/gpu_decode.sh [OUT_DIR]
# (GPU_DECODE_CASES="qwen2.5-1.5b:256" and DEMO_VARIANTS="bf16 fp32" run less.)
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${1:-${OUT:-/tmp/aha-gpu-decode}}
mkdir -p "$out"
work=/tmp/aha-gpu-work && rm -rf $work && mkdir -p $work
step() { echo; echo "=== $* ($(date +%T))"; }

step environment
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.sm,clocks.mem --format=csv,noheader
step "build against $(python3 -c 'import torch; print(torch.__version__)')"
graphs=on
if ! . tests/bench/gpu_build.sh $out; then
  graphs=off
  step "build without CUDA graphs"
  . tests/bench/gpu_build.sh $out -DAHA_CUDA_GRAPHS=OFF || exit 1
fi
bench=build-cuda/tests/bench/bench_hf_model
build-cuda/app/aha version

step "graphs against eager decoding (CUDA graphs: $graphs)"
tiny=resources/models/tiny-arithmetic
$bench compare $tiny 64 24 160 fp32 8
$bench compare $tiny 64 24 160 bf16 8
BENCH_PAD=1 $bench compare $tiny 96 24 160 bf16 8

step "decode: roofline and transformers, bf16"
PYTHONUNBUFFERED=1 python3 tests/bench/gpu_decode.py $bench $work "${AHA_TOKENIZER:-.gpu/tok}" | tee $out/decode.txt

step "the built-in demo on the GPU: bf16 and float32, graphs on and off"
for variant in ${DEMO_VARIANTS:-bf16 fp32 bf16-eager}; do
  sed -e 's/^device = .*/device = "cuda"/' -e "0,/^name = .*/s//name = \"demo-$variant\"/" \
    resources/presets/demo-arithmetic.toml >$work/$variant.toml
  [ $variant = fp32 ] && sed -i 's/^bf16 = .*/bf16 = false/' $work/$variant.toml
  [ $variant != fp32 ] && sed -i 's/^bf16 = .*/bf16 = true/' $work/$variant.toml
  [ $variant = bf16-eager ] && sed -i '2i cuda_graphs = false' $work/$variant.toml
  build-cuda/app/aha train --config $work/$variant.toml --db $out/gpu-runs.db --steps ${DEMO_STEPS:-6} 2>&1 | grep -E "^step|run '|error"
done
python3 - $out/gpu-runs.db <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for name, in db.execute("select name from runs order by id"):
    rows = db.execute("select m.value, s.value from metrics m join runs r on r.id = m.run_id join metrics s "
                      "on s.run_id = m.run_id and s.step = m.step and s.name = 'step_seconds' "
                      "where r.name = ? and m.name = 'rollout_tokens_per_second' and m.step > 0 order by m.step",
                      (name,)).fetchall()
    if rows:
        tps = sorted(r[0] for r in rows)[len(rows) // 2]
        sec = sorted(r[1] for r in rows)[len(rows) // 2]
        print(f"  {name:18s} steps 1..{len(rows)}: rollouts {tps:7.0f} tokens/s, step {sec:.3f} s (medians)")
PY
