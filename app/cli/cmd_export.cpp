// aha export csv|traces|launch: metric series and chosen traces for scripts and papers,
// and run configs as launch scripts for veRL and TRL.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "core/interop/launch_export.h"
#include "core/run/metric_display.h"
#include "core/run/step_metrics.h"
#include "core/support/config_reader.h"
#include "core/support/output_file.h"
#include "db/metric_csv.h"
#include "db/run_reader.h"
#include "db/tag_store.h"
#include "db/trace_export.h"

namespace aha::cli {
namespace {

// A usage error (exit 2) rather than a failure when the user names a run that is not there.
db::RunSummary find_run(db::RunReader& reader, const std::string& name) {
  try {
    return reader.require_run(name);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
}

int export_csv(const Args& args) {
  args.allow_only({"db", "run", "metric", "header", "out", "help"});
  const std::string header = args.get("header", "stored");
  if (header != "stored" && header != "display")
    throw UsageError("--header: '" + header + "' is not a header kind; use 'stored' (run/metric) or 'display' (names and units)");
  db::RunReader reader(args.require("db"), db::Access::ReadOnly);
  auto runs = args.all("run");
  if (runs.empty())
    for (const auto& r : reader.runs()) runs.push_back(r.name);
  // "aha_quality" is its five series, as in the dashboard and figures.
  std::vector<std::string> metrics;
  for (const auto& m : args.all("metric")) {
    if (m != kAhaQuality) metrics.push_back(m);
    else
      for (const auto& s : aha_quality_series()) metrics.push_back(s.metric);
  }
  if (metrics.empty()) metrics = {"reward"};
  std::set<std::string> known = {kAhaQuality};
  for (const auto& r : runs)  // a usage error naming the known runs
    for (const auto& m : reader.metric_names(find_run(reader, r).id)) known.insert(m);
  for (const auto& m : metrics)
    if (!known.count(m)) throw UsageError("--metric: " + unknown_name_message("metric", m, {known.begin(), known.end()}));
  const std::string path = args.require("out");
  db::CsvSummary summary;
  write_output_file(path, [&](std::ostream& out) {
    if (header == "stored") summary = db::write_metrics_csv(out, reader, runs, metrics);
    else summary = db::write_metrics_csv(out, reader, runs, metrics, [](const std::string& run, const std::string& m) {
      return run + ": " + metric_display(m).axis_label();
    });
  });
  for (const auto& m : summary.missing) std::fprintf(stderr, "aha export csv: no points for %s\n", m.c_str());
  std::printf("wrote %zu steps x %zu columns to %s\n", summary.rows, summary.columns, path.c_str());
  return 0;
}

int export_traces(const Args& args) {
  args.allow_only({"db", "run", "tag", "ids", "format", "out", "help"});
  const std::string db_path = args.require("db");
  db::RunReader reader(db_path, db::Access::ReadOnly);
  db::TagStore tags(db_path, db::Access::ReadOnly);
  std::optional<int64_t> run_id;
  if (args.has("run")) run_id = find_run(reader, args.get("run")).id;
  std::vector<int64_t> ids;
  if (args.has("ids")) {
    std::stringstream ss(args.get("ids"));
    for (std::string item; std::getline(ss, item, ',');) {
      try {
        ids.push_back(std::stoll(item));
      } catch (const std::exception&) {
        throw UsageError("--ids: '" + item + "' is not a sample id (give ids separated by commas)");
      }
    }
  } else if (args.has("tag")) {
    const auto tag = tags.tag_by_name(args.get("tag"));
    if (!tag) throw UsageError("no tag named '" + args.get("tag") + "'");
    ids = db::samples_with_tag(reader, tag->id, run_id);
  } else {
    throw UsageError("say which traces: --tag NAME (optionally with --run NAME) or --ids 1,2,3");
  }
  const std::string path = args.require("out");
  std::string format = args.get("format", path.size() > 3 && path.substr(path.size() - 3) == ".md" ? "md" : "jsonl");
  if (format != "jsonl" && format != "md") throw UsageError("--format: '" + format + "' (use jsonl or md)");
  const auto traces = db::collect_traces(reader, tags, ids);
  if (traces.empty())
    throw std::runtime_error(args.has("ids") ? "no sample with the ids " + args.get("ids") + " in '" + db_path + "'; nothing written"
                                             : "no trace has the tag '" + args.get("tag") + "'; nothing written");
  if (traces.size() < ids.size())
    std::fprintf(stderr, "aha export traces: %zu of the %zu ids name no sample; the others are written\n",
                 ids.size() - traces.size(), ids.size());
  write_output_file(path, [&](std::ostream& out) {
    format == "md" ? db::write_traces_markdown(out, traces) : db::write_traces_jsonl(out, traces);
  });
  std::printf("wrote %zu traces to %s\n", traces.size(), path.c_str());
  return 0;
}

int export_launch(const Args& args) {
  args.allow_only({"config", "engine", "out", "rollout-dir", "gpus", "nodes", "tp", "micro-batch", "help"});
  const auto cfg = RunConfig::load(args.require("config"));
  const std::string engine = args.require("engine");
  if (engine != "verl" && engine != "trl") throw UsageError("--engine is verl or trl, not '" + engine + "'");
  LaunchOptions opt;
  opt.data_dir = args.get("rollout-dir", engine == "verl" ? "rollouts/" + cfg.name : "trl-" + cfg.name);
  opt.config_path = args.require("config");
  opt.gpus_per_node = args.get_int("gpus", 0);
  opt.nodes = args.get_int("nodes", 1);
  opt.rollout_tp = args.get_int("tp", 1);
  opt.micro_batch_per_gpu = args.get_int("micro-batch", 4);
  const std::string& data_dir = opt.data_dir;
  const std::string script = launch_script(cfg, engine, opt);
  const std::string path = args.get("out");
  if (path.empty()) {
    std::fputs(script.c_str(), stdout);
    return 0;
  }
  write_output_file(path, [&](std::ostream& out) { out << script; });
  std::filesystem::permissions(path, std::filesystem::perms::owner_exec | std::filesystem::perms::group_exec,
                               std::filesystem::perm_options::add);
  std::printf("wrote %s launch script %s (%s: %s)\n", engine.c_str(), path.c_str(),
              engine == "verl" ? "rollouts dumped to" : "output_dir", data_dir.c_str());
  return 0;
}

}  // namespace

int cmd_export(int argc, char** argv, int first) {
  Args args(argc, argv, first + 1, {"help"});
  const std::string what = argc > first ? argv[first] : "";
  const bool help = args.has("help") || what == "--help" || what == "-h";
  if (what == "csv" && !help) return export_csv(args);
  if (what == "traces" && !help) return export_traces(args);
  if (what == "launch" && !help) return export_launch(args);
  std::fprintf(help ? stdout : stderr,
      "usage: aha export csv --db FILE [--run NAME]... [--metric NAME]... [--header stored|display]\n"
      "                      --out FILE.csv\n"
      "       aha export traces --db FILE (--tag NAME [--run NAME] | --ids 1,2,3) [--format jsonl|md] --out FILE\n"
      "       aha export launch --config FILE --engine verl|trl [--rollout-dir DIR] [--out FILE]\n"
      "                         [--gpus N] [--nodes N] [--tp N] [--micro-batch N]\n\n"
      "csv: one row per step and one column per run and metric, values as stored; all runs\n"
      "     and the metric 'reward' when not given. --header stored (default): columns named\n"
      "     \"run/metric\" as scripts select them; display: \"run: name (unit)\" as the figures'\n"
      "     axes read (\"demo: length of wrong answers (tokens)\").\n"
      "traces: the traces with a tag, or by sample id, as JSON Lines or a Markdown appendix\n"
      "     (prompt, completion, rewards, tags, note), the same as the trace browser's export.\n"
      "launch: --config FILE --engine verl|trl [--rollout-dir DIR] [--out FILE]: the run config as\n"
      "     a veRL (bash, main_ppo + Hydra keys) or TRL (Python, GRPOConfig) launch script with our\n"
      "     reward rules in Python; keys without a counterpart are listed in a comment. DIR is\n"
      "     where the job leaves what 'aha follow' reads (rollout dumps / TRL output_dir).\n"
      "     --micro-batch: sequences per GPU forward and backward (4; TRL's\n"
      "     per_device_train_batch_size, gradient accumulation makes up the step on any number\n"
      "     of GPUs). veRL: --gpus per node (default: all that nvidia-smi lists), --nodes (1),\n"
      "     --tp, the vLLM tensor parallel size (1). Several nodes, resume, W&B: docs/CLUSTER.md.\n");
  return help ? 0 : 2;
}

}  // namespace aha::cli
