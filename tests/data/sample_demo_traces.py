"""Draws completions of a demo run for hand labelling (docs/REFLECTION.md):

  python3 tests/data/sample_demo_traces.py RUN.db COUNT SEED > traces.jsonl

Steps are drawn evenly across the run (a third from each third), completions at random
within a step, no completion twice. Each line: id, step, question, reference, text (the
completion as stored, which starts inside <think> since the demo's prompt opens it).
"""
import json, random, sqlite3, sys

db_path, count, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
rng = random.Random(seed)
steps = [s for (s,) in db.execute("SELECT DISTINCT step FROM samples ORDER BY step")]
thirds = [steps[: len(steps) // 3], steps[len(steps) // 3: 2 * len(steps) // 3], steps[2 * len(steps) // 3:]]
seen = set()
out = []
for i in range(count):
    step = rng.choice(thirds[i % 3])
    rows = db.execute("SELECT s.id, s.step, p.text, p.reference, s.completion FROM samples s "
                      "JOIN prompts p ON p.id = s.prompt_id WHERE s.step = ?", (step,)).fetchall()
    rows = [r for r in rows if r[0] not in seen]
    r = rng.choice(rows)
    seen.add(r[0])
    out.append({"id": f"demo-{r[0]}", "step": r[1], "question": r[2].replace("<think>", ""), "reference": r[3],
                "text": r[4]})
for o in sorted(out, key=lambda o: (o["step"], o["id"])):
    print(json.dumps(o, ensure_ascii=False))
