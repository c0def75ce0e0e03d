#include <QTemporaryDir>
#include <QThread>

#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "core/analysis/reflection_events.h"
#include "core/analysis/token_trace.h"
#include "core/model/checkpoint.h"
#include "core/rl/grpo_trainer.h"
#include "core/rl/torch_engine.h"
#include "core/run/job.h"
#include "core/run/sweep_job.h"
#include "core/run/memory_sink.h"
#include "core/rl/pretrain.h"
#include "core/rl/probe.h"
#include "core/rl/resample.h"
#include "core/run/continuations.h"
#include "core/rl/sampler.h"
#include "core/tasks/rewards.h"
#include "db/run_reader.h"
#include "db/run_store.h"
#include "core/run/advantages.h"
#include "tests/core/core_tests.h"
#include "tests/core/rl/trainer_fixture.h"

using namespace aha;
using namespace aha::test;


void TrainerTest::initTestCase() {
  // A base model pretrained for a few seconds: it has half learned the format.
  const QString cfg_path = scratch().filePath("pretrain.toml");
  std::ofstream(cfg_path.toStdString()) << R"(
[model]
hidden_size = 48
intermediate_size = 96
num_hidden_layers = 2
num_attention_heads = 4
num_key_value_heads = 2
[task]
name = "arithmetic"
min_terms = 2
max_terms = 2
min_value = 0
max_value = 4
[corpus]
mistake_rate = 0.5
check_rate = 0.0
drill_rate = 0.0
[train]
iterations = 150
batch_size = 32
learning_rate = 3e-3
warmup_steps = 10
seed = 5
threads = 1
eval_samples = 0
)";
  base_ = scratch().filePath("base");
  auto cfg = PretrainConfig::load(cfg_path.toStdString());
  pretrain(cfg, cfg_path.toStdString(), base_.toStdString(), [](const PretrainProgress&) {});
  QVERIFY(QFile::exists(base_ + "/model.safetensors"));
}

void TrainerTest::rewardGoesUpOnTrivialTask() {
  MemorySink sink;
  GrpoTrainer trainer(trivial_run(base_), sink, scratch().filePath("ckpt-a").toStdString());
  trainer.prepare(false);
  while (!trainer.finished()) trainer.train_step();
  QCOMPARE(sink.steps.size(), size_t(20));
  QCOMPARE(sink.steps[0].samples.size(), size_t(64));
  const double early = mean_metric(sink, 0, 3, "reward"), late = mean_metric(sink, 17, 20, "reward");
  qInfo("reward: first 3 steps %.3f, last 3 steps %.3f", early, late);
  QVERIFY2(late > early + 0.08, qPrintable(QString("reward %1 -> %2").arg(early).arg(late)));
  // Every sample is stored with its advantages summing to zero per group.
  for (int g = 0; g < 8; ++g) {
    double sum = 0;
    for (int i = 0; i < 8; ++i) sum += sink.steps[5].samples[g * 8 + i].advantage;
    QVERIFY(std::abs(sum) < 1e-3);
  }
  QCOMPARE(sink.checkpoints.size(), size_t(5));
  QVERIFY(!std::isnan(sink.metric(0, "entropy")));
  // Only what is measured: num_iterations = 1 (ratios exactly 1) has no clip ratio, and
  // beta = 0 (no reference model) no KL; neither is stored as a 0.
  QVERIFY(std::isnan(sink.metric(0, "clip_ratio/region_mean")));
  QVERIFY(std::isnan(sink.metric(0, "kl")));
}

void TrainerTest::variantsTrainAndReportWhatTheyMeasured() {
  // DAPO's dynamic sampling with RLOO advantages, CISPO over GSPO's sequence ratios, two
  // updates per batch, truncated completions masked, the top 20% of tokens by entropy and
  // the overlong shaping: every option at once on a few steps.
  MemorySink sink;
  RunConfig c = trivial_run(base_);
  c.max_steps = 3;
  c.num_generations = 2;  // groups of 2: about half are uniform, so the filter has work
  c.per_device_train_batch_size = 16;
  c.filter_groups = true;
  c.max_num_gen_batches = 3;
  c.adv_estimator = "rloo";
  c.scale_rewards = "none";
  c.loss_type = "cispo";
  c.epsilon_high = 5.0;
  c.importance_sampling_level = "sequence";
  c.num_iterations = 2;
  c.mask_truncated_completions = true;
  c.top_entropy_quantile = 0.2;
  c.reward_funcs = {"format", "soft_overlong_punishment"};
  c.reward_weights = {1.0, 0.5};
  c.soft_punish_cache = 8;
  GrpoTrainer trainer(c, sink, scratch().filePath("ckpt-variants").toStdString());
  trainer.prepare(false);
  while (!trainer.finished()) trainer.train_step();
  double tokens_before = 0;
  int filtered = 0;
  for (size_t s = 0; s < 3; ++s) {
    const auto& samples = sink.steps[s].samples;
    const int rounds = int(sink.metric(s, "num_gen_batches")), kept = int(sink.metric(s, "filter_groups/kept_groups"));
    qInfo("step %zu: %d generation rounds, %d of 8 groups kept", s, rounds, kept);
    QVERIFY(rounds >= 1 && rounds <= 3);
    QCOMPARE(samples.size(), size_t(rounds * 16));  // every round's completions are stored
    QVERIFY(kept <= 8 && (kept == 8 || rounds == 3));
    filtered += rounds > 1;
    // Uniform groups carry advantage 0; the kept ones' RLOO advantages sum to 0 per group.
    std::map<int, std::vector<const SampleRecord*>> groups;
    for (const auto& x : samples) groups[x.group_index].push_back(&x);
    int nonzero_groups = 0;
    for (const auto& [g, members] : groups) {
      double sum = 0, spread = 0;
      for (auto* x : members) sum += x->advantage, spread += std::abs(x->advantage);
      QVERIFY(std::abs(sum) < 1e-6);
      nonzero_groups += spread > 0;
      // The overlong shaping: 0 below max - cache tokens, -1/8 per token beyond.
      for (auto* x : members) {
        const double overlong = x->rewards[1].second;
        QCOMPARE(overlong, soft_overlong_punishment(x->token_count, 40, 8));
      }
    }
    QVERIFY(nonzero_groups <= kept);
    QVERIFY(!std::isnan(sink.metric(s, "loss")));
    QVERIFY(!std::isnan(sink.metric(s, "cispo_clip_ratio")));   // two updates: a measured weight clip
    QVERIFY(std::isnan(sink.metric(s, "clip_ratio/region_mean")));
    QVERIFY(sink.metric(s, "num_tokens") > tokens_before);
    tokens_before = sink.metric(s, "num_tokens");
    QVERIFY(sink.metric(s, "step_time") > 0);
  }
  QVERIFY(filtered > 0);  // some step needed a second round

  // Nothing to learn (every reward 0): the rounds run out, no update is made, and the
  // step says so by having no loss rather than a loss of 0.
  MemorySink flat;
  RunConfig f = trivial_run(base_);
  f.max_steps = 1;
  f.filter_groups = true;
  f.max_num_gen_batches = 2;
  f.reward_weights = {0.0};
  GrpoTrainer none(f, flat, scratch().filePath("ckpt-flat").toStdString());
  none.prepare(false);
  none.train_step();
  QCOMPARE(flat.metric(0, "num_gen_batches"), 2.0);
  QCOMPARE(flat.metric(0, "filter_groups/kept_groups"), 0.0);
  QCOMPARE(flat.steps[0].samples.size(), size_t(128));
  QVERIFY(std::isnan(flat.metric(0, "loss")) && std::isnan(flat.metric(0, "grad_norm")));

  // pass@k training and GDPO's aggregation (with a control reward among the functions): the
  // stored advantages are what core/run/advantages.h gives for the stored rewards.
  for (const std::string mode : {"grpo_passk", "normalize_then_sum"}) {
    MemorySink sink_m;
    RunConfig p = trivial_run(base_);
    p.max_steps = 1;
    p.reward_funcs = {"accuracy", "format", "random"};
    p.reward_weights = {1.0, 0.1, 0.5};
    if (mode == "grpo_passk") p.adv_estimator = "grpo_passk";
    else p.multi_objective_aggregation = mode;
    GrpoTrainer t(p, sink_m, scratch().filePath(QString::fromStdString("ckpt-" + mode)).toStdString());
    t.prepare(false);
    t.train_step();
    const auto& samples = sink_m.steps[0].samples;
    std::vector<double> totals;
    std::vector<std::vector<double>> per;
    for (const auto& x : samples) {
      totals.push_back(x.reward);
      per.push_back({x.rewards[0].second, x.rewards[1].second, x.rewards[2].second});
    }
    const auto want = mode == "grpo_passk" ? compute_advantages(totals, p.num_generations, {"grpo_passk", "group"})
                                           : normalize_then_sum_advantages(per, p.reward_weights, p.num_generations);
    for (size_t i = 0; i < samples.size(); ++i) QVERIFY(std::abs(samples[i].advantage - want[i]) < 1e-9);
    QVERIFY(!std::isnan(sink_m.metric(0, "loss")));
  }
  // The entropy mechanism's losses over two updates a batch: each reports the share of
  // tokens it acted on beside the covariance lens of every step.
  for (const std::string mode : {"clip_cov", "kl_cov"}) {
    MemorySink sink_c;
    RunConfig p = trivial_run(base_);
    p.max_steps = 1;
    p.num_iterations = 2;
    p.loss_mode = mode;
    GrpoTrainer t(p, sink_c, scratch().filePath(QString::fromStdString("ckpt-" + mode)).toStdString());
    t.prepare(false);
    t.train_step();
    QVERIFY(sink_c.metric(0, "policy_loss/cov_controlled") > 0);
    QVERIFY(!std::isnan(sink_c.metric(0, "covariance/mean")));
    QVERIFY(sink_c.metric(0, "covariance/top_share") > 0 && sink_c.metric(0, "covariance/top_share") <= 1);
    QCOMPARE(std::isnan(sink_c.metric(0, "clip_ratio/region_mean")), mode == "kl_cov");  // kl_cov has no clip
  }

  // TRL's entropy bonus: a large coefficient keeps entropy above the run without it; the
  // adaptive one climbs by its delta while entropy is below the target, and falls to its
  // floor while above.
  const auto entropy_run = [&](const char* dir, double coef, bool adaptive, double target) {
    MemorySink out;
    RunConfig e = trivial_run(base_);
    e.max_steps = 3;
    e.entropy_coef = coef;
    e.use_adaptive_entropy = adaptive;
    e.entropy_coef_delta = 0.01;
    e.entropy_target = target;
    GrpoTrainer t(e, out, scratch().filePath(dir).toStdString());
    t.prepare(false);
    while (!t.finished()) t.train_step();
    return out;
  };
  const auto plain = entropy_run("ent-0", 0.0, false, 0.2), pushed = entropy_run("ent-1", 2.0, false, 0.2);
  QVERIFY2(pushed.metric(2, "entropy") > plain.metric(2, "entropy"),
           qPrintable(QString("%1 against %2").arg(pushed.metric(2, "entropy")).arg(plain.metric(2, "entropy"))));
  QVERIFY(std::isnan(plain.metric(0, "entropy_coef")));  // no bonus, nothing to log
  // The sampler and the trainer read the same weights on the CPU (by two code paths): their
  // log-probabilities of the sampled tokens agree (TRL's sampling/* metrics).
  QVERIFY2(plain.metric(0, "sampling/sampling_logp_difference/max") < 1e-3,
           qPrintable(QString::number(plain.metric(0, "sampling/sampling_logp_difference/max"))));
  QVERIFY(std::abs(plain.metric(0, "sampling/importance_sampling_ratio/mean") - 1.0) < 1e-4);
  // The sampling correction on the CPU weighs every token by ~1: the same loss as without it.
  {
    MemorySink corrected;
    RunConfig e = trivial_run(base_);
    e.max_steps = 1;
    e.vllm_importance_sampling_correction = true;
    e.vllm_importance_sampling_mode = "token_truncate";
    GrpoTrainer t(e, corrected, scratch().filePath("ent-is").toStdString());
    t.prepare(false);
    t.train_step();
    QVERIFY2(std::abs(corrected.metric(0, "loss") - plain.metric(0, "loss")) < 1e-4,
             qPrintable(QString("%1 against %2").arg(corrected.metric(0, "loss")).arg(plain.metric(0, "loss"))));
  }
  const auto below = entropy_run("ent-up", 0.0, true, 100.0), above = entropy_run("ent-down", 0.05, true, 0.0);
  for (size_t step = 0; step < 3; ++step) {
    QVERIFY(std::abs(below.metric(step, "entropy_coef") - 0.01 * (step + 1)) < 1e-12);
    QVERIFY(std::abs(above.metric(step, "entropy_coef") - std::max(0.0, 0.05 - 0.01 * (step + 1))) < 1e-12);
  }
}

void TrainerTest::seedMakesRunsRepeatable() {
  auto run = [&](const char* dir) {
    MemorySink sink;
    RunConfig c = trivial_run(base_);
    c.max_steps = 2;
    GrpoTrainer trainer(c, sink, scratch().filePath(dir).toStdString());
    trainer.prepare(false);
    while (!trainer.finished()) trainer.train_step();
    return sink;
  };
  auto a = run("rep-a"), b = run("rep-b");
  for (size_t s = 0; s < 2; ++s)
    for (size_t i = 0; i < a.steps[s].samples.size(); ++i)
      QCOMPARE(a.steps[s].samples[i].completion, b.steps[s].samples[i].completion);
  QCOMPARE(a.metric(1, "loss"), b.metric(1, "loss"));
}

void TrainerTest::modelJudgesReflectionsWithinItsBudget() {
  // The built-in model checks its sums: its own forced answers judge up to 8 events a step,
  // the rest are drawn out and the share said; up to 4 fixes a step get a causal verdict
  // (4 continuations a side); neither changes anything else (the same completions at
  // step 2, the same loss: the generator's state is restored after the verdicts).
  RunConfig c;
  c.name = "judged";
  c.model = "builtin:tiny-arithmetic";
  c.device = "cpu";
  c.threads = 1;
  c.max_steps = 2;
  c.save_steps = 100;
  c.model_judge_events = 8;
  c.causal_fix_events = 4;
  c.causal_fix_samples = 4;
  MemorySink judged, plain;
  {
    GrpoTrainer t(c, judged, scratch().filePath("judged").toStdString());
    t.prepare(false);
    while (!t.finished()) t.train_step();
  }
  RunConfig off = c;
  off.model_judge_events = 0;
  off.causal_fix_events = 0;
  {
    GrpoTrainer t(off, plain, scratch().filePath("plain").toStdString());
    t.prepare(false);
    while (!t.finished()) t.train_step();
  }
  int events = 0, model_judged = 0;
  for (size_t s = 0; s < 2; ++s) {
    int in_step = 0;
    for (size_t i = 0; i < judged.steps[s].samples.size(); ++i) {
      QCOMPARE(judged.steps[s].samples[i].completion, plain.steps[s].samples[i].completion);  // the same stream
      for (const auto& e : events_from_json(judged.steps[s].samples[i].aha_events)) {
        events += !e.before.empty();
        if (e.model == ReflectionOutcome::None) continue;
        ++in_step;
        QVERIFY(!e.model_before.empty() && !e.model_after.empty());
      }
    }
    QVERIFY(in_step <= 8);
    model_judged += in_step;
    const double share = judged.metric(s, "model_judge/judged_share");
    QVERIFY(share > 0 && share <= 1);
    QVERIFY(judged.metric(s, "model_judge/seconds") > 0);
    QVERIFY(std::isnan(plain.metric(s, "model_judge/judged_share")));
  }
  qInfo("%d events with a subject, %d judged by the model", events, model_judged);
  QVERIFY(model_judged > 0);
  const double agreement = judged.metric(1, "model_judge/agreement");
  QVERIFY(agreement >= 0 && agreement <= 1);
  QVERIFY(!std::isnan(judged.metric(1, "model_fix_rate")));
  QCOMPARE(judged.metric(1, "loss"), plain.metric(1, "loss"));
  int causal_judged = 0;
  for (size_t s = 0; s < 2; ++s) {
    const double n = judged.metric(s, "causal_fix/judged");
    QVERIFY(n >= 0 && n <= 4);
    causal_judged += static_cast<int>(n);
    const double share = judged.metric(s, "reflection/causal_fix_share");
    QVERIFY(n == 0 ? std::isnan(share) : share >= 0 && share <= 1);
    QVERIFY(std::isnan(plain.metric(s, "causal_fix/judged")));
  }
  QVERIFY(causal_judged > 0);
}

void TrainerTest::huggingFaceLayoutModelOnDatasetFile() {
  // A randomly initialised Qwen2-style model with Qwen3's byte-level BPE tokenizer, saved
  // in Hugging Face layout, trained for two steps on a GSM8K-style JSONL with ChatML.
  const auto tok = load_tokenizer(std::filesystem::path(AHA_SHARED_DIR) / "testdata" / "tokenizer-qwen3");
  ModelConfig mc;
  mc.vocab_size = tok->vocab_size();
  mc.hidden_size = 32;
  mc.intermediate_size = 64;
  mc.num_hidden_layers = 1;
  mc.num_attention_heads = 4;
  mc.num_key_value_heads = 2;
  mc.eos_token_id = tok->eos_id();
  Transformer model(mc);
  model->init_weights(3);
  const QString dir = scratch().filePath("qwen-tiny");
  save_model(dir.toStdString(), model, *tok);
  const QString data = scratch().filePath("gsm.jsonl");
  std::ofstream(data.toStdString()) << "{\"question\": \"Tom has 3 apples and buys 4. How many now?\", "
                                       "\"answer\": \"3+4=7\\n#### 7\"}\n"
                                       "{\"question\": \"What is 6 times 7?\", \"answer\": \"#### 42\"}\n"
                                       "{\"question\": \"broken\"\n";

  RunConfig c = trivial_run(dir);
  c.name = "qwen-tiny";
  c.max_steps = 2;
  c.prompt_template = "{question}";
  c.chat_template = "chatml";
  c.task.name = "dataset";
  c.task.data_file = data.toStdString();
  c.num_generations = 4;
  c.per_device_train_batch_size = 8;
  c.max_completion_length = 12;
  c.reward_funcs = {"accuracy", "format"};
  c.reward_weights = {1.0, 0.1};
  MemorySink sink;
  GrpoTrainer trainer(c, sink, scratch().filePath("ckpt-qwen").toStdString());
  trainer.prepare(false);
  while (!trainer.finished()) trainer.train_step();
  QCOMPARE(sink.steps.size(), size_t(2));
  QCOMPARE(sink.steps[0].samples.size(), size_t(8));
  for (const auto& s : sink.steps[1].samples) {
    QVERIFY(s.prompt.rfind("<|im_start|>system\n", 0) == 0);
    QVERIFY(s.prompt.find("<|im_start|>user\n") != std::string::npos);
    QVERIFY(s.prompt.find("How many now?") != std::string::npos || s.prompt.find("6 times 7") != std::string::npos);
    QVERIFY(s.token_count >= 1 && s.token_count <= 12);
    // Byte-level tokens of a random model split characters: each begins at or after the
    // previous one, inside the text, and their ids decode to the completion.
    const auto t = decode_token_trace(s.token_trace);
    QVERIFY(t);
    QCOMPARE(int(t->size()), s.token_count);
    for (size_t i = 0; i < t->size(); ++i) {
      QVERIFY(i == 0 || t->begins[i] >= t->begins[i - 1]);
      QVERIFY(t->begins[i] <= QString::fromStdString(s.completion).toUcs4().size());
    }
    QCOMPARE(tok->decode(std::vector<int>(t->ids.begin(), t->ids.end())), s.completion);
  }
  QVERIFY(std::isfinite(sink.metric(1, "loss")));
}

void TrainerTest::tokenLensMatchesAForwardPass() {
  // Two steps, a checkpoint after each: step 0 samples from the base model, step 1 from
  // the checkpoint of step 1. Every stored token must match a fresh forward pass of those
  // weights, and sit where its text is in the completion.
  RunConfig c = trivial_run(base_);
  c.max_steps = 2;
  c.save_steps = 1;
  MemorySink sink;
  const auto root = scratch().filePath("ckpt-lens").toStdString();
  GrpoTrainer trainer(c, sink, root);
  trainer.prepare(false);
  while (!trainer.finished()) trainer.train_step();
  const std::string weights[] = {base_.toStdString(), root + "/trivial/step-1"};
  double worst_logprob = 0, worst_entropy = 0;
  size_t tokens = 0, bytes = 0;
  for (int step = 0; step < 2; ++step) {
    auto loaded = load_model(weights[step], torch::kCPU);
    loaded.model->to(torch::kFloat32);
    loaded.model->eval();
    std::vector<std::vector<int>> prompts, completions;
    std::vector<TokenTrace> traces;
    for (const auto& s : sink.steps[step].samples) {
      QVERIFY(!s.token_trace.empty());
      bytes += s.token_trace.size();
      auto t = decode_token_trace(s.token_trace);
      QVERIFY(t);
      QCOMPARE(int(t->size()), s.token_count);
      // Each token's characters are where its text is in the decoded completion.
      const QList<uint> text = QString::fromStdString(s.completion).toUcs4();
      for (size_t i = 0; i < t->size(); ++i) {
        const QString piece = QString::fromStdString(loaded.tokenizer->decode({t->ids[i]}));
        const uint32_t b = t->begins[i], e = t->end_of(i, text.size());
        QCOMPARE(QString::fromUcs4(reinterpret_cast<const char32_t*>(text.data()) + b, e - b), piece);
      }
      prompts.push_back(loaded.tokenizer->encode(s.prompt));
      completions.emplace_back(t->ids.begin(), t->ids.end());
      traces.push_back(std::move(*t));
    }
    torch::NoGradGuard ng;
    torch::Tensor entropy;
    const auto logp = completion_logprobs(loaded.model, build_scored_batch(prompts, completions, 0), &entropy);
    for (size_t r = 0; r < traces.size(); ++r)
      for (size_t i = 0; i < traces[r].size(); ++i, ++tokens) {
        worst_logprob = std::max(worst_logprob, std::abs(traces[r].logprobs[i] - logp[r][i].item<double>()));
        worst_entropy = std::max(worst_entropy, std::abs(traces[r].entropies[i] - entropy[r][i].item<double>()));
      }
    // The lens's mean entropy is the training pass's over the same tokens and weights.
    if (step == 0)
      QVERIFY(std::abs(sink.metric(0, "lens/entropy_mean") - sink.metric(0, "entropy")) < 1e-3);
    QVERIFY(sink.metric(step, "lens/fork_entropy") >= sink.metric(step, "lens/entropy_mean"));
  }
  qInfo("%zu tokens: worst |logprob - forward pass| %.2e, worst |entropy - forward pass| %.2e, %.2f bytes a token",
        tokens, worst_logprob, worst_entropy, double(bytes) / tokens);
  QVERIFY2(worst_logprob <= 1e-3, qPrintable(QString::number(worst_logprob)));
  QVERIFY2(worst_entropy <= 1e-3, qPrintable(QString::number(worst_entropy)));

  // Off: nothing kept, no lens metrics.
  c.token_lens = false;
  c.max_steps = 1;
  MemorySink off;
  GrpoTrainer plain(c, off, scratch().filePath("ckpt-lens-off").toStdString());
  plain.prepare(false);
  plain.train_step();
  for (const auto& s : off.steps[0].samples) QVERIFY(s.token_trace.empty());
  QVERIFY(std::isnan(off.metric(0, "lens/entropy_mean")));
}

void TrainerTest::probeIsReproducibleWithASeed() {
  RunConfig c = trivial_run(base_);
  int calls = 0;
  const ProbeSet set{5, 77, ""};
  const auto a = probe_pass_at_k(c, base_.toStdString(), set, 6, [&](int done, int total) {
    ++calls;
    return done <= total;
  });
  const auto b = probe_pass_at_k(c, base_.toStdString(), set, 6);
  QCOMPARE(a.problems.size(), size_t(5));
  QVERIFY(calls >= 1);
  int correct = 0;
  for (size_t i = 0; i < a.problems.size(); ++i) {
    QCOMPARE(a.problems[i].samples, 6);
    QCOMPARE(a.problems[i].correct, b.problems[i].correct);
    QCOMPARE(a.problems[i].majority_correct, b.problems[i].majority_correct);
    QCOMPARE(a.problems[i].completions.size(), size_t(6));  // kept, to be read
    QCOMPARE(a.problems[i].completions[0].text, b.problems[i].completions[0].text);
    correct += a.problems[i].correct;
  }
  // The half-trained base gets some right and some wrong: the counts carry information.
  QVERIFY2(correct > 0 && correct < 30, qPrintable(QString::number(correct)));
  // Another seed draws other problems or other samples.
  const auto other = probe_pass_at_k(c, base_.toStdString(), {5, 78, ""}, 6);
  bool differs = false;
  for (size_t i = 0; i < 5; ++i) differs |= other.problems[i].correct != a.problems[i].correct;
  QVERIFY(differs);
  // Cancelled from the progress callback: an error that says so, not a partial result.
  QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                           probe_pass_at_k(c, base_.toStdString(), set, 6, [](int, int) { return false; }));
  // A probe set from a file: its first problems in order, judged by their answers.
  const QString file = scratch().filePath("probe-set.jsonl");
  QFile out(file);
  QVERIFY(out.open(QIODevice::WriteOnly));
  out.write("{\"question\": \"12+30+5=\", \"answer\": \"47\"}\n{\"question\": \"100+200+3=\", \"answer\": \"303\"}\n"
            "{\"question\": \"1+1+1=\", \"answer\": \"3\"}\n");
  out.close();
  const auto fromFile = probe_pass_at_k(c, base_.toStdString(), {2, 1, file.toStdString()}, 3);
  QCOMPARE(fromFile.problems.size(), size_t(2));
  QVERIFY2(fromFile.problems[1].prompt.find("100+200+3=") != std::string::npos, fromFile.problems[1].prompt.c_str());
  QCOMPARE(fromFile.problems[1].reference, std::string("303"));
  QCOMPARE(probe_pass_at_k(c, base_.toStdString(), {0, 1, file.toStdString()}, 1).problems.size(), size_t(3));
  QVERIFY_THROWS_EXCEPTION(std::exception, probe_pass_at_k(c, base_.toStdString(), {0, 1, "/nonexistent.jsonl"}, 1));
}

void TrainerTest::resamplingIsReproducibleAndJudged() {
  ResampleRequest r;
  r.run = trivial_run(base_);
  r.weights = {-1, base_.toStdString()};
  r.prompt = "2+3=<think>";
  r.prefix = "2+3=";
  r.samples = 12;
  r.seed = 5;
  const auto a = resample_from(r), b = resample_from(r);
  QCOMPARE(a.continuations.size(), size_t(12));
  QCOMPARE(a.continuations, b.continuations);  // same seed, same continuations
  r.seed = 6;
  QVERIFY(resample_from(r).continuations != a.continuations);
  // No room left to sample: refused, saying why.
  r.prefix = std::string(200, '1');
  QVERIFY_THROWS_EXCEPTION(std::invalid_argument, resample_from(r));

  // Judged against the reference; events counted from the point on, inserted text too.
  const ReflectionDetector detector;
  const std::string prefix = "12+20=33 ";
  const auto st = judge_continuations(prefix, prefix.size(),
                                      {"wait, 33 was wrong 12+20=32</think><answer>32</answer>",
                                       "so 33</think><answer>33</answer>", "so 3"},
                                      {false, false, true}, "32", true, detector);
  QCOMPARE(st.samples, 3);
  QCOMPARE(st.answered, 2);
  QCOMPARE(st.correct, 1);
  QCOMPARE(st.truncated, 1);
  QCOMPARE(st.reflective, 1);
  QCOMPARE(st.fixed, 1);
  QCOMPARE(st.outcomes[static_cast<int>(ReflectionOutcome::Fix)], 1);
  // The same "wait" before the point does not count.
  const auto before = judge_continuations(prefix + "wait, 33 was wrong ", prefix.size() + 19,
                                          {"12+20=32</think><answer>32</answer>"}, {false}, "32", true, detector);
  QCOMPARE(before.reflective, 0);
  QCOMPARE(before.correct, 1);
}

void TrainerTest::checkpointsKeptForProbes() {
  // Trains `c` saving every step; the checkpoint folders left and the saves recorded.
  auto kept_after = [&](const RunConfig& c, const char* dir) {
    MemorySink sink;
    const auto root = scratch().filePath(dir).toStdString();
    GrpoTrainer trainer(c, sink, root);
    trainer.prepare(false);
    while (!trainer.finished()) trainer.train_step();
    std::set<std::string> kept;
    for (const auto& e : std::filesystem::directory_iterator(root + "/trivial")) kept.insert(e.path().filename().string());
    return std::make_pair(kept, sink.checkpoints.size());
  };
  // Six steps: the newest two stay, and every third (steps 3 and 6); every save is recorded
  // (probes check the folder).
  RunConfig c = trivial_run(base_);
  c.max_steps = 6;
  c.save_steps = 1;
  c.save_total_limit = 2;
  c.save_keep_every = 3;
  c.per_device_train_batch_size = 16;
  QCOMPARE(kept_after(c, "ckpt-keep"), std::make_pair(std::set<std::string>{"step-3", "step-5", "step-6"}, size_t(6)));
  // 0 keeps them all.
  c.save_total_limit = 0;
  c.save_keep_every = 0;
  c.max_steps = 3;
  QCOMPARE(kept_after(c, "ckpt-all").first, (std::set<std::string>{"step-1", "step-2", "step-3"}));
}
