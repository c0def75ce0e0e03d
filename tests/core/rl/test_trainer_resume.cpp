// The trainer's runs that stop and go on: a sweep resumed after a stop, a job paused,
// resumed and stopped at step boundaries, a resume after a kill, a save cut short.
#include <QThread>

#include <filesystem>
#include <fstream>
#include <thread>

#include "core/model/checkpoint.h"
#include "core/rl/grpo_trainer.h"
#include "core/rl/torch_engine.h"
#include "core/run/sweep_job.h"
#include "db/run_reader.h"
#include "tests/core/core_tests.h"
#include "tests/core/rl/trainer_fixture.h"

using namespace aha;
using namespace aha::test;

void TrainerTest::sweepResumesWithoutTrainingTwice() {
  // Two members of two steps; the first is stopped after its first step, as a kill or
  // Ctrl-C would leave it. Running the sweep again resumes it and trains the second;
  // a third time trains nothing.
  RunConfig base = trivial_run(base_);
  base.max_steps = 2;
  base.save_steps = 1;
  const std::string base_file = scratch().filePath("sweep-base.toml").toStdString();
  std::ofstream(base_file) << base.to_toml();
  const auto spec = SweepSpec::from_toml("name = \"sw\"\nbase = \"sweep-base.toml\"\nseeds = [3]\n"
                                         "[grid]\nloss_type = [\"grpo\", \"bnpo\"]\n",
                                         "sweep.toml", scratch().path().toStdString());
  const std::string db = scratch().filePath("sweep.db").toStdString();
  const auto lookup = [db](const std::string& name) -> std::optional<StoredRun> {
    if (!std::filesystem::exists(db)) return std::nullopt;  // readers never create the database
    const auto r = db::RunReader(db).run_by_name(name);
    return r ? std::optional<StoredRun>(StoredRun{r->sweep, r->last_step}) : std::nullopt;
  };
  const auto run_sweep = [&](bool stop_after_first_step, std::vector<std::string>& trained) {
    SweepJob job(torch_engine(), spec, store_at(db), scratch().filePath("sweep.ckpt").toStdString(), lookup);
    SweepCallbacks cb;
    cb.on_member = [&](size_t, size_t, const SweepMember& m, MemberState st) {
      trained.push_back(m.run_name + (st == MemberState::Unfinished ? " resumed" : ""));
    };
    cb.on_step = [&](size_t, const StepSummary&) {
      if (stop_after_first_step) job.stop();
    };
    return job.run(cb);
  };
  std::vector<std::string> first, second, third;
  QCOMPARE(run_sweep(true, first), RunStatus::Stopped);
  QCOMPARE(first, std::vector<std::string>({"sw-grpo-s3"}));
  QCOMPARE(run_sweep(false, second), RunStatus::Finished);
  QCOMPARE(second, std::vector<std::string>({"sw-grpo-s3 resumed", "sw-bnpo-s3"}));
  QCOMPARE(run_sweep(false, third), RunStatus::Finished);
  QVERIFY(third.empty());
  db::RunReader reader(db);
  const auto runs = reader.runs();
  QCOMPARE(runs.size(), size_t(2));
  for (const auto& r : runs) {
    QCOMPARE(r.last_step, int64_t(2));
    QCOMPARE(r.sweep, std::string("sw"));
    QCOMPARE(sweep_value(r.sweep_values, "seed"), std::string("3"));
    // Each step stored once: the resumed member did not repeat its first step.
    QCOMPARE(reader.connection().scalar_int("SELECT count(*) FROM samples WHERE run_id = " + std::to_string(r.id)),
             int64_t(2 * 64));
  }
  QCOMPARE(sweep_value(runs[1].sweep_values, "loss_type"), std::string("bnpo"));
  // A run of another origin under a member's name is not taken for a member.
  StoredRun other{"", 0};
  QVERIFY_EXCEPTION_THROWN(member_state(spec, sweep_members(spec)[0], other), std::runtime_error);
}


void TrainerTest::jobStopsAndResumesAtStepBoundary() {
  const std::string db = scratch().filePath("job.db").toStdString();
  RunConfig c = trivial_run(base_);
  c.name = "job";
  c.max_steps = 6;
  c.save_steps = 100;  // only the stop writes a checkpoint
  {
    TrainingJob job(torch_engine(), c, store_at(db), TrainingJob::default_checkpoint_root(db));
    std::vector<int64_t> steps;
    std::vector<RunStatus> statuses;
    JobCallbacks cb;
    cb.on_step = [&](const StepSummary& s) {
      steps.push_back(s.step);
      if (s.step == 1) job.pause();
    };
    cb.on_status = [&](RunStatus st, const std::string&) { statuses.push_back(st); };
    std::thread runner([&] { job.run(cb); });
    // Paused after step 1: no further step while paused.
    for (int i = 0; i < 300 && !(statuses.size() >= 2); ++i) QThread::msleep(20);
    QVERIFY(job.is_paused());
    QThread::msleep(300);
    QCOMPARE(steps.size(), size_t(1));
    job.resume();
    for (int i = 0; i < 500 && steps.size() < 3; ++i) QThread::msleep(20);
    job.stop();
    runner.join();
    QVERIFY(steps.size() >= 3 && steps.size() < 6);
    QCOMPARE(statuses.front(), RunStatus::Running);
    QVERIFY(std::find(statuses.begin(), statuses.end(), RunStatus::Paused) != statuses.end());
    QCOMPARE(statuses.back(), RunStatus::Stopped);
  }
  db::RunReader reader(db);
  auto stopped = reader.run_by_name("job");
  QVERIFY(stopped);
  QCOMPARE(QString::fromStdString(stopped->status), QString("stopped"));
  const int64_t done = stopped->last_step;
  // Resume continues the numbering after the last stored step, from the checkpoint.
  TrainingJob again(torch_engine(), c, store_at(db), TrainingJob::default_checkpoint_root(db), /*resume=*/true);
  std::vector<int64_t> more;
  JobCallbacks cb;
  cb.on_step = [&](const StepSummary& s) { more.push_back(s.step); };
  QCOMPARE(again.run(cb), RunStatus::Finished);
  QCOMPARE(more.front(), done + 1);
  QCOMPARE(more.back(), int64_t(6));
  auto finished = reader.run_by_name("job");
  QCOMPARE(QString::fromStdString(finished->status), QString("finished"));
  QCOMPARE(reader.connection().scalar_int("SELECT count(DISTINCT step) FROM samples"), int64_t(6));
  // A config for a missing model fails cleanly with the path in the message.
  RunConfig bad = c;
  bad.name = "bad";
  bad.model = "/nonexistent/model";
  TrainingJob failing(torch_engine(), bad, store_at(db), TrainingJob::default_checkpoint_root(db));
  QCOMPARE(failing.run({}), RunStatus::Failed);
  QVERIFY(failing.error().find("/nonexistent/model") != std::string::npos);
}

namespace {
std::vector<std::string> prompts_of(const StepRecord& step) {
  std::vector<std::string> out;
  for (const auto& s : step.samples) out.push_back(s.prompt);
  return out;
}
}  // namespace

void TrainerTest::resumeAfterAKillRepeatsNoStep() {
  // Killed after step 5 with the last checkpoint at step 3 (save_steps 3): the resume goes
  // on at step 6 from step 3's weights; steps 6-8 must draw their own prompts (an
  // uninterrupted run's), not redraw steps 4-5's.
  RunConfig c = trivial_run(base_);
  c.name = "killed";
  c.max_steps = 8;
  c.save_steps = 3;
  const std::string root = scratch().filePath("kill-resume").toStdString();
  MemorySink killed;
  {
    GrpoTrainer t(c, killed, root);
    t.prepare(false);
    for (int i = 0; i < 5; ++i) t.train_step();  // no save after step 5: as a SIGKILL leaves it
  }
  QVERIFY(std::filesystem::exists(std::filesystem::path(root) / "killed" / "step-3"));
  QVERIFY(!std::filesystem::exists(std::filesystem::path(root) / "killed" / "step-5"));
  {
    GrpoTrainer t(c, killed, root);
    t.prepare(true);
    QCOMPARE(t.next_step(), int64_t(6));
    while (!t.finished()) t.train_step();
  }
  QCOMPARE(killed.steps.size(), size_t(8));
  for (size_t a = 0; a < killed.steps.size(); ++a) {
    QCOMPARE(killed.steps[a].step, int64_t(a + 1));
    for (size_t b = 0; b < a; ++b)
      QVERIFY2(prompts_of(killed.steps[a]) != prompts_of(killed.steps[b]),
               qPrintable(QString("step %1 repeats the prompts of step %2").arg(a).arg(b)));
  }
  MemorySink whole;
  RunConfig w = c;
  w.name = "whole";
  GrpoTrainer t(w, whole, root);
  t.prepare(false);
  while (!t.finished()) t.train_step();
  for (size_t s = 0; s < 8; ++s) QCOMPARE(prompts_of(killed.steps[s]), prompts_of(whole.steps[s]));
}

void TrainerTest::unfinishedSavesAreNotResumedFrom() {
  // A save cut short by a kill or a full disk leaves step-N.tmp: the resume takes the last
  // finished save and clears the leftover.
  RunConfig c = trivial_run(base_);
  c.name = "cut";
  c.max_steps = 4;
  c.save_steps = 2;
  const auto root = std::filesystem::path(scratch().filePath("cut-save").toStdString());
  MemorySink sink;
  {
    GrpoTrainer t(c, sink, root);
    t.prepare(false);
    for (int i = 0; i < 3; ++i) t.train_step();  // saves step-2
  }
  const auto cut = root / "cut" / "step-4.tmp";
  // (Weights with NaN in them are refused when loaded, naming the tensor and the file.)
  {
    auto loaded = load_model(base_.toStdString(), torch::kCPU);
    {
      torch::NoGradGuard no_grad;
      loaded.model->named_parameters().begin()->value()[0].fill_(std::nan(""));
    }
    const auto damaged = root / "nan-weights";
    save_model(damaged, loaded.model, *loaded.tokenizer, {});
    try {
      load_model(damaged, torch::kCPU);
      QFAIL("weights with NaN were loaded");
    } catch (const std::runtime_error& e) {
      QVERIFY2(QString(e.what()).contains("NaN") && QString(e.what()).contains("nan-weights"), e.what());
    }
  }
  std::filesystem::create_directories(cut);
  std::ofstream(cut / "trainer_state.json") << R"({"global_step": 4})";  // written; the weights never were
  GrpoTrainer t(c, sink, root);
  t.prepare(true);
  QVERIFY(!std::filesystem::exists(cut));
  QCOMPARE(t.next_step(), int64_t(4));
  t.train_step();
  QVERIFY(t.finished());
}

