#!/bin/bash
# Issue 8's GPU checks in one run, on a machine with an NVIDIA GPU, pip PyTorch (2.x,
# CUDA) and transformers, and no network:
#   1. builds the headless CLI and bench_hf_model against pip torch's CUDA libtorch;
#   2. logits and generation speed against transformers (gpu_check.py);
#   3. GRPO end to end on the GPU: the built-in demo, then a random Qwen2 checkpoint with
#      the Qwen tokenizer on Countdown (chatml, bf16, gradient checkpointing, reference
#      model), then a batch too large for the GPU, which must fail with advice.
# Debian packages of the build dependencies may be given in $AHA_DEBS (gpu_build.sh).
#   tests/bench/gpu_check.sh [OUT_DIR]     (GPU_CHECK_QUICK=1: stop after the demo runs)
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${1:-${OUT:-/tmp/aha-gpu-check}}
mkdir -p "$out"
work=/tmp/aha-gpu-work && rm -rf $work && mkdir -p $work
step() { echo; echo "=== $* ($(date +%T))"; }

step environment
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
g++ --version | head -1; cmake --version | head -1; nvcc --version | tail -1
step "configure and build against $(python3 -c 'import torch; print(torch.__version__)')"
. tests/bench/gpu_build.sh $out || exit 1
aha=build-cuda/app/aha
$aha version

step "(a) logits and (b) generation against transformers"
PYTHONUNBUFFERED=1 python3 tests/bench/gpu_check.py build-cuda/tests/bench/bench_hf_model $work "${AHA_TOKENIZER:-.gpu/tok}"
checks=$?

step "the built-in model's sampling speed, without and with rows that stop (and leave the batch)"
build-cuda/tests/bench/bench_hf_model generate resources/models/tiny-arithmetic 64 24 160 fp32 16
build-cuda/tests/bench/bench_hf_model generate resources/models/tiny-arithmetic 64 24 160 fp32 16 8

step "(c) GRPO on the GPU: the built-in demo as preset (threads = 1, bf16), then threads = 0, then float32"
for variant in demo demo-threads0 demo-fp32; do
  sed -e 's/^device = .*/device = "cuda"/' -e "0,/^name = .*/s//name = \"$variant\"/" \
    resources/presets/demo-arithmetic.toml >$work/$variant.toml
  [ $variant = demo-threads0 ] && sed -i 's/^threads = .*/threads = 0/' $work/$variant.toml
  [ $variant = demo-fp32 ] && sed -i '2i bf16 = false' $work/$variant.toml
  $aha train --config $work/$variant.toml --db $out/gpu-runs.db --steps ${DEMO_STEPS:-3} 2>&1 | grep -E "^step|run '"
done
python3 - $out/gpu-runs.db <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for name, step, rollout, seconds in db.execute(
        "select r.name, m.step, m.value, s.value from metrics m join runs r on r.id = m.run_id join metrics s "
        "on s.run_id = m.run_id and s.step = m.step and s.name = 'step_seconds' "
        "where m.name = 'rollout_tokens_per_second' order by r.id, m.step"):
    print(f"  {name:16s} step {step}: rollouts {rollout:7.0f} tokens/s, step {seconds:.2f} s")
PY
[ -n "${GPU_CHECK_QUICK:-}" ] && exit $checks

step "(c) GRPO on the GPU: random Qwen2 + Qwen tokenizer on Countdown, bf16, checkpointing, beta > 0"
python3 - $work/countdown.jsonl <<'PY'
import json, random, sys
random.seed(3)
with open(sys.argv[1], "w") as f:
    for _ in range(200):
        nums = [random.randint(1, 60) for _ in range(3)]
        f.write(json.dumps({"nums": nums, "target": nums[0] + nums[1] - nums[2]}) + "\n")
PY
cat >$work/qwen.toml <<TOML
name = "random-qwen2-countdown"
model = "$work/qwen2"
device = "cuda"
bf16 = true
gradient_checkpointing = true
max_steps = 4
prompt_template = "r1-zero"
chat_template = "chatml"
num_generations = 8
per_device_train_batch_size = 64
beta = 0.04
loss_type = "dr_grpo"
max_completion_length = 96
learning_rate = 1e-5
reward_funcs = ["accuracy", "format"]
reward_weights = [1.0, 0.1]
save_steps = 2
[task]
name = "countdown"
data_file = "$work/countdown.jsonl"
TOML
$aha train --config $work/qwen.toml --db $out/gpu-runs.db 2>&1 | tail -8

step "(c) out of GPU memory: must end as failed, with advice, the store intact"
sed -e '1s/^name = .*/name = "too-big"/' -e 's/^per_device_train_batch_size = .*/per_device_train_batch_size = 16384/' \
    -e 's/^num_generations = .*/num_generations = 64/' -e 's/^max_completion_length = .*/max_completion_length = 3000/' \
    $work/qwen.toml >$work/big.toml
$aha train --config $work/big.toml --db $out/gpu-runs.db 2>&1 | tail -6
echo "exit status $?"
$aha runs --db $out/gpu-runs.db
exit $checks
