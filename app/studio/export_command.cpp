#include "app/studio/export_command.h"

#include <QFileInfo>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <set>

#include "app/cli/args.h"
#include "core/support/config_reader.h"
#include "db/run_reader.h"
#include "ui/charts/dashboard.h"
#include "ui/charts/figure.h"

namespace aha::studio {
namespace {
const char* kUsage =
    "usage: aha-studio export chart --db FILE [--run NAME]... [--sweep NAME] --metric NAME [--metric NAME]...\n"
    "                               --out FIG.pdf|svg|png [options]\n\n"
    "Draws stored metrics as a paper figure (one chart per metric, in a grid), the same\n"
    "figure the studio's File > Export Chart... writes, and a FIG.json beside it saying\n"
    "what produced it. Needs no display.\n\n"
    "options:\n"
    "  --format pdf|svg|png     default: the extension of --out\n"
    "  --preset NAME            single-column (3.5 in), double-column (7.0 in), slide (16:9)\n"
    "  --width IN --height IN   override the preset's size (height of one row of charts)\n"
    "  --font FAMILY --font-size PT\n"
    "  --legend POS             above (default: a row over the panels), top-left, top-right,\n"
    "                           bottom-left, bottom-right (inside the first panel), none\n"
    "  --smoothing W            0 .. 0.99, TensorBoard's debiased EMA (default 0.6)\n"
    "  --no-raw                 hide the raw series drawn faint behind the smoothed line\n"
    "  --no-bands               no std / percentile / seed bands\n"
    "  --wall-time              x axis in minutes instead of steps\n"
    "  --seeds                  runs that differ only in seed: mean with a +-std band\n"
    "  --sweep NAME             the runs of a sweep (aha sweep) instead of --run\n"
    "  --group-by KEY           one line per value of a config or sweep key (loss_type):\n"
    "                           the mean of its runs with a +-std band across them\n"
    "  --columns N              charts per row\n"
    "  --dpi N                  PNG resolution (default 300)\n";
// Every --run and --sweep is in the database and every --metric is one the chosen runs have
// (or a chart made of them, "aha_quality"): a typo is an error listing the names there
// are, nearest first, not an empty panel.
void check_metrics(const ui::FigureRequest& r) {
  db::RunReader reader(r.dbPath.toStdString(), db::Access::ReadOnly);
  // A misspelt run first: its metrics are not the problem.
  std::vector<std::string> runs, sweeps;
  for (const auto& run : reader.runs()) {
    runs.push_back(run.name);
    if (!run.sweep.empty()) sweeps.push_back(run.sweep);
  }
  for (const auto& name : r.runs)
    if (std::find(runs.begin(), runs.end(), name.toStdString()) == runs.end())
      throw cli::UsageError("--run: " + unknown_name_message("run", name.toStdString(), runs));
  if (!r.sweep.isEmpty() && std::find(sweeps.begin(), sweeps.end(), r.sweep.toStdString()) == sweeps.end())
    throw cli::UsageError("--sweep: " + unknown_name_message("sweep", r.sweep.toStdString(), sweeps));
  std::set<std::string> known = {ui::ahaQualityChart().key.toStdString()};
  for (const auto& run : reader.runs()) {
    if (!r.runs.isEmpty() && !r.runs.contains(QString::fromStdString(run.name))) continue;
    if (!r.sweep.isEmpty() && run.sweep != r.sweep.toStdString()) continue;
    for (const auto& m : reader.metric_names(run.id)) known.insert(m);
  }
  for (const auto& m : r.metrics)
    if (!known.count(m.toStdString()))
      throw cli::UsageError("--metric: " + unknown_name_message("metric", m.toStdString(), {known.begin(), known.end()}));
}

}  // namespace

bool is_export_command(int argc, char** argv) { return argc > 1 && std::strcmp(argv[1], "export") == 0; }

int run_export_command(int argc, char** argv) {
  try {
    cli::Args a(argc, argv, 3, {"help", "no-raw", "no-bands", "wall-time", "seeds"});
    if (argc < 3 || std::strcmp(argv[2], "chart") != 0 || a.has("help")) {
      std::fputs(kUsage, a.has("help") ? stdout : stderr);
      return a.has("help") ? 0 : 2;
    }
    a.allow_only({"help", "db", "run", "metric", "out", "format", "preset", "width", "height", "font", "font-size",
                  "legend", "smoothing", "no-raw", "no-bands", "wall-time", "seeds", "group-by", "sweep", "columns", "dpi"});
    ui::FigureRequest r;
    r.dbPath = QString::fromStdString(a.require("db"));
    if (!QFileInfo::exists(r.dbPath)) throw cli::UsageError("--db: no file '" + a.get("db") + "'");
    for (const auto& run : a.all("run")) r.runs << QString::fromStdString(run);
    r.sweep = QString::fromStdString(a.get("sweep"));
    if (!r.sweep.isEmpty() && !r.runs.isEmpty()) throw cli::UsageError("give --sweep or --run, not both");
    for (const auto& m : a.all("metric")) r.metrics << QString::fromStdString(m);
    if (r.metrics.isEmpty()) throw cli::UsageError("give at least one --metric (reward, accuracy, aha_rate, ...)");
    check_metrics(r);
    QString out = QString::fromStdString(a.require("out"));
    if (QFileInfo(out).exists() && !QFileInfo(out).isFile())
      throw cli::UsageError("--out: '" + a.get("out") + "' is not a file (a folder or a device); give a file name");
    if (a.has("format")) {
      const QString format = QString::fromStdString(a.get("format"));
      if (format != "pdf" && format != "svg" && format != "png")
        throw cli::UsageError("--format: '" + a.get("format") + "' (use pdf, svg or png)");
      if (QFileInfo(out).suffix().toLower() != format) out += "." + format;
    }
    auto& o = r.options;
    o.preset = QString::fromStdString(a.get("preset", o.preset.toStdString()));
    // Every number in its range (NaN fails each comparison, so each test is written to fail it).
    auto in_range = [&](const char* key, double v, double lo, double hi, const char* what) {
      if (!(v >= lo && v <= hi)) throw cli::UsageError(std::string("--") + key + ": '" + a.get(key) + "'; use " + what);
      return v;
    };
    if (a.has("width")) o.widthIn = in_range("width", a.get_real("width", 0), 0.5, 40, "0.5 to 40 inches");
    if (a.has("height")) o.heightIn = in_range("height", a.get_real("height", 0), 0.5, 40, "0.5 to 40 inches");
    o.fontFamily = QString::fromStdString(a.get("font", o.fontFamily.toStdString()));
    if (a.has("font-size")) o.fontPt = int(in_range("font-size", a.get_int("font-size", 0), 4, 72, "4 to 72 points"));
    o.legend = QString::fromStdString(a.get("legend", o.legend.toStdString()));
    o.smoothing = in_range("smoothing", a.get_real("smoothing", o.smoothing), 0, 0.99, "a weight from 0 to 0.99");
    o.showRaw = !a.has("no-raw");
    o.bands = !a.has("no-bands");
    o.wallTime = a.has("wall-time");
    o.aggregateSeeds = a.has("seeds");
    o.groupBy = QString::fromStdString(a.get("group-by"));
    if (a.has("columns")) o.columns = int(in_range("columns", a.get_int("columns", 0), 1, 12, "1 to 12 charts a row"));
    o.dpi = a.get_int("dpi", o.dpi);
    if (o.dpi < 30 || o.dpi > 2400) throw cli::UsageError("--dpi: use 30 to 2400");
    ui::renderFigure(r, out);
    const QSizeF in = ui::figureSizeInches(r);
    std::printf("wrote %s (%.2f x %.2f in) and %s.json\n", qPrintable(out), in.width(), in.height(), qPrintable(out));
    return 0;
  } catch (const cli::UsageError& e) {
    std::fprintf(stderr, "aha-studio export: %s\n(see 'aha-studio export chart --help')\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "aha-studio export: error: %s\n", e.what());
    return 1;
  }
}

}  // namespace aha::studio
