"""Decode speed against the GPU's memory bandwidth and against transformers (issue 26),
run by tests/bench/gpu_decode.sh:

  python3 gpu_decode.py BENCH_BIN WORK_DIR TOKENIZER_DIR

The roofline of a decode step: the bytes it must read, the bf16 weights once (the tied
embedding is the LM head) plus the keys and values in use (prompt + half the new tokens
on average), over the bandwidth of a large device-to-device copy measured in this run
(bytes read + written). Models: Qwen2.5-0.5B and -1.5B shapes with random weights, saved
in bf16; batch 64 and 256, prompt 16, 128 new tokens, sampling at temperature 1 with no
stop. Each engine: a warm-up, then the median of RUNS timed runs. GPU_DECODE_CASES
(e.g. "qwen2.5-1.5b:256,qwen2.5-0.5b:64") limits the run to some shapes and batches.
"""
import os, re, shutil, statistics, subprocess, sys, time

import torch
import transformers
from transformers import Qwen2Config, Qwen2ForCausalLM

BENCH, WORK, TOKENIZER = sys.argv[1:4]
P, N, RUNS = 16, 128, 2
VOCAB = 151936
SHAPES = {  # Qwen2.5's config.json values
    "qwen2.5-0.5b": dict(hidden_size=896, intermediate_size=4864, num_hidden_layers=24, num_attention_heads=14,
                         num_key_value_heads=2),
    "qwen2.5-1.5b": dict(hidden_size=1536, intermediate_size=8960, num_hidden_layers=28, num_attention_heads=12,
                         num_key_value_heads=2),
}


def copy_bandwidth():
    """Bytes read + written per second by a 4 GiB device-to-device copy (median of 10)."""
    n = 2 ** 31  # bf16 elements: 4 GiB
    a = torch.randn(n // 2, device="cuda", dtype=torch.float32).view(torch.bfloat16)
    b = torch.empty_like(a)
    for _ in range(3):
        b.copy_(a)
    times = []
    for _ in range(10):
        s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        s.record(); b.copy_(a); e.record(); torch.cuda.synchronize()
        times.append(s.elapsed_time(e) / 1e3)
    del a, b
    torch.cuda.empty_cache()
    return 2 * n * 2 / statistics.median(times)


CASES = [(c.split(":")[0], int(c.split(":")[1])) for c in os.environ.get("GPU_DECODE_CASES", "").split(",") if c]


def ours(d, batch, graphs):
    env = dict(os.environ, BENCH_RUNS=str(RUNS), BENCH_GRAPHS="1" if graphs else "0", BENCH_PROFILE="1")
    res = subprocess.run([BENCH, "generate", d, str(batch), str(P), str(N), "bf16"], check=True, capture_output=True,
                         text=True, env=env).stdout
    print("   ", res.strip().replace("\n", "\n    "))
    m = re.search(r"([\d.]+) tokens/s \(median ([\d.]+) s, (\d+) tokens, ([\d.]+) ms/step\)", res)
    return float(m.group(1)), float(m.group(4)) / 1e3


def theirs(model, batch):
    g = torch.Generator().manual_seed(1)
    prompts = torch.randint(VOCAB // 10, VOCAB // 2, (batch, P), generator=g).to("cuda")

    def run(new):
        torch.cuda.synchronize()
        t = time.perf_counter()
        out = model.generate(input_ids=prompts, attention_mask=torch.ones_like(prompts), max_new_tokens=new,
                             min_new_tokens=new, do_sample=True, temperature=1.0, top_p=1.0, top_k=0,
                             pad_token_id=151643)
        torch.cuda.synchronize()
        assert out.shape[1] == P + new
        return time.perf_counter() - t

    run(8)
    sec = statistics.median(run(N) for _ in range(RUNS))
    return batch * N / sec, sec / N


bw = copy_bandwidth()
print(f"transformers {transformers.__version__}, torch {torch.__version__}, {torch.cuda.get_device_name()}")
print(f"device-to-device copy: {bw / 1e12:.2f} TB/s (bytes read + written)")
rows = []
for name, shape in SHAPES.items():
    if CASES and name not in {c[0] for c in CASES}:
        continue
    cfg = Qwen2Config(vocab_size=VOCAB, max_position_embeddings=4096, tie_word_embeddings=True,
                      rms_norm_eps=1e-6, bos_token_id=151643, eos_token_id=151645, **shape)
    torch.manual_seed(0)
    with torch.device("cuda"):
        model = Qwen2ForCausalLM(cfg).to(torch.bfloat16).eval()
    d = os.path.join(WORK, name)
    model.save_pretrained(d, safe_serialization=True)
    for f in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(os.path.join(TOKENIZER, f), d)
    params = sum(p.numel() for p in model.parameters())
    hd = shape["hidden_size"] // shape["num_attention_heads"]
    kv_per_position = shape["num_hidden_layers"] * 2 * shape["num_key_value_heads"] * hd * 2  # bytes, k and v
    for batch in (64, 256):
        if CASES and (name, batch) not in CASES:
            continue
        step_bytes = params * 2 + batch * (P + N / 2) * kv_per_position
        floor = step_bytes / bw
        hf_tps, hf_step = theirs(model, batch)
        eager_tps, eager_step = ours(d, batch, graphs=False)
        graph_tps, graph_step = ours(d, batch, graphs=True)
        rows.append((name, batch, params, step_bytes, floor, hf_tps, hf_step, eager_tps, eager_step, graph_tps, graph_step))
        print(f"{name} batch {batch}: transformers {hf_tps:,.0f} tok/s ({hf_step * 1e3:.2f} ms/step), "
              f"ours eager {eager_tps:,.0f} ({eager_step * 1e3:.2f} ms), graphs {graph_tps:,.0f} ({graph_step * 1e3:.2f} ms), "
              f"roofline {floor * 1e3:.2f} ms ({step_bytes / 1e9:.2f} GB/step)")
    del model
    torch.cuda.empty_cache()

print("\n| shape | batch | GB read/step | roofline ms | transformers ms/step | ours eager ms | ours graphs ms | graphs/roofline | graphs vs transformers |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for name, batch, params, step_bytes, floor, hf_tps, hf_step, e_tps, e_step, g_tps, g_step in rows:
    print(f"| {name} | {batch} | {step_bytes / 1e9:.2f} | {floor * 1e3:.2f} | {hf_step * 1e3:.2f} | {e_step * 1e3:.2f} | "
          f"{g_step * 1e3:.2f} | {g_step / floor:.2f}x | {g_tps / hf_tps:.2f}x |")
