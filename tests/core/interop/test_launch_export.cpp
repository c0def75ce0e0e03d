// Launch scripts for veRL and TRL: every config key mapped, only keys the engines have,
// the prompt `aha train` would use, paths and placement the engine can run with.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <regex>
#include <set>

#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include "core/interop/launch_export.h"
#include "tests/core/core_tests.h"

using namespace aha;

namespace {

// The Hydra keys the veRL script may set, each present in verl/trainer/config/
// _generated_ppo_trainer.yaml at veRL v0.9.0 (verl-project/verl 483b8a0, 2026-08-14) and at main
// 0.10.0.dev (1dda039, 2026-08-22), and read by their code: gradient clipping is
// actor.optim.clip_grad (actor.grad_clip is declared but read by nothing since 0.8), the
// reward file reward.custom_reward_function (the top-level custom_reward_function is only
// migrated by the fully async trainer since 45632b5, 2026-06-12). The January snapshot these
// tests were first pinned to (b178a3c) differs in those two keys only.
const std::set<std::string> kVerlKeys = {
    "algorithm.adv_estimator", "algorithm.norm_adv_by_std_in_grpo", "algorithm.use_kl_in_reward",
    "data.train_files", "data.val_files", "data.train_batch_size", "data.max_prompt_length",
    "data.max_response_length", "data.seed",
    "data.apply_chat_template_kwargs.chat_template",  // a new key in the {} the yaml declares
    "actor_rollout_ref.model.path", "actor_rollout_ref.model.enable_gradient_checkpointing",
    "actor_rollout_ref.actor.optim.lr", "actor_rollout_ref.actor.optim.weight_decay",
    "actor_rollout_ref.actor.optim.lr_warmup_steps", "actor_rollout_ref.actor.optim.lr_scheduler_type",
    "actor_rollout_ref.actor.ppo_mini_batch_size", "actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu",
    "actor_rollout_ref.actor.use_dynamic_bsz", "actor_rollout_ref.actor.ppo_epochs",
    "actor_rollout_ref.actor.clip_ratio_low", "actor_rollout_ref.actor.clip_ratio_high",
    "actor_rollout_ref.actor.loss_agg_mode", "actor_rollout_ref.actor.loss_scale_factor",
    "actor_rollout_ref.actor.optim.clip_grad", "actor_rollout_ref.actor.use_kl_loss", "actor_rollout_ref.actor.kl_loss_coef",
    "actor_rollout_ref.actor.kl_loss_type", "actor_rollout_ref.ref.log_prob_micro_batch_size_per_gpu",
    // the entropy mechanism's losses (actor.yaml's policy_loss and entropy_coeff, in v0.9.0 483b8a0 and 1dda039)
    "actor_rollout_ref.actor.entropy_coeff", "actor_rollout_ref.actor.clip_ratio_c",
    "actor_rollout_ref.actor.policy_loss.loss_mode", "actor_rollout_ref.actor.policy_loss.clip_cov_ratio",
    "actor_rollout_ref.actor.policy_loss.clip_cov_lb", "actor_rollout_ref.actor.policy_loss.clip_cov_ub",
    "actor_rollout_ref.actor.policy_loss.kl_cov_ratio", "actor_rollout_ref.actor.policy_loss.ppo_kl_coef",
    "actor_rollout_ref.rollout.name", "actor_rollout_ref.rollout.tensor_model_parallel_size",
    "actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu", "actor_rollout_ref.rollout.n",
    "actor_rollout_ref.rollout.temperature", "actor_rollout_ref.rollout.top_p", "reward.custom_reward_function.path",
    "reward.custom_reward_function.name", "trainer.project_name", "trainer.experiment_name", "trainer.n_gpus_per_node",
    "trainer.nnodes", "trainer.total_training_steps", "trainer.save_freq", "trainer.max_actor_ckpt_to_keep",
    "trainer.rollout_data_dir", "trainer.resume_mode",
    "trainer.logger"};

// The GRPOConfig keywords the TRL script may pass: TRL 1.10.0.dev0 (commit f2cd577,
// 2026-07-24) trl/trainer/grpo_config.py, and the transformers TrainingArguments it extends.
const std::set<std::string> kTrlKeys = {
    // grpo_config.py
    "num_generations", "max_completion_length", "temperature", "top_p", "beta", "num_iterations", "epsilon",
    "epsilon_high", "reward_weights", "scale_rewards", "loss_type", "log_completions", "learning_rate",
    "importance_sampling_level", "mask_truncated_completions", "top_entropy_quantile", "multi_objective_aggregation",
    "entropy_coef", "use_adaptive_entropy", "entropy_coef_min", "entropy_coef_max", "entropy_coef_delta",
    "entropy_target", "sapo_temperature_pos", "sapo_temperature_neg", "delta", "vllm_importance_sampling_correction",
    "vllm_importance_sampling_mode", "vllm_importance_sampling_clip_min", "vllm_importance_sampling_clip_max",
    // transformers TrainingArguments
    "use_vllm", "vllm_mode", "vllm_gpu_memory_utilization",
    // transformers TrainingArguments
    "output_dir", "run_name", "seed", "max_steps", "per_device_train_batch_size", "gradient_accumulation_steps",
    "lr_scheduler_type", "warmup_steps", "max_grad_norm", "weight_decay", "save_steps", "save_total_limit",
    "gradient_checkpointing", "bf16", "logging_steps", "report_to"};

RunConfig preset(const char* name) {
  auto c = RunConfig::load(std::string(AHA_SOURCE_DIR) + "/resources/presets/" + name);
  c.model = "/models/qwen";  // the presets' "~/models/..." is checked on its own below
  c.task.data_file.clear();
  return c;
}

LaunchOptions options() {
  LaunchOptions o;
  o.data_dir = "/data/out";
  o.config_path = "/cfg/run.toml";
  return o;
}

std::string write_temp(const QTemporaryDir& dir, const char* name, const std::string& text) {
  const std::string path = dir.filePath(name).toStdString();
  std::ofstream(path) << text;
  return path;
}

QString run(const QString& program, const QStringList& args) {
  QProcess p;
  p.start(program, args);
  if (!p.waitForFinished(30000)) return "timeout";
  return p.exitCode() == 0 ? QString::fromUtf8(p.readAllStandardOutput())
                           : "exit " + QString::number(p.exitCode()) + ": " + p.readAllStandardError();
}

}  // namespace

void LaunchExportTest::scriptsMapEveryKey() {
  const auto cfg = preset("qwen2.5-gsm8k.toml");
  const auto table = toml::parse(cfg.to_toml());
  std::vector<std::string> keys;
  for (const auto& [k, v] : table) {
    if (k.str() == "task")
      for (const auto& [tk, tv] : *v.as_table()) keys.push_back("task." + std::string(tk.str()));
    else
      keys.push_back(std::string(k.str()));
  }
  QVERIFY(keys.size() > 30);
  for (const std::string engine : {"verl", "trl"}) {
    const auto mapping = launch_key_mapping(cfg, engine);
    const std::string script = launch_script(cfg, engine, options());
    for (const auto& key : keys) {
      const auto it = std::find_if(mapping.begin(), mapping.end(), [&](const KeyMapping& m) { return m.ours == key; });
      QVERIFY2(it != mapping.end(), qPrintable(QString::fromStdString(engine + ": config key '" + key + "' has no mapping")));
      if (it->theirs.empty()) {
        QVERIFY2(script.find("#   " + key + ": ") != std::string::npos, qPrintable(QString::fromStdString(key)));
        continue;
      }
      // A named key of the engine appears in the script itself.
      const std::string named = it->theirs.substr(0, it->theirs.find(' '));
      const std::string leaf = named.substr(named.find('.') == std::string::npos ? 0 : named.rfind('.') + 1);
      if (named.find('.') != std::string::npos && named.find('(') == std::string::npos)
        QVERIFY2(script.find(engine == "verl" ? named + "=" : leaf + "=") != std::string::npos,
                 qPrintable(QString::fromStdString(engine + ": " + key + " -> " + named + " missing from the script")));
    }
  }
}

void LaunchExportTest::scriptsUseOnlyKeysTheEnginesHave() {
  QTemporaryDir dir;
  for (const char* name : {"qwen2.5-gsm8k.toml", "qwen2.5-countdown.toml"}) {
    auto cfg = preset(name);
    for (const double beta : {0.0, 0.04}) {  // a reference model adds the ref.* keys
      cfg.beta = beta;
      const std::string verl = launch_script(cfg, "verl", options());
      static const std::regex hydra(R"(^  "?\+?([a-z_]+(\.[a-z_]+)+)=)");
      std::set<std::string> seen;
      std::istringstream lines(verl);
      for (std::string line; std::getline(lines, line);) {
        std::smatch m;
        if (!std::regex_search(line, m, hydra)) continue;
        seen.insert(m[1]);
        QVERIFY2(kVerlKeys.count(m[1]), qPrintable(QString::fromStdString("not a veRL key: " + line)));
      }
      // What veRL's config validation needs to start, and what the dumps need.
      for (const char* needed : {"actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu",
                                 "actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu",
                                 "actor_rollout_ref.actor.use_dynamic_bsz", "trainer.n_gpus_per_node",
                                 "trainer.nnodes", "actor_rollout_ref.rollout.tensor_model_parallel_size"})
        QVERIFY2(seen.count(needed), needed);
      QCOMPARE(seen.count("actor_rollout_ref.ref.log_prob_micro_batch_size_per_gpu"), size_t(beta > 0));
      // dr_grpo: a constant loss scale as TRL's (max_completion_length), not the batch's length.
      QCOMPARE(verl.find("loss_scale_factor=" + std::to_string(cfg.max_completion_length)) != std::string::npos,
               cfg.loss_type == "dr_grpo");
      QVERIFY(verl.find("warmup_style") == std::string::npos);  // deprecated in veRL 0.8
      QCOMPARE(run("bash", {"-n", QString::fromStdString(write_temp(dir, "launch.sh", verl))}), QString());

      const std::string trl = launch_script(cfg, "trl", options());
      const auto begin = trl.find("GRPOConfig(\n"), end = trl.find("\n    )", begin);
      QVERIFY(begin != std::string::npos && end != std::string::npos);
      static const std::regex keyword(R"(^        ([a-z_0-9]+)=)");
      std::istringstream args(trl.substr(begin, end - begin));
      int count = 0;
      for (std::string line; std::getline(args, line);) {
        std::smatch m;
        if (!std::regex_search(line, m, keyword)) continue;
        ++count;
        QVERIFY2(kTrlKeys.count(m[1]), qPrintable(QString::fromStdString("not a GRPOConfig keyword: " + line)));
      }
      QCOMPARE(count, int(kTrlKeys.size()) - (cfg.delta > 0 ? 0 : 1));  // delta only when set
      QVERIFY(trl.find("scale_rewards=\"" + cfg.scale_rewards + "\"") != std::string::npos);
      QVERIFY(trl.find("log_completions=True") != std::string::npos);
      QCOMPARE(run("python3", {"-m", "py_compile", QString::fromStdString(write_temp(dir, "launch.py", trl))}),
               QString());
    }
  }
}

void LaunchExportTest::scriptsTrainOnOurPrompt() {
  // Both engines get the prompt exactly as `aha train` renders it, for a base model's plain
  // template and an instruct model's ChatML; the reward rules agree with the engine's.
  QTemporaryDir dir;
  auto cfg = preset("qwen2.5-gsm8k.toml");
  Problem p;
  p.question = "Tom has 3 apples and buys 4 more. How many now?";
  for (const char* chat : {"none", "chatml"}) {
    cfg.chat_template = chat;
    cfg.prompt_template = cfg.chat_template == "none" ? "r1-zero" : "{question}";  // a base model's, an instruct one's
    const std::string trl = launch_script(cfg, "trl", options());
    const std::string py = write_temp(dir, "launch.py", trl);
    const QString out = run("python3", {"-c", "import importlib.util as u, json; s = u.spec_from_file_location('l', '" +
                                                  QString::fromStdString(py) +
                                                  "'); m = u.module_from_spec(s); s.loader.exec_module(m); "
                                                  "print(json.dumps(m.render_prompt(" +
                                                  QString::fromStdString(nlohmann::json(p.question).dump()) +
                                                  "))); print(m.scores('6*7=42</think><answer>42</answer>', '42'), "
                                                  "m.scores('</think><answer>41</answer>', '42'))"});
    const auto lines = out.split('\n');
    QVERIFY2(lines.size() >= 2, qPrintable(out));
    QCOMPARE(QString::fromStdString(nlohmann::json::parse(lines[0].toStdString()).get<std::string>()),
             QString::fromStdString(cfg.prompt_format().render(p)));
    QVERIFY2(lines[1].contains("{'accuracy': 1.0, 'format': 1.0, 'score': 1.2} {'accuracy': 0.0, 'format': 1.0, 'score': 0.2}"),
             qPrintable(out));
    // veRL: the same rendering goes into the data, and a chat template that writes the
    // messages as they are keeps veRL from wrapping them in the model's own.
    const std::string verl = launch_script(cfg, "verl", options());
    QVERIFY(verl.find("\"content\": t.render_prompt(q)") != std::string::npos);
    QVERIFY(verl.find("as_written='{% for m in messages %}{{ m.content }}{% endfor %}'") != std::string::npos);
    QVERIFY(verl.find("\"+data.apply_chat_template_kwargs.chat_template='$as_written'\"") != std::string::npos);
    QVERIFY(verl.find("def compute_score(data_source, solution_str, ground_truth, extra_info=None, **kwargs)") !=
            std::string::npos);
  }
}

void LaunchExportTest::pathsModelsAndPlacement() {
  auto cfg = RunConfig::load(std::string(AHA_SOURCE_DIR) + "/resources/presets/qwen2.5-countdown.toml");
  QCOMPARE(QString::fromStdString(cfg.model), QString("~/models/Qwen2.5-1.5B"));
  const std::string home = qEnvironmentVariable("HOME").toStdString();
  for (const std::string engine : {"verl", "trl"}) {
    auto o = options();
    o.data_dir = "~/rollouts/x";
    o.config_path = "run.toml";
    const std::string script = launch_script(cfg, engine, o);
    // "~" never reaches the engine (it would be a hub id, or a folder named "~").
    QVERIFY2(script.find("~/") == std::string::npos, qPrintable(QString::fromStdString(script.substr(0, 400))));
    QVERIFY(script.find(home + "/models/Qwen2.5-1.5B") != std::string::npos);
    QVERIFY(script.find("DATA_FILE = \"" + home + "/data/countdown/train.jsonl\"") != std::string::npos);
    // The follow command carries the config, so the run keeps its settings and advantages.
    QVERIFY(script.find("aha follow " + engine + " --dir " + home + "/rollouts/x --db runs.aha.db --run " + cfg.name +
                        " --config " + std::filesystem::absolute("run.toml").string()) != std::string::npos);
  }
  // The built-in model is refused by name, with the fix.
  auto builtin = RunConfig::load(std::string(AHA_SOURCE_DIR) + "/resources/presets/demo-arithmetic.toml");
  try {
    launch_script(builtin, "verl", options());
    QFAIL("the built-in model was exported");
  } catch (const std::invalid_argument& e) {
    QVERIFY2(std::string(e.what()).find("model: 'builtin:tiny-arithmetic' is Aha Studio's built-in model") !=
                 std::string::npos, e.what());
  }
  // Control rewards: format_only is written as the format check; the random and wrong-label
  // draws are ours, so those are refused by name for either engine.
  auto controls = preset("qwen2.5-gsm8k.toml");
  controls.reward_funcs = {"format_only", "format"};
  QVERIFY(launch_script(controls, "trl", options()).find("\"format_only\": 1.0 if ok else 0.0") != std::string::npos);
  for (const char* control : {"random", "incorrect_label"})
    for (const char* engine : {"verl", "trl"}) {
      controls.reward_funcs = {control, "format"};
      try {
        launch_script(controls, engine, options());
        QFAIL("a control reward was exported");
      } catch (const std::invalid_argument& e) {
        QVERIFY2(std::string(e.what()).find(std::string("reward_funcs: ") + control + ": not exported") !=
                     std::string::npos, e.what());
      }
    }
  // Placement: one node, every visible GPU and TP 1 unless told; the script says so at its top.
  const std::string all = launch_script(preset("qwen2.5-gsm8k.toml"), "verl", options());
  QVERIFY(all.find("gpus=\"${AHA_GPUS:-$(nvidia-smi -L | wc -l)}\"") != std::string::npos);
  QVERIFY(all.find("nodes=\"${AHA_NODES:-1}\"") != std::string::npos);
  QVERIFY(all.find("tp=\"${AHA_TP:-1}\"") != std::string::npos);
  QVERIFY(all.find("trainer.n_gpus_per_node=\"$gpus\"") != std::string::npos);
  QVERIFY(all.find("#   AHA_GPUS") < all.find("set -euo pipefail"));
  auto o = options();
  o.gpus_per_node = 4, o.nodes = 2, o.rollout_tp = 2;
  const std::string four = launch_script(preset("qwen2.5-gsm8k.toml"), "verl", o);
  QVERIFY(four.find("gpus=\"${AHA_GPUS:-4}\"") != std::string::npos);
  QVERIFY(four.find("nodes=\"${AHA_NODES:-2}\"") != std::string::npos);
  QVERIFY(four.find("tp=\"${AHA_TP:-2}\"") != std::string::npos);
  // The metrics veRL logs land beside the dumps, where `aha import verl` reads them.
  QVERIFY(all.find("export VERL_FILE_LOGGER_PATH=/data/out/metrics.jsonl") != std::string::npos);
  QVERIFY(all.find("logger=\"${AHA_LOGGER:-[console,file]}\"") != std::string::npos);
  QVERIFY(all.find("trainer.logger=\"$logger\"") != std::string::npos);
  // Ray workers on other nodes log too: the variable travels in Ray's runtime env.
  QVERIFY(all.find("\"+ray_kwargs.ray_init.runtime_env.env_vars.VERL_FILE_LOGGER_PATH=$VERL_FILE_LOGGER_PATH\"") !=
          std::string::npos);
  // Keys current veRL reads (not the ones it declares and ignores).
  QVERIFY(all.find("actor_rollout_ref.actor.optim.clip_grad=") != std::string::npos);
  QVERIFY(all.find("actor.grad_clip") == std::string::npos);
  QVERIFY(all.find("  reward.custom_reward_function.path=") != std::string::npos);
  QVERIFY(all.find("\n  custom_reward_function.") == std::string::npos);
  o.rollout_tp = 0;
  QVERIFY_THROWS_EXCEPTION(std::invalid_argument, launch_script(preset("qwen2.5-gsm8k.toml"), "verl", o));
}

namespace {

// The TRL script loaded as a module in Python, `expression` printed.
QString trl_eval(const QTemporaryDir& dir, const std::string& script, const QString& expression) {
  const std::string py = write_temp(dir, "launch_trl.py", script);
  return run("python3", {"-c", "import importlib.util as u; s = u.spec_from_file_location('l', '" +
                                   QString::fromStdString(py) + "'); m = u.module_from_spec(s); "
                                   "s.loader.exec_module(m); print(" + expression + ")"})
      .trimmed();
}

}  // namespace

void LaunchExportTest::trlBatchIsOneStepOnAnyNumberOfGpus() {
  // TRL's per_device_train_batch_size is one process's micro-batch; an optimizer step is
  // per_device x processes x gradient_accumulation_steps completions (grpo_config.py,
  // generation_batch_size). The script's batch_plan() keeps that at our step's completions.
  QTemporaryDir dir;
  for (const char* name : {"qwen2.5-countdown.toml", "qwen2.5-gsm8k.toml"}) {
    const auto cfg = preset(name);
    for (const int micro : {4, 3}) {
      auto o = options();
      o.micro_batch_per_gpu = micro;
      const std::string trl = launch_script(cfg, "trl", o);
      QVERIFY(trl.find("per_device_train_batch_size=micro,") != std::string::npos);
      QVERIFY(trl.find("gradient_accumulation_steps=accumulation,") != std::string::npos);
      const QString plans = trl_eval(dir, trl, "[m.batch_plan(n) for n in (1, 2, 8)]");
      const auto numbers = plans.split(QRegularExpression("[^0-9]+"), Qt::SkipEmptyParts);
      QVERIFY2(numbers.size() == 6, qPrintable(plans));
      const int processes[] = {1, 2, 8};
      for (int i = 0; i < 3; ++i) {
        const int per_device = numbers[2 * i].toInt(), accumulation = numbers[2 * i + 1].toInt();
        QVERIFY2(per_device >= 1 && per_device <= micro, qPrintable(plans));
        QCOMPARE(per_device * processes[i] * accumulation, cfg.per_device_train_batch_size);
        QCOMPARE(per_device * processes[i] * accumulation % cfg.num_generations, 0);  // TRL's own check
      }
    }
    // A number of processes that cannot share the step is refused when the job starts.
    const QString odd = trl_eval(dir, launch_script(cfg, "trl", options()), "m.batch_plan(7)");
    QVERIFY2(odd.contains("do not split over 7 processes"), qPrintable(odd));
    // vLLM beside the trainer unless AHA_VLLM=0.
    const std::string trl = launch_script(cfg, "trl", options());
    QVERIFY(trl.find("use_vllm=os.environ.get(\"AHA_VLLM\", \"1\") != \"0\",") != std::string::npos);
    QVERIFY(trl.find("vllm_mode=\"colocate\",") != std::string::npos);
    QVERIFY(trl.find("trainer.train(resume_from_checkpoint=last)") != std::string::npos);
  }
}

void LaunchExportTest::trlSchedulesAndReuseAsTrlReadsThem() {
  auto cfg = preset("qwen2.5-gsm8k.toml");
  // transformers' "constant" ignores warmup_steps; ours (and veRL's) warm up.
  cfg.lr_scheduler_type = "constant";
  cfg.warmup_steps = 10;
  QVERIFY(launch_script(cfg, "trl", options()).find("lr_scheduler_type=\"constant_with_warmup\"") != std::string::npos);
  cfg.warmup_steps = 0;
  QVERIFY(launch_script(cfg, "trl", options()).find("lr_scheduler_type=\"constant\",") != std::string::npos);
  // TRL counts each reuse of a generation as a step: num_iterations > 1 is refused for TRL
  // with the fix, and kept for veRL (ppo_epochs, passes inside one step, as ours).
  cfg.num_iterations = 2;
  try {
    launch_script(cfg, "trl", options());
    QFAIL("num_iterations = 2 was exported to TRL");
  } catch (const std::invalid_argument& e) {
    QVERIFY2(std::string(e.what()).find("num_iterations = 2") != std::string::npos, e.what());
  }
  QVERIFY(launch_script(cfg, "verl", options()).find("actor_rollout_ref.actor.ppo_epochs=2") != std::string::npos);
}
