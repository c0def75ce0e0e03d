#!/usr/bin/env python3
"""Issue 42's sweep table: per arm of a sweep (mean +- std over seeds), token entropy and
forking-token entropy over the first and last 10 steps, accuracy over the last 10, and
pass@1 / pass@4 / pass@64 of the final weights on the held-out probe set (and the base
model's), from `aha export csv` and `aha probe passk` (probes are stored, so a second
call reads them back instead of sampling). Then per run, from `aha lens`: the reward
ceiling forecast at 25% of the steps against the last 10 steps' reward, and the step of
the entropy-collapse warning with the reward before it and at the end.

    python3 tests/bench/exploration_report.py build/app/aha DB [DB...]
"""
import csv, os, re, sqlite3, statistics, subprocess, sys, tempfile
from collections import defaultdict

aha, dbs = sys.argv[1], sys.argv[2:]
METRICS = ["lens/entropy_mean", "lens/fork_entropy", "accuracy"]

def runs_of(db):
    return [r[0] for r in sqlite3.connect(db).execute("select name from runs where status='finished' order by id")]

def series(db, run):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "m.csv")
        args = [aha, "export", "csv", "--db", db, "--run", run, "--out", path]
        for m in METRICS:
            args += ["--metric", m]
        subprocess.run(args, check=True, capture_output=True)
        rows = list(csv.DictReader(open(path)))
    out = {}
    for m in METRICS:
        col = f"{run}/{m}"
        out[m] = [float(r[col]) for r in rows if r.get(col) not in (None, "")]
    return out

def passk(db, run):
    out = subprocess.run([aha, "probe", "passk", "--db", db, "--run", run, "--weights", "base,final",
                          "--problems", "32", "--samples", "64"], capture_output=True, text=True, check=True).stdout
    table = {}
    for line in out.splitlines():
        m = re.match(r"^(base|step \d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)", line)
        if m:
            vals = [float(x) for x in m.groups()[1:]]
            table["base" if m.group(1) == "base" else "final"] = {"@1": vals[0], "@4": vals[2], "@64": vals[6]}
    return table

def lens(db, run):
    out = subprocess.run([aha, "lens", "--db", db, "--run", run], capture_output=True, text=True).stdout
    f = re.search(r"forecast at 25% of the steps \((\d+)\): ceiling ([\d.]+) \[([\d.]+), ([\d.]+)\].*reached ([\d.]+): (.*)", out)
    w = re.search(r"warning at step (\d+):.*reward: ([\d.]+) over the 10 steps to it, ([\d.]+) over the last 10", out)
    return (f.groups() if f else None), (w.groups() if w else None)

def mean(xs):
    return sum(xs) / len(xs)

by_arm = defaultdict(list)
forecasts = []
base = None
for db in dbs:
    for run in runs_of(db):
        arm = re.sub(r"-s\d+$", "", run)
        s = series(db, run)
        p = passk(db, run)
        base = p.get("base", base)
        forecasts.append((run, *lens(db, run)))
        by_arm[arm].append({
            "entropy_first": mean(s["lens/entropy_mean"][:10]), "entropy_last": mean(s["lens/entropy_mean"][-10:]),
            "fork_first": mean(s["lens/fork_entropy"][:10]), "fork_last": mean(s["lens/fork_entropy"][-10:]),
            "acc_last": mean(s["accuracy"][-10:]),
            "p1": p["final"]["@1"], "p4": p["final"]["@4"], "p64": p["final"]["@64"]})

def ms(vals):
    return f"{statistics.mean(vals):.3f} +- {statistics.stdev(vals):.3f}" if len(vals) > 1 else f"{vals[0]:.3f}"

keys = ["entropy_first", "entropy_last", "fork_first", "fork_last", "acc_last", "p1", "p4", "p64"]
print("| arm | seeds | " + " | ".join(keys) + " |")
print("|---|---|" + "---|" * len(keys))
for arm, rs in by_arm.items():
    print(f"| {arm} | {len(rs)} | " + " | ".join(ms([r[k] for r in rs]) for k in keys) + " |")
if base:
    print(f"| base model | - | | | | | | {base['@1']:.3f} | {base['@4']:.3f} | {base['@64']:.3f} |")

print("\n| run | forecast at 25% (steps) | interval | last 10 | verdict | collapse warning | reward to it | last 10 |")
print("|---|---|---|---|---|---|---|---|")
for run, f, w in forecasts:
    fc = f"{f[1]} ({f[0]}) | [{f[2]}, {f[3]}] | {f[4]} | {f[5]}" if f else "- | - | - | -"
    wc = f"step {w[0]} | {w[1]} | {w[2]}" if w else "none | - | -"
    print(f"| {run} | {fc} | {wc} |")
