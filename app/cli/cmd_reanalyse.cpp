#include <unistd.h>

#include <cstdio>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "app/cli/interrupt.h"
#include "core/run/reanalysis.h"
#include "core/run/step_metrics.h"
#include "db/analysis_rewrite.h"
#include "db/run_reader.h"

namespace aha::cli {

int cmd_reanalyse(int argc, char** argv, int first) {
  Args args(argc, argv, first, {"help"});
  if (args.has("help")) {
    std::printf(
        "usage: aha reanalyse --db FILE [--run NAME ...]\n\n"
        "Analyses the stored completions of runs again with this version's reflection detector\n"
        "(docs/REFLECTION.md): each sample's reflection events with their behaviour and outcome,\n"
        "its real aha (a fix), and the per-step reflection metrics. For runs stored before\n"
        "reflection outcomes were kept, or by an older detector. Without --run: every run.\n"
        "A run still being written is refused. Ctrl-C stops after the step in hand.\n");
    return 0;
  }
  args.allow_only({"db", "run", "help"});
  const std::string db = args.require("db");
  std::vector<db::RunSummary> runs;
  {
    db::RunReader reader(db);
    if (args.has("run"))
      for (const auto& name : args.all("run")) runs.push_back(reader.require_run(name));
    else
      runs = reader.runs();
  }
  install_interrupt_handler();
  for (const auto& r : runs) {
    db::AnalysisRewrite how;
    how.analyse = reflection_reanalyser(r.config_toml);
    how.step_metrics = reflection_step_metrics;
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
    if (res.stopped) return 130;
  }
  return 0;
}

}  // namespace aha::cli
