#!/usr/bin/env python3
"""The demo's wall time and learning figures, builds side by side, alternating.

  tests/bench/demo_speed.py \
      before=/work/wt/build/app/aha:/work/wt/resources/presets/demo-arithmetic.toml \
      after=build/app/aha:resources/presets/demo-arithmetic.toml --seeds 42 43 44

For each seed, each LABEL=BINARY:PRESET in turn trains the preset with that seed (a copy of
the preset with `seed` replaced) into a fresh database, timed from the outside. Printed per
run: the wall time; the sum of step_time split into rollouts (completion tokens over the
rollout rate), the model judge (model_judge/seconds) and the rest (the update, rewards,
the store); and the first and last 10 steps' accuracy, mean length, aha, real aha, fix
share and ritual rate (the learning figures that must not move beyond seed noise).
"""
import argparse
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time

FIGURES = ["accuracy", "completions/mean_length", "aha_rate", "real_aha_rate", "reflection/share_fix",
           "reflection/ritual_rate"]


def series(db, name):
    return [v for (v,) in db.execute("SELECT value FROM metrics WHERE name=? ORDER BY step", (name,))]


def mean(xs):
    return sum(xs) / len(xs) if xs else float("nan")


def report(path):
    db = sqlite3.connect(path)
    step = series(db, "step_time")
    tps = series(db, "tokens_per_second")
    rollout_tps = series(db, "rollout_tokens_per_second")
    judge = series(db, "model_judge/seconds") or [0.0] * len(step)
    rollouts = sum(t * s / r for t, s, r in zip(tps, step, rollout_tps) if r > 0)
    phases = (sum(step), rollouts, sum(judge), sum(step) - rollouts - sum(judge))
    figures = {name: (mean(series(db, name)[:10]), mean(series(db, name)[-10:])) for name in FIGURES}
    return len(step), phases, figures


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, nargs="+", default=[42])
    ap.add_argument("--steps", type=int, default=0, help="0: the preset's max_steps")
    ap.add_argument("builds", nargs="+", help="LABEL=BINARY:PRESET")
    args = ap.parse_args()
    builds = []
    for b in args.builds:
        label, rest = b.split("=", 1)
        binary, preset = rest.split(":", 1)
        builds.append((label, binary, preset))
    work = tempfile.mkdtemp(prefix="demo-speed-")
    print(f"{'build':8s} {'seed':>4s} {'steps':>5s} {'wall':>7s} {'steps':>7s} {'rollouts':>8s} {'judge':>6s} {'rest':>7s}  "
          "accuracy      length        aha           real aha      fix share     ritual")
    for seed in args.seeds:
        for label, binary, preset in builds:
            text = re.sub(r"(?m)^seed\s*=.*$", f"seed = {seed}", open(preset).read())
            config = os.path.join(work, f"{label}-{seed}.toml")
            open(config, "w").write(text)
            db = os.path.join(work, f"{label}-{seed}.db")
            cmd = [binary, "train", "--config", config, "--db", db] + (["--steps", str(args.steps)] if args.steps else [])
            start = time.monotonic()
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wall = time.monotonic() - start
            steps, (total, rollouts, judge, rest), figures = report(db)
            cells = "  ".join(f"{a:5.3f}->{b:5.3f}" if b < 10 else f"{a:5.1f}->{b:5.1f}" for a, b in figures.values())
            print(f"{label:8s} {seed:4d} {steps:5d} {wall:6.1f}s {total:6.1f}s {rollouts:7.1f}s {judge:5.1f}s {rest:6.1f}s  {cells}",
                  flush=True)
    print(f"databases: {work}")


if __name__ == "__main__":
    sys.exit(main())
