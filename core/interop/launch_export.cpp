#include "core/interop/launch_export.h"

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "core/support/paths.h"

namespace aha {

namespace {

std::string py_str(const std::string& s) {  // a Python string literal
  std::string out = "\"";
  for (char c : s) {
    if (c == '\\' || c == '"') out += '\\', out += c;
    else if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else out += c;
  }
  return out + "\"";
}

std::string num(double v) {
  std::ostringstream o;
  o.precision(10);
  o << v;
  return o.str();
}

std::string py_bool(bool b) { return b ? "True" : "False"; }

// The engine versions the scripts were written and key-checked against
// (tests/core/interop/test_launch_export.cpp).
constexpr const char* kVerlTarget =
    "veRL v0.9.0 (483b8a0, 2026-08-14) and main 0.10.0.dev (1dda039, 2026-08-22); v0.8.0 reads the same keys";
constexpr const char* kTrlTarget = "TRL 1.10.0.dev0 (main f2cd577, 2026-07-24) on transformers 5";

std::string verl_loss_agg(const std::string& loss_type) {
  if (loss_type == "dr_grpo") return "seq-mean-token-sum-norm";
  if (loss_type == "grpo") return "seq-mean-token-mean";
  return "token-mean";  // bnpo, dapo
}

// Our reward rules and problem source in plain Python, shared by both scripts.
std::string python_task_module(const RunConfig& c) {
  const auto fmt = c.prompt_format();
  std::ostringstream o;
  o << "# --- Aha Studio's task and reward rules (the same rules as the engine) ---\n"
    << "import ast, json, random, re\n"
    << "from fractions import Fraction\n\n"
    << "TASK = " << py_str(c.task.name) << "\n"
    << "DATA_FILE = " << py_str(c.task.data_file) << "\n"
    << "FIELDS = {\"question\": " << py_str(c.task.question_field) << ", \"answer\": " << py_str(c.task.answer_field)
    << ", \"nums\": " << py_str(c.task.nums_field) << ", \"target\": " << py_str(c.task.target_field) << "}\n"
    << "ANSWER_TOLERANCE = " << num(c.task.answer_tolerance) << "\n"
    << "TERMS = (" << c.task.min_terms << ", " << c.task.max_terms << ")\n"
    << "VALUES = (" << c.task.min_value << ", " << c.task.max_value << ")\n"
    << "COUNTDOWN = (" << c.task.countdown_numbers << ", " << c.task.countdown_max_target << ")\n"
    << "PROMPT_TEMPLATE = " << py_str(c.prompt_template == "r1-zero" ? r1_zero_template() : c.prompt_template) << "\n"
    << "CHAT_TEMPLATE = " << py_str(c.chat_template) << "\n"
    << "SYSTEM_PROMPT = " << py_str(c.system_prompt.empty() ? kR1ZeroInstruction : c.system_prompt) << "\n"
    << "PROMPT_OPENS_THINK = " << py_bool(fmt.opens_think()) << "\n";
  o << "REWARD_WEIGHTS = {";
  for (size_t i = 0; i < c.reward_funcs.size(); ++i)
    o << (i ? ", " : "") << py_str(c.reward_funcs[i]) << ": " << num(c.reward_weights[i]);
  o << "}\n";
  o << R"PY(

def render_prompt(question):
    body = PROMPT_TEMPLATE.replace("{question}", question)
    if CHAT_TEMPLATE != "chatml":
        return body
    return ("<|im_start|>system\n" + SYSTEM_PROMPT + "<|im_end|>\n<|im_start|>user\n" + body +
            "<|im_end|>\n<|im_start|>assistant\n<think>")


def problems(count, seed):
    """(question, ground_truth) pairs: from DATA_FILE, or generated as the engine does."""
    rng = random.Random(seed)
    if DATA_FILE:
        rows = []
        with open(DATA_FILE, encoding="utf-8") as f:
            if DATA_FILE.endswith(".csv"):
                import csv
                rows = list(csv.DictReader(f))
            else:
                rows = [json.loads(line) for line in f if line.strip()]
        out = []
        for row in rows:
            if TASK == "countdown":
                nums = row[FIELDS["nums"]]
                nums = nums if isinstance(nums, list) else [int(x) for x in re.findall(r"-?\d+", str(nums))]
                target = int(row[FIELDS["target"]])
                question = "Use " + " ".join(str(n) for n in nums) + " to make " + str(target) + "."
                out.append((question, json.dumps({"nums": nums, "target": target})))
            else:
                answer = str(row[FIELDS["answer"]])
                answer = answer.split("####")[-1].strip().replace(",", "") if "####" in answer else answer.strip()
                out.append((str(row[FIELDS["question"]]), answer))
        return [out[rng.randrange(len(out))] for _ in range(count)]
    out = []
    while len(out) < count:
        if TASK == "countdown":
            nums = [rng.randint(1, 25) for _ in range(COUNTDOWN[0])]
            pick = rng.sample(nums, rng.randint(2, len(nums)))
            value = pick[0]
            for n in pick[1:]:
                value = rng.choice([value + n, value * n, abs(value - n)])
            if 0 < value <= COUNTDOWN[1]:
                question = "Use " + " ".join(str(n) for n in nums) + " to make " + str(value) + "."
                out.append((question, json.dumps({"nums": nums, "target": value})))
        else:
            terms = [rng.randint(*VALUES) for _ in range(rng.randint(*TERMS))]
            out.append(("+".join(str(t) for t in terms) + "=", str(sum(terms))))
    return out


def parse(completion):
    """(answer or None, well formed): one of each tag, in order, only blanks around them."""
    text = ("<think>" if PROMPT_OPENS_THINK else "") + completion
    start = text.rfind("<answer>")
    end = text.find("</answer>", start) if start >= 0 else -1
    answer = text[start + 8:end] if start >= 0 and end >= 0 else None
    ok = (answer is not None and all(text.count(t) == 1 for t in ("<think>", "</think>", "<answer>", "</answer>"))
          and re.fullmatch(r"\s*<think>.*</think>\s*<answer>.*</answer>\s*", text, re.S) is not None)
    return answer, ok


def as_number(text):
    s = text.strip()
    if s.startswith("\\boxed{") and s.endswith("}"):
        s = s[7:-1]
    s = s.replace(",", "").replace("$", "").replace(" ", "").rstrip(".%")
    try:
        return float(Fraction(s))
    except (ValueError, ZeroDivisionError):
        return None


def countdown_value(expression, nums):
    """The exact value of an equation using each given number at most once, else None."""
    expression = expression.split("=")[0]
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError:
        return None
    pool = list(nums)

    def value(node):
        if isinstance(node, ast.BinOp) and type(node.op) in (ast.Add, ast.Sub, ast.Mult, ast.Div):
            a, b = value(node.left), value(node.right)
            if isinstance(node.op, ast.Add): return a + b
            if isinstance(node.op, ast.Sub): return a - b
            if isinstance(node.op, ast.Mult): return a * b
            if b == 0: raise ValueError("division by zero")
            return a / b
        if isinstance(node, ast.Constant) and isinstance(node.value, int):
            if node.value not in pool: raise ValueError("number not given or used twice")
            pool.remove(node.value)
            return Fraction(node.value)
        raise ValueError("not + - * / on numbers")

    try:
        return value(tree.body)
    except ValueError:
        return None


def accuracy_of(answer, ground_truth):
    if answer is None:
        return 0.0
    if TASK == "countdown":
        gt = json.loads(ground_truth) if isinstance(ground_truth, str) else ground_truth
        return 1.0 if countdown_value(answer, gt["nums"]) == gt["target"] else 0.0
    ref, got = as_number(str(ground_truth)), as_number(answer)
    if ref is not None:
        return 1.0 if got is not None and abs(got - ref) <= ANSWER_TOLERANCE * max(1.0, abs(ref)) else 0.0
    return 1.0 if answer.strip().lower() == str(ground_truth).strip().lower() else 0.0


def scores(completion, ground_truth):
    """Every reward function's value and the weighted total ("score")."""
    answer, ok = parse(completion)
    values = {"accuracy": accuracy_of(answer, ground_truth), "format": 1.0 if ok else 0.0,
              "format_only": 1.0 if ok else 0.0}
    out = {name: values[name] for name in REWARD_WEIGHTS}
    out["score"] = sum(REWARD_WEIGHTS[name] * values[name] for name in REWARD_WEIGHTS)
    return out
)PY";
  return o.str();
}

}  // namespace

std::vector<KeyMapping> launch_key_mapping(const RunConfig& c, const std::string& engine) {
  const bool verl = engine == "verl";
  const int prompts = c.prompts_per_step();
  std::vector<KeyMapping> m;
  auto map = [&](const std::string& ours, const std::string& theirs) { m.push_back({ours, theirs, ""}); };
  auto none = [&](const std::string& ours, const std::string& why) { m.push_back({ours, "", why}); };
  none("random_reward_probability", "the random control reward is drawn here only (reward_funcs random is refused)");
  for (const char* k : {"entropy_coef", "use_adaptive_entropy", "entropy_coef_min", "entropy_coef_max",
                        "entropy_coef_delta", "entropy_target"})
    if (!verl) map(k, std::string("GRPOConfig.") + k);
    else if (std::string(k) == "entropy_coef") map(k, "actor_rollout_ref.actor.entropy_coeff");
    else none(k, "veRL's entropy_coeff is static (use_adaptive_entropy is refused)");
  for (const char* k : {"vllm_importance_sampling_correction", "vllm_importance_sampling_mode",
                        "vllm_importance_sampling_clip_min", "vllm_importance_sampling_clip_max"})
    if (verl) none(k, "veRL's rollout correction (algorithm.rollout_correction) is not written yet (true is refused)");
    else map(k, std::string("GRPOConfig.") + k + " (applied when the script samples with vLLM)");
  for (const char* k : {"sapo_temperature_pos", "sapo_temperature_neg"})
    if (verl) none(k, "loss_type sapo is refused for veRL");
    else map(k, std::string("GRPOConfig.") + k);
  if (verl) map("delta", "actor_rollout_ref.actor.clip_ratio_c (dual-clip; 1e9, no cap, when delta is 0)");
  else map("delta", "GRPOConfig.delta");
  for (const char* k : {"loss_mode", "clip_cov_ratio", "clip_cov_lb", "clip_cov_ub", "kl_cov_ratio", "ppo_kl_coef"})
    if (verl) map(k, std::string("actor_rollout_ref.actor.policy_loss.") + k);
    else none(k, "TRL has no covariance-controlled or geometric-mean loss (loss_mode other than vanilla is refused)");
  if (verl)
    none("multi_objective_aggregation", "veRL's counterpart is adv_estimator gdpo with gdpo_reward_keys; "
                                        "normalize_then_sum is refused");
  else
    map("multi_objective_aggregation", "GRPOConfig.multi_objective_aggregation");
  if (verl) {
    map("name", "trainer.experiment_name");
    map("model", "actor_rollout_ref.model.path");
    none("device", "veRL places work on the Ray cluster's GPUs (trainer.n_gpus_per_node, trainer.nnodes: the "
                   "script's AHA_GPUS and AHA_NODES)");
    map("seed", "data.seed");
    map("max_steps", "trainer.total_training_steps");
    none("threads", "CPU threads of the local engine only");
    map("prompt_template", "data prompts (rendered by the prep step below)");
    map("chat_template", "data prompts (rendered; data.apply_chat_template_kwargs passes them through as written)");
    map("system_prompt", "data prompts (rendered)");
    map("num_generations", "actor_rollout_ref.rollout.n");
    map("per_device_train_batch_size", "data.train_batch_size (prompts = " + std::to_string(prompts) + ")");
    map("beta", "actor_rollout_ref.actor.kl_loss_coef (use_kl_loss, low_var_kl = k3)");
    map("epsilon", "actor_rollout_ref.actor.clip_ratio_low");
    map("epsilon_high", "actor_rollout_ref.actor.clip_ratio_high");
    map("loss_type", "actor_rollout_ref.actor.loss_agg_mode (dr_grpo: loss_scale_factor too)");
    map("scale_rewards", "algorithm.norm_adv_by_std_in_grpo (group or none)");
    map("adv_estimator", "algorithm.adv_estimator");
    for (const char* k : {"importance_sampling_level", "mask_truncated_completions", "top_entropy_quantile",
                          "filter_groups", "max_num_gen_batches", "soft_punish_cache"})
      none(k, "not written for veRL's main_ppo (a value other than the default is refused)");
    map("num_iterations", "actor_rollout_ref.actor.ppo_epochs");
    map("max_completion_length", "data.max_response_length");
    map("temperature", "actor_rollout_ref.rollout.temperature");
    map("top_p", "actor_rollout_ref.rollout.top_p");
    map("learning_rate", "actor_rollout_ref.actor.optim.lr");
    map("lr_scheduler_type", "actor_rollout_ref.actor.optim.lr_scheduler_type");
    map("warmup_steps", "actor_rollout_ref.actor.optim.lr_warmup_steps");
    map("max_grad_norm", "actor_rollout_ref.actor.optim.clip_grad");
    map("weight_decay", "actor_rollout_ref.actor.optim.weight_decay");
    map("reward_funcs", "reward.custom_reward_function.path (aha_reward.py)");
    map("reward_weights", "reward.custom_reward_function.path (aha_reward.py)");
    map("save_steps", "trainer.save_freq");
    map("save_total_limit", "trainer.max_actor_ckpt_to_keep");
    none("save_keep_every", "veRL keeps the newest max_actor_ckpt_to_keep checkpoints only");
    map("gradient_checkpointing", "actor_rollout_ref.model.enable_gradient_checkpointing");
    none("bf16", "veRL's FSDP workers choose their own mixed precision (bf16 by default)");
    none("cuda_graphs", "veRL's rollout engine (vLLM/SGLang) captures its own CUDA graphs");
    none("token_lens", "veRL's dumps keep decoded text only: a followed run has no token lens");
    none("model_judge_events", "the model's verdicts need the weights at each step: this studio's trainer only");
    none("model_judge_tokens", "the model's verdicts need the weights at each step: this studio's trainer only");
    none("causal_fix_events", "causal verdicts resample with the weights at each step: this studio's trainer only");
    none("causal_fix_samples", "causal verdicts resample with the weights at each step: this studio's trainer only");
  } else {
    map("name", "GRPOConfig.run_name");
    map("model", "GRPOTrainer(model=...)");
    none("device", "accelerate places the job (accelerate launch --num_processes N)");
    map("seed", "GRPOConfig.seed");
    map("max_steps", "GRPOConfig.max_steps");
    none("threads", "CPU threads of the local engine only");
    map("prompt_template", "dataset prompts (render_prompt)");
    map("chat_template", "dataset prompts (render_prompt)");
    map("system_prompt", "dataset prompts (render_prompt)");
    for (const char* k : {"num_generations", "beta", "epsilon", "epsilon_high", "loss_type",
                          "importance_sampling_level", "scale_rewards", "mask_truncated_completions",
                          "top_entropy_quantile", "max_completion_length", "temperature", "top_p", "learning_rate",
                          "warmup_steps", "max_grad_norm", "weight_decay", "reward_weights", "save_steps",
                          "save_total_limit", "gradient_checkpointing", "bf16"})
      map(k, std::string("GRPOConfig.") + k);
    map("per_device_train_batch_size",
        "GRPOConfig.per_device_train_batch_size x gradient_accumulation_steps x processes (batch_plan(): " +
            std::to_string(c.per_device_train_batch_size) + " completions per optimizer step on any number of GPUs)");
    map("num_iterations", "GRPOConfig.num_iterations (1 only: TRL counts each reuse of a generation as a step)");
    map("lr_scheduler_type", "GRPOConfig.lr_scheduler_type (constant with warmup: constant_with_warmup)");
    map("reward_funcs", "GRPOTrainer(reward_funcs=...)");
    none("adv_estimator", "TRL's GRPOTrainer estimates grpo advantages only (another value is refused)");
    for (const char* k : {"filter_groups", "max_num_gen_batches"})
      none(k, "TRL has no dynamic sampling (filter_groups = true is refused)");
    none("soft_punish_cache", "the soft_overlong_punishment reward is not written for TRL (it is refused)");
    none("cuda_graphs", "the local engine's decoder only (TRL samples with generate() or vLLM)");
    none("save_keep_every", "TRL keeps the newest save_total_limit checkpoints only");
    none("token_lens", "TRL's completions keep decoded text only: a followed run has no token lens");
    none("model_judge_events", "the model's verdicts need the weights at each step: this studio's trainer only");
    none("model_judge_tokens", "the model's verdicts need the weights at each step: this studio's trainer only");
    none("causal_fix_events", "causal verdicts resample with the weights at each step: this studio's trainer only");
    none("causal_fix_samples", "causal verdicts resample with the weights at each step: this studio's trainer only");
  }
  const std::string data = verl ? "data.train_files (prep step)" : "train_dataset (problems())";
  for (const char* k : {"name", "min_terms", "max_terms", "min_value", "max_value", "countdown_numbers",
                        "countdown_max_target", "data_file", "data_format", "question_field", "answer_field",
                        "nums_field", "target_field", "answer_tolerance"})
    map(std::string("task.") + k, data);
  none("task.on_bad_line", "the Python loader stops at a bad line; check the file with Aha Studio first");
  none("reflection", "the aha detector runs when `aha import` / `aha follow` reads the rollouts");
  if (!c.sweep.empty()) none("sweep", "Aha Studio's grouping of runs into a sweep, not an engine setting");
  return m;
}

namespace {

// The config as the engine will read it: paths absolute, "~" expanded (veRL and TRL would
// take "~/models/x" for a hub id, and Python does not expand it when opening a file).
RunConfig for_engine(RunConfig c, const std::string& engine) {
  if (c.model.rfind("builtin:", 0) == 0)
    throw std::invalid_argument("model: '" + c.model + "' is Aha Studio's built-in model, which " + engine +
                                " cannot load (it has no Hugging Face tokenizer files); set model to a Hugging Face "
                                "model folder or hub id (e.g. \"Qwen/Qwen2.5-0.5B\", as the Qwen presets do)");
  // What the script cannot express is refused, not silently dropped.
  const auto refuse = [&](bool differs, const std::string& what) {
    if (differs) throw std::invalid_argument(what + ": not exported to " + engine + " yet; the run trains here only");
  };
  const bool overlong = std::find(c.reward_funcs.begin(), c.reward_funcs.end(), "soft_overlong_punishment") !=
                        c.reward_funcs.end();
  refuse(c.filter_groups, "filter_groups = true (dynamic sampling)");
  refuse(overlong, "reward_funcs: soft_overlong_punishment");
  for (const char* control : {"random", "incorrect_label"})  // their draws are ours (core/tasks/control_rewards.h)
    refuse(std::find(c.reward_funcs.begin(), c.reward_funcs.end(), control) != c.reward_funcs.end(),
           std::string("reward_funcs: ") + control);
  if (engine == "trl") refuse(c.loss_mode != "vanilla", "loss_mode = \"" + c.loss_mode + "\"");
  if (engine == "verl") refuse(c.use_adaptive_entropy, "use_adaptive_entropy = true");
  if (engine == "verl") refuse(c.vllm_importance_sampling_correction, "vllm_importance_sampling_correction = true");
  if (engine == "verl") {
    refuse(c.multi_objective_aggregation != "sum_then_normalize", "multi_objective_aggregation = \"normalize_then_sum\"");
    refuse(c.scale_rewards == "batch", "scale_rewards = \"batch\"");
    refuse(c.loss_type == "cispo", "loss_type = \"cispo\"");
    refuse(c.loss_type == "sapo", "loss_type = \"sapo\"");
    refuse(c.importance_sampling_level != "token", "importance_sampling_level = \"sequence\"");
    refuse(c.mask_truncated_completions, "mask_truncated_completions = true");
    refuse(c.top_entropy_quantile < 1.0, "top_entropy_quantile < 1");
  } else {
    refuse(c.adv_estimator != "grpo", "adv_estimator = \"" + c.adv_estimator + "\"");
    // TRL reuses one generation for num_iterations optimizer steps, each counted in
    // max_steps and logged with the same completions; ours makes them inside one step.
    if (c.num_iterations > 1)
      throw std::invalid_argument("num_iterations = " + std::to_string(c.num_iterations) +
                                  ": TRL counts each reuse of a generation as a step of its own (max_steps and the "
                                  "completions files then differ from this run's); export with num_iterations = 1, "
                                  "or export to veRL (ppo_epochs)");
  }
  if (c.model.rfind('~', 0) == 0) c.model = expand_user_path(c.model).string();
  if (!c.task.data_file.empty()) c.task.data_file = std::filesystem::absolute(expand_user_path(c.task.data_file)).string();
  return c;
}

std::string follow_command(const std::string& engine, const RunConfig& c, const LaunchOptions& o) {
  std::string cmd = "aha follow " + engine + " --dir " + o.data_dir + " --db runs.aha.db --run " + c.name;
  if (!o.config_path.empty()) cmd += " --config " + o.config_path;  // the run's settings, stored with it
  return cmd;
}

std::string trl_script(const RunConfig& c, const LaunchOptions& opt, const std::string& unmapped) {
  const int completions = c.per_device_train_batch_size;  // ours: completions per optimizer step
  const bool warmup_constant = c.lr_scheduler_type == "constant" && c.warmup_steps > 0;
  std::ostringstream o;
  o << "#!/usr/bin/env python3\n"
    << "# TRL GRPO launch for Aha Studio run '" << c.name << "', written by `aha export launch`.\n"
    << "# Written for " << kTrlTarget << ".\n"
    << "# Run: accelerate launch --num_processes N this_script.py (or python3 this_script.py on one\n"
    << "#   GPU). Whatever N, one optimizer step trains on " << completions << " completions ("
    << c.prompts_per_step() << " prompts x " << c.num_generations << "):\n"
    << "#   per_device_train_batch_size x N x gradient_accumulation_steps, from batch_plan() below.\n"
    << "# Sampling: vLLM beside the trainer on each GPU (use_vllm, vllm_mode \"colocate\"); AHA_VLLM=0\n"
    << "#   samples with transformers' generate() instead, AHA_VLLM_MEMORY its GPU memory share (0.3).\n"
    << "# Resume: run the script again; it continues from the newest checkpoint in output_dir.\n"
    << "# W&B or TensorBoard beside Aha Studio: AHA_REPORT_TO=wandb (TRL's report_to; default none).\n"
    << "# Follow it live: " << follow_command("trl", c, opt) << "\n"
    << "#   completions (with rewards and TRL's advantages) come from output_dir/completions/ at every\n"
    << "#   logged step (log_completions); TRL writes trainer_state.json, the other metrics, only at\n"
    << "#   save_steps (" << c.save_steps << ") and at the end.\n"
    << "# Keys of the Aha Studio config without a TRL counterpart:\n"
    << unmapped << "\n"
    << "import os\n\n"
    << python_task_module(c) << "\n\n"
    << "COMPLETIONS_PER_STEP = " << completions << "\n"
    << "MICRO_BATCH = " << opt.micro_batch_per_gpu << "  # sequences per forward/backward on one GPU (--micro-batch)\n\n\n"
    << R"PY(def batch_plan(processes):
    """(per_device_train_batch_size, gradient_accumulation_steps) such that one optimizer step
    over `processes` processes trains on exactly COMPLETIONS_PER_STEP completions."""
    if COMPLETIONS_PER_STEP % processes:
        raise SystemExit(f"{COMPLETIONS_PER_STEP} completions per step do not split over {processes} processes: "
                         "launch on a number of GPUs that divides them, or change per_device_train_batch_size")
    per_process = COMPLETIONS_PER_STEP // processes
    micro = max(m for m in range(1, min(MICRO_BATCH, per_process) + 1) if per_process % m == 0)
    return micro, per_process // micro


)PY"
    << "# --- reward functions: TRL logs them as rewards/<name>/mean, as Aha Studio does ---\n"
    << "def accuracy(completions, ground_truth, **kwargs):\n"
    << "    return [accuracy_of(parse(c)[0], gt) for c, gt in zip(completions, ground_truth)]\n\n\n"
    << "def format(completions, **kwargs):  # noqa: A001 (the metric name is \"format\")\n"
    << "    return [1.0 if parse(c)[1] else 0.0 for c in completions]\n\n\n"
    << "def main():\n"
    << "    from datasets import Dataset\n"
    << "    from transformers.trainer_utils import get_last_checkpoint\n"
    << "    from trl import GRPOConfig, GRPOTrainer\n\n"
    << "    # Prompts as plain text, rendered exactly as `aha train` renders them (TRL applies no\n"
    << "    # chat template to a string prompt).\n"
    << "    rows = [{\"prompt\": render_prompt(q), \"ground_truth\": gt} for q, gt in problems("
    << c.prompts_per_step() << " * " << c.max_steps << ", " << c.seed << ")]\n"
    << "    micro, accumulation = batch_plan(int(os.environ.get(\"WORLD_SIZE\", \"1\")))\n"
    << "    output_dir = " << py_str(opt.data_dir) << "\n"
    << "    config = GRPOConfig(\n"
    << "        output_dir=output_dir,\n"
    << "        run_name=" << py_str(c.name) << ",\n"
    << "        seed=" << c.seed << ",\n"
    << "        max_steps=" << c.max_steps << ",\n"
    << "        num_generations=" << c.num_generations << ",\n"
    << "        per_device_train_batch_size=micro,\n"
    << "        gradient_accumulation_steps=accumulation,  # one generation per optimizer step\n"
    << "        use_vllm=os.environ.get(\"AHA_VLLM\", \"1\") != \"0\",\n"
    << "        vllm_mode=\"colocate\",\n"
    << "        vllm_gpu_memory_utilization=float(os.environ.get(\"AHA_VLLM_MEMORY\", \"0.3\")),\n"
    << "        beta=" << num(c.beta) << ",\n"
    << "        epsilon=" << num(c.epsilon) << ",\n"
    << "        epsilon_high=" << num(c.epsilon_high) << ",\n"
    << "        loss_type=" << py_str(c.loss_type) << ",\n"
    << "        importance_sampling_level=" << py_str(c.importance_sampling_level) << ",\n"
    << "        scale_rewards=" << py_str(c.scale_rewards) << ",\n"
    << "        multi_objective_aggregation=" << py_str(c.multi_objective_aggregation) << ",\n"
    << (c.delta > 0 ? "        delta=" + num(c.delta) + ",\n" : std::string())
    << "        sapo_temperature_pos=" << num(c.sapo_temperature_pos) << ",\n"
    << "        sapo_temperature_neg=" << num(c.sapo_temperature_neg) << ",\n"
    << "        vllm_importance_sampling_correction=" << (c.vllm_importance_sampling_correction ? "True" : "False") << ",\n"
    << "        vllm_importance_sampling_mode=" << py_str(c.vllm_importance_sampling_mode) << ",\n"
    << "        vllm_importance_sampling_clip_min="
    << (c.vllm_importance_sampling_clip_min > 0 ? num(c.vllm_importance_sampling_clip_min) : std::string("None")) << ",\n"
    << "        vllm_importance_sampling_clip_max=" << num(c.vllm_importance_sampling_clip_max) << ",\n"
    << "        entropy_coef=" << num(c.entropy_coef) << ",\n"
    << "        use_adaptive_entropy=" << (c.use_adaptive_entropy ? "True" : "False") << ",\n"
    << "        entropy_coef_min=" << num(c.entropy_coef_min) << ",\n"
    << "        entropy_coef_max=" << num(c.entropy_coef_max) << ",\n"
    << "        entropy_coef_delta=" << num(c.entropy_coef_delta) << ",\n"
    << "        entropy_target=" << num(c.entropy_target) << ",\n"
    << "        mask_truncated_completions=" << py_bool(c.mask_truncated_completions) << ",\n"
    << "        top_entropy_quantile=" << num(c.top_entropy_quantile) << ",\n"
    << "        num_iterations=1,\n"
    << "        max_completion_length=" << c.max_completion_length << ",\n"
    << "        temperature=" << num(c.temperature) << ",\n"
    << "        top_p=" << num(c.top_p) << ",\n"
    << "        learning_rate=" << num(c.learning_rate) << ",\n"
    << "        lr_scheduler_type=" << py_str(warmup_constant ? "constant_with_warmup" : c.lr_scheduler_type)
    << (warmup_constant ? ",  # transformers' \"constant\" ignores warmup_steps" : ",") << "\n"
    << "        warmup_steps=" << c.warmup_steps << ",\n"
    << "        max_grad_norm=" << num(c.max_grad_norm) << ",\n"
    << "        weight_decay=" << num(c.weight_decay) << ",\n"
    << "        reward_weights=[";
  for (size_t i = 0; i < c.reward_weights.size(); ++i) o << (i ? ", " : "") << num(c.reward_weights[i]);
  o << "],\n"
    << "        save_steps=" << c.save_steps << ",\n"
    << "        save_total_limit=" << (c.save_total_limit > 0 ? std::to_string(c.save_total_limit) : "None") << ",\n"
    << "        gradient_checkpointing=" << py_bool(c.gradient_checkpointing) << ",\n"
    << "        bf16=" << py_bool(c.bf16) << ",\n"
    << "        logging_steps=1,  # one log_history entry per step, for aha follow trl\n"
    << "        log_completions=True,  # completions/completions_<step>.parquet, for aha follow trl\n"
    << "        report_to=os.environ.get(\"AHA_REPORT_TO\", \"none\"),\n"
    << "    )\n"
    << "    funcs = {\"accuracy\": accuracy, \"format\": format}\n"
    << "    trainer = GRPOTrainer(model=" << py_str(c.model) << ", reward_funcs=[funcs[n] for n in REWARD_WEIGHTS],\n"
    << "                          args=config, train_dataset=Dataset.from_list(rows))\n"
    << "    # A first run starts fresh; a second one continues from the newest checkpoint.\n"
    << "    last = get_last_checkpoint(output_dir) if os.path.isdir(output_dir) else None\n"
    << "    trainer.train(resume_from_checkpoint=last)\n"
    << "    trainer.save_state()\n\n\n"
    << "if __name__ == \"__main__\":\n"
    << "    main()\n";
  return o.str();
}

std::string verl_script(const RunConfig& c, const LaunchOptions& opt, const std::string& unmapped) {
  const bool kl = c.beta > 0;
  const int prompts = c.prompts_per_step();
  const std::string micro = std::to_string(opt.micro_batch_per_gpu);
  std::ostringstream o;
  o << "#!/usr/bin/env bash\n"
    << "# veRL GRPO launch for Aha Studio run '" << c.name << "', written by `aha export launch`.\n"
    << "# Written for " << kVerlTarget << ".\n"
    << "# Where it runs (change with these variables, or re-export with --gpus/--nodes/--tp):\n"
    << "#   AHA_GPUS   GPUs per node (default: "
    << (opt.gpus_per_node > 0 ? std::to_string(opt.gpus_per_node) : std::string("every GPU nvidia-smi lists")) << ")\n"
    << "#   AHA_NODES  nodes (default " << opt.nodes << "), AHA_TP  vLLM tensor parallel size (default "
    << opt.rollout_tp << ")\n"
    << "#   AHA_WORK_DIR  data, reward file and parquet (default ./aha-" << c.name << ")\n"
    << "#   AHA_LOGGER    veRL's loggers (default [console,file]; add wandb: [console,file,wandb])\n"
    << "# Several nodes (docs/CLUSTER.md): start Ray on each first (ray start --head, then\n"
    << "#   ray start --address=HEAD:6379), put AHA_WORK_DIR, the model and " << opt.data_dir << "\n"
    << "#   on a folder every node mounts at the same path, and run this on the head node.\n"
    << "# Resume: run it again; veRL continues from the newest checkpoint (trainer.resume_mode=auto).\n"
    << "# LoRA and any other veRL key: append Hydra overrides, e.g. actor_rollout_ref.model.lora_rank=64.\n"
    << "# Every step's rollouts are dumped to " << opt.data_dir << ", veRL's metrics to\n"
    << "# " << opt.data_dir << "/metrics.jsonl; follow both live with\n"
    << "#   " << follow_command("verl", c, opt) << "\n"
    << "# Keys of the Aha Studio config without a veRL counterpart:\n"
    << unmapped
    << "set -euo pipefail\n"
    << "work=\"${AHA_WORK_DIR:-$PWD/aha-" << c.name << "}\"\n"
    << "gpus=\"${AHA_GPUS:-"
    << (opt.gpus_per_node > 0 ? std::to_string(opt.gpus_per_node) : std::string("$(nvidia-smi -L | wc -l)")) << "}\"\n"
    << "nodes=\"${AHA_NODES:-" << opt.nodes << "}\"\n"
    << "tp=\"${AHA_TP:-" << opt.rollout_tp << "}\"\n"
    << "logger=\"${AHA_LOGGER:-[console,file]}\"\n"
    << "if [ \"$nodes\" -gt 1 ] && ! ray status >/dev/null 2>&1; then\n"
    << "  echo \"AHA_NODES=$nodes: no Ray cluster here; start one first (ray start, docs/CLUSTER.md)\" >&2\n"
    << "  exit 2\n"
    << "fi\n"
    << "mkdir -p \"$work\" " << opt.data_dir << "\n"
    << "# Read by aha import/follow verl; passed to the Ray workers too (they log on other nodes).\n"
    << "export VERL_FILE_LOGGER_PATH=" << opt.data_dir << "/metrics.jsonl\n\n"
    << "# 1. Our task and reward rules as veRL's custom reward function.\n"
    << "cat > \"$work/aha_reward.py\" <<'AHA_PY'\n"
    << python_task_module(c) << "\n\n"
    << "def compute_score(data_source, solution_str, ground_truth, extra_info=None, **kwargs):\n"
    << "    return scores(solution_str, ground_truth)  # extra keys are dumped beside \"score\"\n"
    << "AHA_PY\n\n"
    << "# 2. The problems as veRL parquet. Each prompt is rendered as `aha train` renders it; the\n"
    << "#    chat template given to veRL below passes it through unchanged (veRL would otherwise\n"
    << "#    wrap it in the model's own template and lose the instruction and the opening <think>).\n"
    << "python3 - \"$work\" <<'AHA_PY'\n"
    << "import sys\nimport pandas as pd\nsys.path.insert(0, sys.argv[1])\nimport aha_reward as t\n"
    << "rows = [{\"data_source\": \"aha\", \"prompt\": [{\"role\": \"user\", \"content\": t.render_prompt(q)}],\n"
    << "         \"reward_model\": {\"style\": \"rule\", \"ground_truth\": gt}}\n"
    << "        for q, gt in t.problems(" << prompts << " * " << c.max_steps << ", " << c.seed << ")]\n"
    << "pd.DataFrame(rows).to_parquet(sys.argv[1] + \"/train.parquet\")\n"
    << "pd.DataFrame(rows[:" << prompts << "]).to_parquet(sys.argv[1] + \"/val.parquet\")\n"
    << "AHA_PY\n"
    << "as_written='{% for m in messages %}{{ m.content }}{% endfor %}'\n\n"
    << "# 3. Train.\n"
    << "python3 -m verl.trainer.main_ppo \\\n"
    << "  algorithm.adv_estimator=" << c.adv_estimator << " \\\n"
    << "  algorithm.norm_adv_by_std_in_grpo=" << (c.scale_rewards != "none" ? "True" : "False") << " \\\n"
    << "  algorithm.use_kl_in_reward=False \\\n"
    << "  data.train_files=\"$work/train.parquet\" \\\n"
    << "  data.val_files=\"$work/val.parquet\" \\\n"
    << "  data.train_batch_size=" << prompts << " \\\n"
    << "  data.max_prompt_length=1024 \\\n"
    << "  data.max_response_length=" << c.max_completion_length << " \\\n"
    << "  data.seed=" << c.seed << " \\\n"
    << "  \"+data.apply_chat_template_kwargs.chat_template='$as_written'\" \\\n"
    << "  actor_rollout_ref.model.path=" << c.model << " \\\n"
    << "  actor_rollout_ref.model.enable_gradient_checkpointing=" << (c.gradient_checkpointing ? "True" : "False") << " \\\n"
    << "  actor_rollout_ref.actor.entropy_coeff=" << num(c.entropy_coef) << " \\\n"
    // (veRL caps every negative advantage's ratio at 3 unless told: delta 0 here caps nothing)
    << "  actor_rollout_ref.actor.clip_ratio_c=" << (c.delta > 0 ? num(c.delta) : std::string("1e9")) << " \\\n"
    << "  actor_rollout_ref.actor.policy_loss.loss_mode=" << c.loss_mode << " \\\n"
    << "  actor_rollout_ref.actor.policy_loss.clip_cov_ratio=" << num(c.clip_cov_ratio) << " \\\n"
    << "  actor_rollout_ref.actor.policy_loss.clip_cov_lb=" << num(c.clip_cov_lb) << " \\\n"
    << "  actor_rollout_ref.actor.policy_loss.clip_cov_ub=" << num(c.clip_cov_ub) << " \\\n"
    << "  actor_rollout_ref.actor.policy_loss.kl_cov_ratio=" << num(c.kl_cov_ratio) << " \\\n"
    << "  actor_rollout_ref.actor.policy_loss.ppo_kl_coef=" << num(c.ppo_kl_coef) << " \\\n"
    << "  actor_rollout_ref.actor.optim.lr=" << num(c.learning_rate) << " \\\n"
    << "  actor_rollout_ref.actor.optim.weight_decay=" << num(c.weight_decay) << " \\\n"
    << "  actor_rollout_ref.actor.optim.lr_warmup_steps=" << c.warmup_steps << " \\\n"
    << "  actor_rollout_ref.actor.optim.lr_scheduler_type=" << c.lr_scheduler_type << " \\\n"
    << "  actor_rollout_ref.actor.ppo_mini_batch_size=" << prompts << " \\\n"
    << "  actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu=" << micro << " \\\n"
    << "  actor_rollout_ref.actor.use_dynamic_bsz=False \\\n"
    << "  actor_rollout_ref.actor.ppo_epochs=" << c.num_iterations << " \\\n"
    << "  actor_rollout_ref.actor.clip_ratio_low=" << num(c.epsilon) << " \\\n"
    << "  actor_rollout_ref.actor.clip_ratio_high=" << num(c.epsilon_high) << " \\\n"
    << "  actor_rollout_ref.actor.loss_agg_mode=" << verl_loss_agg(c.loss_type) << " \\\n";
  if (c.loss_type == "dr_grpo")  // a constant divisor, as TRL's dr_grpo divides by max_completion_length
    o << "  actor_rollout_ref.actor.loss_scale_factor=" << c.max_completion_length << " \\\n";
  o << "  actor_rollout_ref.actor.optim.clip_grad=" << num(c.max_grad_norm) << " \\\n"
    << "  actor_rollout_ref.actor.use_kl_loss=" << (kl ? "True" : "False") << " \\\n"
    << "  actor_rollout_ref.actor.kl_loss_coef=" << num(c.beta) << " \\\n"
    << "  actor_rollout_ref.actor.kl_loss_type=low_var_kl \\\n";
  if (kl) o << "  actor_rollout_ref.ref.log_prob_micro_batch_size_per_gpu=" << micro << " \\\n";
  o << "  actor_rollout_ref.rollout.name=vllm \\\n"
    << "  actor_rollout_ref.rollout.tensor_model_parallel_size=\"$tp\" \\\n"
    << "  actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu=" << micro << " \\\n"
    << "  actor_rollout_ref.rollout.n=" << c.num_generations << " \\\n"
    << "  actor_rollout_ref.rollout.temperature=" << num(c.temperature) << " \\\n"
    << "  actor_rollout_ref.rollout.top_p=" << num(c.top_p) << " \\\n"
    << "  reward.custom_reward_function.path=\"$work/aha_reward.py\" \\\n"
    << "  reward.custom_reward_function.name=compute_score \\\n"
    << "  trainer.project_name=aha-studio \\\n"
    << "  trainer.experiment_name=" << c.name << " \\\n"
    << "  trainer.n_gpus_per_node=\"$gpus\" \\\n"
    << "  trainer.nnodes=\"$nodes\" \\\n"
    << "  trainer.total_training_steps=" << c.max_steps << " \\\n"
    << "  trainer.save_freq=" << c.save_steps << " \\\n"
    << "  trainer.max_actor_ckpt_to_keep=" << (c.save_total_limit > 0 ? std::to_string(c.save_total_limit) : "null")
    << " \\\n"
    << "  trainer.rollout_data_dir=" << opt.data_dir << " \\\n"
    << "  trainer.logger=\"$logger\" \\\n"
    << "  trainer.resume_mode=auto \\\n"
    << "  \"+ray_kwargs.ray_init.runtime_env.env_vars.VERL_FILE_LOGGER_PATH=$VERL_FILE_LOGGER_PATH\" \\\n"
    << "  \"$@\"\n";
  return o.str();
}

}  // namespace

std::string launch_script(const RunConfig& config, const std::string& engine, const LaunchOptions& options) {
  if (engine != "verl" && engine != "trl")
    throw std::invalid_argument("unknown engine '" + engine + "' (known: verl, trl)");
  if (options.nodes < 1 || options.gpus_per_node < 0 || options.rollout_tp < 1 || options.micro_batch_per_gpu < 1)
    throw std::invalid_argument("nodes, tensor parallel size and micro batch must be at least 1, GPUs at least 0 (all)");
  LaunchOptions opt = options;
  opt.data_dir = expand_user_path(opt.data_dir).string();
  if (!opt.config_path.empty()) opt.config_path = std::filesystem::absolute(expand_user_path(opt.config_path)).string();
  const RunConfig c = for_engine(config, engine);
  std::ostringstream unmapped;
  for (const auto& k : launch_key_mapping(c, engine))
    if (k.theirs.empty()) unmapped << "#   " << k.ours << ": " << k.note << "\n";
  return engine == "trl" ? trl_script(c, opt, unmapped.str()) : verl_script(c, opt, unmapped.str());
}

}  // namespace aha
