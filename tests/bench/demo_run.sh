#!/usr/bin/env bash
# The default GRPO run on this machine, measured: base model evaluation, the run
# itself (wall time), and the figures the engine issue asks for, read from the store.
#   tests/bench/demo_run.sh [preset=resources/presets/demo-arithmetic.toml] [db=/tmp/aha-demo.db]
set -euo pipefail
cd "$(dirname "$0")/../.."
preset=${1:-resources/presets/demo-arithmetic.toml}
db=${2:-/tmp/aha-demo.db}
rm -rf "$db" "$db-wal" "$db-shm" "$db.checkpoints"

echo "== base model (before RL), 512 fresh problems"
build/app/aha eval --config "$preset" --samples 512

echo "== bench_model (matmul FLOP/s vs model FLOP/s, same run)"
build/tests/bench/bench_model 2 1

echo "== GRPO run"
start=$(date +%s)
build/app/aha train --config "$preset" --db "$db"
echo "wall time: $(( $(date +%s) - start )) s"

echo "== figures from the store (first 10 steps vs last 10 steps)"
python3 - "$db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
def series(name):
    return [v for (v,) in db.execute("SELECT value FROM metrics WHERE name=? ORDER BY step", (name,))]
def avg(xs): return sum(xs) / len(xs)
for name in ["accuracy", "reward", "completions/mean_length", "aha_rate", "real_aha_rate", "frac_reward_zero_std",
             "rollout_tokens_per_second", "step_time"]:
    s = series(name)
    print(f"{name:28s} first10 {avg(s[:10]):9.3f}  last10 {avg(s[-10:]):9.3f}  ratio {avg(s[-10:]) / max(1e-9, avg(s[:10])):6.2f}")
PY
