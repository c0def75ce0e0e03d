#!/usr/bin/env bash
# Kills `aha train` and `aha sweep` with SIGKILL at random moments (checkpoint saves
# included: save_steps = 1 makes every step end in one), resumes them, and checks the
# store afterwards: integrity, every step stored once and whole, and no step that repeats
# an earlier step's prompts and completions (issue 39, item 4).
#   tests/bench/kill_resume.sh [kills=24] [work=/tmp/aha-kills]
set -euo pipefail
cd "$(dirname "$0")/../.."
kills=${1:-24}
work=${2:-/tmp/aha-kills}
aha=$PWD/build/app/aha
rm -rf "$work" && mkdir -p "$work" && cd "$work"

cat > run.toml <<'TOML'
name = "killed"
model = "builtin:tiny-arithmetic"
device = "cpu"
threads = 1
max_steps = 100000  # never reached: the loop kills it
num_generations = 4
per_device_train_batch_size = 16
max_completion_length = 48
save_steps = 1
save_total_limit = 2
[task]
name = "arithmetic"
TOML
cat > sweep.toml <<'TOML'
name = "killsweep"
base = "run.toml"
seeds = [1, 2]
[set]
max_steps = 6
[grid]
loss_type = ["grpo", "dr_grpo"]
TOML

done_kills=0
sweeps_left=12  # the sweep finishes at some point; a kill of a finished sweep is no kill
kill_at_random() {  # command...: start it, kill -9 it after a random 0.3-4 s, or let it end
  "$@" > /dev/null 2>&1 &
  local pid=$!
  sleep "$(python3 -c 'import random; print(round(random.uniform(0.3, 4.0), 2))')"
  if kill -9 "$pid" 2>/dev/null; then done_kills=$((done_kills + 1)); fi
  wait "$pid" 2>/dev/null || true
}

"$aha" train --config run.toml --db runs.db --steps 1 > /dev/null
while [ "$done_kills" -lt "$kills" ]; do
  if [ $((RANDOM % 3)) -eq 0 ] && [ "$sweeps_left" -gt 0 ]; then
    sweeps_left=$((sweeps_left - 1))
    kill_at_random "$aha" sweep --file sweep.toml --db runs.db
  else
    kill_at_random "$aha" train --config run.toml --db runs.db --resume
  fi
  echo "kills: $done_kills"
done
"$aha" sweep --file sweep.toml --db runs.db > /dev/null  # its members end; the killed run stays interrupted
leftover=$(find runs.db.checkpoints -name 'step-*.tmp' | wc -l)

python3 - runs.db "$leftover" <<'PY'
import sqlite3, sys, collections
db = sqlite3.connect(sys.argv[1])
print("integrity_check:", db.execute("PRAGMA integrity_check").fetchone()[0])
print("unfinished saves left on disk:", sys.argv[2])
bad = 0
for run_id, name, last, status in db.execute("SELECT id, name, last_step, status FROM runs ORDER BY id").fetchall():
    steps = collections.defaultdict(list)
    for step, prompt, completion in db.execute(
            "SELECT s.step, p.text, s.completion FROM samples s JOIN prompts p ON p.id = s.prompt_id "
            "WHERE s.run_id = ? ORDER BY s.step, s.group_index, s.index_in_group", (run_id,)):
        steps[step].append((prompt, completion))
    numbers = sorted(steps)
    contiguous = numbers == list(range(len(numbers)))
    sizes = {len(v) for v in steps.values()}
    seen, repeats = {}, []
    for s in numbers:
        key = tuple(p for p, _ in steps[s])
        if key in seen: repeats.append((seen[key], s))
        seen.setdefault(key, s)
    bad += (not contiguous) + len(repeats) + (len(sizes) > 1)
    print(f"{name}: {status}, steps 0-{last}, {len(numbers)} stored, contiguous {contiguous}, "
          f"samples per step {sorted(sizes)}, steps repeating earlier prompts: {repeats or 'none'}")
print("PROBLEMS:", bad)
sys.exit(1 if bad else 0)
PY
