#include <unistd.h>

#include <cstdio>
#include <map>
#include <memory>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "app/cli/interrupt.h"
#include "core/rl/stored_run_judge.h"
#include "core/run/reanalysis.h"
#include "core/run/step_metrics.h"
#include "db/analysis_rewrite.h"
#include "db/run_reader.h"

namespace aha::cli {

int cmd_reanalyse(int argc, char** argv, int first) {
  Args args(argc, argv, first, {"help", "answers"});
  if (args.has("help")) {
    std::printf(
        "usage: aha reanalyse --db FILE [--run NAME ...] [--answers [--events N]]\n\n"
        "Analyses the stored completions of runs again with this version's reflection detector\n"
        "(docs/REFLECTION.md): each sample's reflection events with their behaviour and outcome,\n"
        "its real aha (a fix), and the per-step reflection metrics. For runs stored before\n"
        "reflection outcomes were kept, or by an older detector. Without --run: every run.\n"
        "A run still being written is refused. Ctrl-C stops after the step in hand.\n\n"
        "  --answers    the model's verdict too: its answer forced just before and just after\n"
        "               each event, from the weights nearest those that sampled the step (the\n"
        "               run's checkpoints, else its base model)\n"
        "  --model DIR  with --answers, for a run imported from veRL, TRL or a file: the\n"
        "               Hugging Face model folder that judges every step (its weights)\n"
        "  --events N   events judged a step at most, drawn at random beyond (default 64)\n");
    return 0;
  }
  args.allow_only({"db", "run", "help", "answers", "events", "model"});
  const bool answers = args.has("answers");
  const int events = args.get_int("events", 64);
  if (events < 1) throw UsageError("--events: give at least 1");
  const std::string db = args.require("db");
  std::vector<db::RunSummary> runs;
  std::map<int64_t, std::vector<WeightsOnDisk>> checkpoints;
  {
    db::RunReader reader(db);
    if (args.has("run"))
      for (const auto& name : args.all("run")) runs.push_back(reader.require_run(name));
    else
      runs = reader.runs();
    for (const auto& r : runs)
      for (const auto& [step, path] : reader.checkpoints(r.id)) checkpoints[r.id].push_back({step, path});
  }
  install_interrupt_handler();
  for (const auto& r : runs) {
    db::AnalysisRewrite how;
    how.analyse = reflection_reanalyser(r.config_toml);
    how.step_metrics = reflection_step_metrics;
    std::unique_ptr<StoredRunJudge> judge;
    int judged = 0, with_subject = 0;
    if (answers) {
      RunConfig cfg;
      if (r.source == "local") {
        cfg = RunConfig::from_toml(r.config_toml, "run '" + r.name + "''s stored config");
      } else if (args.has("model")) {  // an imported run: the given weights judge every step
        cfg.name = r.name;
        cfg.model = args.get("model");
        checkpoints[r.id].clear();
      } else {
        throw std::runtime_error("--answers: run '" + r.name + "' was not trained here (it came from " + r.source +
                                 "): give the model that sampled it with --model DIR, or reanalyse without --answers");
      }
      judge = std::make_unique<StoredRunJudge>(cfg, checkpoints[r.id], events);
      how.analyse_step = [&](int64_t step, std::vector<SampleRecord>& samples) {
        const auto res = judge->judge_step(step, samples);
        judged += res.judged, with_subject += res.events;
      };
    }
    const bool tty = isatty(fileno(stdout));
    how.progress = [&](int64_t step, int64_t last) {
      if (tty) {
        std::printf("\r  %s: step %lld/%lld", r.name.c_str(), static_cast<long long>(step),
                    static_cast<long long>(last));
        std::fflush(stdout);
      }
      return !interrupt_requested().load();
    };
    const auto res = db::rewrite_run_analysis(db, r.id, how);
    std::printf("%srun '%s': %lld samples in %lld steps analysed again%s; real aha (a fix): %lld samples, "
                "before %lld\n",
                tty ? "\r" : "", r.name.c_str(), static_cast<long long>(res.samples), static_cast<long long>(res.steps),
                res.stopped ? " (stopped)" : "", static_cast<long long>(res.real_aha_after),
                static_cast<long long>(res.real_aha_before));
    if (answers)
      std::printf("  the model judged %d of %d events with a subject (model_fix_rate, model_judge/agreement "
                  "stored per step)\n",
                  judged, with_subject);
    if (res.stopped) return 130;
  }
  return 0;
}

}  // namespace aha::cli
