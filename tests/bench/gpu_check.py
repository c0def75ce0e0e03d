"""Our engine against transformers on random Qwen2 and Llama checkpoints (issue 8's
GPU checks (a) and (b)); run by tests/bench/gpu_check.sh on a machine with a GPU and
PyTorch + transformers.

  python3 gpu_check.py BENCH_BIN WORK_DIR TOKENIZER_DIR

(a) logits: each model is saved with save_pretrained (safetensors, float32), then both
    engines score the same ids, unpadded and left-padded; max |ours - theirs| over real
    positions must stay under 1e-4. A control scores the Llama model with its rope
    scaling left out: that difference must be far larger, or the check proves nothing.
(b) generation: batch 64, prompt 16, 256 new tokens, sampling at temperature 1 with no
    stop, float32 and bfloat16, transformers' generate against bench_hf_model generate.
"""
import os, shutil, statistics, subprocess, sys, time

import torch
import transformers
from transformers import LlamaConfig, LlamaForCausalLM, Qwen2Config, Qwen2ForCausalLM

BENCH, WORK, TOKENIZER = sys.argv[1:4]
DEV = "cuda"
VOCAB = 151936  # Qwen2.5's, so that the Qwen tokenizer (and a GRPO run) fits
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
failures = []


def with_rope(cfg_cls, rope, **kw):
    """transformers 5 takes rope_parameters, 4 takes rope_theta + rope_scaling."""
    try:
        cfg = cfg_cls(rope_parameters=rope, **kw)
        if getattr(cfg, "rope_parameters", None) and cfg.rope_parameters.get("rope_type") == rope["rope_type"]:
            return cfg
    except TypeError:
        pass
    scaling = None if rope["rope_type"] == "default" else {k: v for k, v in rope.items() if k != "rope_theta"}
    return cfg_cls(rope_theta=rope["rope_theta"], rope_scaling=scaling, **kw)


def roughen(model, seed):
    """Sharper attention and non-trivial norms and biases than the default init, so that a
    wrong rotary table, bias or norm shows in the logits."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name:
                p.copy_(1 + 0.2 * torch.randn(p.shape, generator=g))
            elif name.endswith("bias"):
                p.copy_(0.1 * torch.randn(p.shape, generator=g))
            elif "q_proj" in name or "k_proj" in name:
                p.copy_(0.15 * torch.randn(p.shape, generator=g))


common = dict(vocab_size=VOCAB, hidden_size=256, intermediate_size=704, num_hidden_layers=4,
              max_position_embeddings=4096, rms_norm_eps=1e-6, bos_token_id=151643, eos_token_id=151645)
qwen_cfg = with_rope(Qwen2Config, {"rope_type": "default", "rope_theta": 1e6}, num_attention_heads=4,
                     num_key_value_heads=2, tie_word_embeddings=True, **common)
llama3_rope = {"rope_type": "llama3", "rope_theta": 5e5, "factor": 8.0, "low_freq_factor": 1.0,
               "high_freq_factor": 4.0, "original_max_position_embeddings": 64}
llama_cfg = with_rope(LlamaConfig, llama3_rope, num_attention_heads=8, num_key_value_heads=2,
                      tie_word_embeddings=False, attention_bias=False, **common)

models = {}
for name, cfg_, cls, seed in [("qwen2", qwen_cfg, Qwen2ForCausalLM, 1), ("llama", llama_cfg, LlamaForCausalLM, 2)]:
    torch.manual_seed(seed)
    m = cls(cfg_).float()
    roughen(m, seed)
    d = os.path.join(WORK, name)
    m.save_pretrained(d, safe_serialization=True)
    for f in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(os.path.join(TOKENIZER, f), d)
    models[name] = (m.to(DEV).eval(), d)
print(f"transformers {transformers.__version__}, torch {torch.__version__}, {torch.cuda.get_device_name()}")
print("config.json of the Qwen2 model:", open(os.path.join(models["qwen2"][1], "config.json")).read().replace("\n", " "))


def hf_logits(model, rows):
    T = max(len(r) for r in rows)
    ids = torch.zeros(len(rows), T, dtype=torch.long)
    mask = torch.zeros(len(rows), T, dtype=torch.long)
    for b, r in enumerate(rows):
        ids[b, T - len(r):] = torch.tensor(r)
        mask[b, T - len(r):] = 1
    ids, mask = ids.to(DEV), mask.to(DEV)
    pos = (mask.cumsum(-1) - 1).clamp(min=0)
    with torch.no_grad():
        return model(input_ids=ids, attention_mask=mask, position_ids=pos).logits.float().cpu(), mask.cpu()


def our_logits(d, rows, tag):
    ids_path, out_path = os.path.join(WORK, tag + ".ids"), os.path.join(WORK, tag + ".f32")
    with open(ids_path, "w") as f:
        for r in rows:
            f.write(" ".join(map(str, r)) + "\n")
    subprocess.run([BENCH, "logits", d, ids_path, out_path], check=True)
    T = max(len(r) for r in rows)
    return torch.from_file(out_path, size=len(rows) * T * VOCAB, dtype=torch.float32).view(len(rows), T, VOCAB)


g = torch.Generator().manual_seed(7)
def rand_rows(lengths):
    return [torch.randint(0, VOCAB, (n,), generator=g).tolist() for n in lengths]

print("\n(a) logits, float32, max |ours - transformers| over real positions (must be < 1e-4)")
cases = {"unpadded 4x128": rand_rows([128] * 4), "left-padded 128/90/33/5": rand_rows([128, 90, 33, 5])}
for name, (model, d) in models.items():
    for case, rows in cases.items():
        theirs, mask = hf_logits(model, rows)
        ours = our_logits(d, rows, f"{name}-{case.split()[0]}")
        diff = ((ours - theirs).abs().amax(-1) * mask).max().item()
        scale = (theirs.abs().amax(-1) * mask).max().item()
        ok = diff < 1e-4
        failures += [] if ok else [f"logits {name} {case}: {diff:.3g}"]
        print(f"  {name:6s} {case:26s} max diff {diff:.2e} (logits up to {scale:.2f})  {'ok' if ok else 'FAIL'}")

# Control: the same Llama weights with plain rotary embeddings must differ clearly.
plain = LlamaForCausalLM(with_rope(LlamaConfig, {"rope_type": "default", "rope_theta": 5e5}, num_attention_heads=8,
                                   num_key_value_heads=2, tie_word_embeddings=False, attention_bias=False,
                                   **common)).float()
plain.load_state_dict(models["llama"][0].state_dict())
rows = cases["unpadded 4x128"]
ctrl = (our_logits(models["llama"][1], rows, "control") - hf_logits(plain.to(DEV).eval(), rows)[0]).abs().max().item()
print(f"  control: ours (llama3 rope) vs transformers without rope scaling: {ctrl:.2e} "
      f"({'sensitive' if ctrl > 1e-2 else 'NOT sensitive'})")
if ctrl <= 1e-2:
    failures.append("control not sensitive")
del plain

print("\n(b) generation tokens/s: batch 64, prompt 16, 256 new tokens, temperature 1, no stop")
B, P, N = 64, 16, 256
model, d = models["qwen2"]
prompts = torch.randint(VOCAB // 10, VOCAB // 2, (B, P), generator=g).to(DEV)
def hf_generate(m, new_tokens):
    torch.cuda.synchronize()
    t = time.perf_counter()
    out = m.generate(input_ids=prompts, attention_mask=torch.ones_like(prompts), max_new_tokens=new_tokens,
                     min_new_tokens=new_tokens, do_sample=True, temperature=1.0, top_p=1.0, top_k=0,
                     pad_token_id=151643)
    torch.cuda.synchronize()
    assert out.shape[1] == P + new_tokens, out.shape
    return time.perf_counter() - t

rows = []
for precision, dtype in (("fp32", torch.float32), ("bf16", torch.bfloat16)):
    m = model.to(dtype)
    hf_generate(m, 8)
    hf = statistics.median(hf_generate(m, N) for _ in range(3))
    hf_tps = B * N / hf
    res = subprocess.run([BENCH, "generate", d, str(B), str(P), str(N), precision], check=True,
                         capture_output=True, text=True).stdout
    print("  ours:", res.strip())
    ours_tps = float(res.split("tokens/s")[0].split(":")[-1])
    rows.append((precision, hf_tps, ours_tps))
model.float()
print("  precision  transformers tok/s  ours tok/s  ratio (target >= 2)")
for precision, hf_tps, ours_tps in rows:
    print(f"  {precision:9s}  {hf_tps:18.0f}  {ours_tps:10.0f}  {ours_tps / hf_tps:5.2f}")
    if ours_tps / hf_tps < 2:
        failures.append(f"generation {precision} ratio {ours_tps / hf_tps:.2f}")

print("\nRESULT:", "all checks passed" if not failures else "FAILED: " + "; ".join(failures))
sys.exit(1 if failures else 0)
