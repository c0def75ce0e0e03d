#include <QDir>
#include <QFile>
#include <QComboBox>
#include <QListWidget>
#include <QSpinBox>
#include <QTableWidget>
#include <QThread>
#include <QTreeWidget>
#include <QFontMetricsF>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QProcess>
#include <QRegularExpression>
#include <QXmlStreamReader>

#include <atomic>

#include <qcustomplot.h>
#include <zlib.h>

#include "db/run_reader.h"
#include "db/run_store.h"
#include "tests/ui/ui_tests.h"
#include "ui/charts/entropy_fit_dialog.h"
#include "ui/probes/pass_at_k_dialog.h"
#include "ui/probes/probe_problem_dialog.h"
#include "ui/charts/export_dialog.h"
#include "ui/charts/figure.h"
#include "ui/charts/step_ticker.h"

using namespace aha;

namespace {
constexpr int kSteps = 40;

QByteArray readAll(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Every FlateDecode stream of a PDF, inflated.
QList<QByteArray> pdfStreams(const QByteArray& pdf) {
  QList<QByteArray> out;
  for (qsizetype at = pdf.indexOf("stream"); at >= 0; at = pdf.indexOf("stream", at + 6)) {
    if (at >= 3 && pdf.mid(at - 3, 3) == "end") continue;  // "endstream"
    qsizetype begin = at + 6;
    if (pdf[begin] == '\r') ++begin;
    if (pdf[begin] == '\n') ++begin;
    const qsizetype end = pdf.indexOf("endstream", begin);
    if (end < 0) break;
    const QByteArray raw = pdf.mid(begin, end - begin);
    QByteArray inflated(raw.size() * 20 + 4096, 0);
    uLongf size = inflated.size();
    if (uncompress(reinterpret_cast<Bytef*>(inflated.data()), &size, reinterpret_cast<const Bytef*>(raw.data()),
                   raw.size()) == Z_OK)
      out << inflated.left(size);
    else
      out << raw;  // not compressed
  }
  return out;
}

ui::FigureRequest request(const QString& db, const QString& preset = "single-column") {
  ui::FigureRequest r;
  r.dbPath = db;
  r.runs = {"seed-1", "seed-2"};
  r.metrics = {"reward"};
  r.options.preset = preset;
  return r;
}
}  // namespace

void FigureTest::initTestCase() {
  QVERIFY(dir_.isValid());
  db_ = dir_.filePath("fig.db");
  db::RunStore store(db_.toStdString());
  for (int seed = 1; seed <= 2; ++seed) {
    RunInfo info;
    info.name = "seed-" + std::to_string(seed);
    info.seed = seed;
    info.config_toml = "name = 'seed-" + std::to_string(seed) + "'\nseed = " + std::to_string(seed) + "\nbeta = 0.0\n";
    info.total_steps = kSteps;
    store.begin_run(info, false);
    for (int s = 0; s < kSteps; ++s) {
      StepRecord rec;
      rec.step = s;
      rec.wall_time = 1.7e9 + s * 3.0;
      // Values with many digits, so a CSV round trip that rounds would be noticed.
      rec.metrics = {{"reward", 0.3 + 0.01 * s + 0.001 * seed + 1.0 / 3.0 * 1e-7},
                     {"reward_std", 0.1 + 0.001 * s},
                     {"aha_rate", 0.05 + 0.002 * s * seed}};
      store.write_step(rec);
    }
  }
}

void FigureTest::pdfIsVectorWithEmbeddedFonts() {
  const QString path = dir_.filePath("fig.pdf");
  ui::renderFigure(request(db_), path);
  const QByteArray pdf = readAll(path);
  QVERIFY(pdf.startsWith("%PDF"));
  QVERIFY2(!pdf.contains("/Subtype /Image") && !pdf.contains("/Subtype/Image"), "the PDF holds a raster image");
  QVERIFY2(pdf.contains("/FontFile"), "fonts are not embedded");
  // Path drawing operators in the page content: lines to (l) and fills/strokes.
  int lineOps = 0;
  for (const auto& s : pdfStreams(pdf)) lineOps += s.count(" l\n") + s.count(" l ");
  QVERIFY2(lineOps > 2 * kSteps, qPrintable(QString("only %1 line segments").arg(lineOps)));
  // Page size: 3.5 x 2.5 in = 252 x 180 pt.
  QVERIFY2(QRegularExpression(R"(/MediaBox\s*\[\s*0\s+0\s+252(\.0+)?\s+180(\.0+)?\s*\])").match(pdf).hasMatch(),
           "page is not 3.5 x 2.5 in");
}

void FigureTest::svgParsesAndHoldsSeries() {
  const QString path = dir_.filePath("fig.svg");
  ui::renderFigure(request(db_), path);
  QXmlStreamReader xml(readAll(path));
  int longest = 0;
  while (!xml.atEnd()) {
    xml.readNext();
    if (xml.isStartElement() && (xml.name() == u"path" || xml.name() == u"polyline")) {
      const QString d = xml.attributes().value(xml.name() == u"path" ? "d" : "points").toString();
      longest = std::max<int>(longest, static_cast<int>(d.count(QRegularExpression("[LC]|,"))));
    }
  }
  QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
  QVERIFY2(longest >= kSteps - 1, qPrintable(QString("longest path has %1 segments").arg(longest)));
}

void FigureTest::pngPixelsArePresetTimesDpi() {
  for (const auto& preset : ui::figurePresets()) {
    auto r = request(db_, preset.name);
    r.options.dpi = 150;
    const QString path = dir_.filePath(preset.name + ".png");
    ui::renderFigure(r, path);
    const QImage image(path);
    QCOMPARE(image.width(), qRound(preset.widthIn * 150));
    QCOMPARE(image.height(), qRound(preset.heightIn * 150));
    // White background, and not blank: some pixels are drawn in colour.
    QCOMPARE(image.pixelColor(1, 1), QColor(Qt::white));
    bool coloured = false;
    for (int y = 0; y < image.height() && !coloured; y += 2)
      for (int x = 0; x < image.width() && !coloured; x += 2) coloured = image.pixelColor(x, y).saturation() > 100;
    QVERIFY(coloured);
  }
  // Three metrics, two per row: two rows of the preset height.
  auto grid = request(db_);
  grid.metrics = {"reward", "aha_rate", "reward_std"};
  grid.options.columns = 2;
  QCOMPARE(ui::figureSizeInches(grid), QSizeF(3.5, 5.0));
}

void FigureTest::sidecarRecordsProvenance() {
  auto r = request(db_);
  r.options.smoothing = 0.8;
  r.options.aggregateSeeds = true;
  const QString path = dir_.filePath("prov.png");
  ui::renderFigure(r, path);
  const auto meta = QJsonDocument::fromJson(readAll(path + ".json")).object();
  QCOMPARE(meta["smoothing"].toDouble(), 0.8);
  QCOMPARE(meta["metrics"].toArray().first().toString(), QString("reward"));
  QCOMPARE(meta["runs"].toArray().size(), 2);
  QVERIFY(meta["aggregate_seeds"].toBool());
  QVERIFY(meta["created_by"].toString().startsWith("Aha Studio"));
  // Which steps it shows, and whether the run was still going.
  const auto run = meta["runs"].toArray().first().toObject();
  QVERIFY(run.contains("status"));
  const auto steps = run["steps"].toArray();
  QCOMPARE(steps.size(), 2);
  QVERIFY(steps[0].toInt() >= 0 && steps[1].toInt() > steps[0].toInt());
  // A name typed with an extension keeps it; without one the chosen format's is added.
  QCOMPARE(ui::ExportDialog::withFormat("/x/fig.pdf", "png"), QString("/x/fig.pdf"));
  QCOMPARE(ui::ExportDialog::withFormat("/x/fig", "svg"), QString("/x/fig.svg"));
  QCOMPARE(ui::ExportDialog::withFormat("/x/fig.v2", "png"), QString("/x/fig.v2.png"));
  // Unknown runs and formats are errors that say what exists.
  auto bad = request(db_);
  bad.runs = {"nope"};
  try {
    ui::renderFigure(bad, dir_.filePath("bad.png"));
    QFAIL("an unknown run was accepted");
  } catch (const std::exception& e) {
    QVERIFY2(QString(e.what()).contains("seed-1"), e.what());
  }
  QVERIFY_THROWS_EXCEPTION(std::exception, ui::renderFigure(request(db_), dir_.filePath("fig.bmp")));
  QVERIFY(!QFileInfo::exists(dir_.filePath("fig.bmp.part")));
  // A folder that cannot be written: the system's reason and the fix, not only "cannot write".
  try {
    ui::renderFigure(request(db_), "/proc/no-such-folder/fig.pdf");
    QFAIL("a figure was written under /proc");
  } catch (const std::runtime_error& e) {
    QVERIFY2(QString(e.what()).contains("No such file or directory") && QString(e.what()).contains("choose a folder"),
             e.what());
  }
}

void FigureTest::longRunTickLabelsDoNotOverlap() {
  // Two metrics side by side in one column: panels ~1.4 in wide over 10,400 steps (every
  // 100th is enough for the axis).
  const QString path = dir_.filePath("long.db");
  {
    db::RunStore store(path.toStdString());
    RunInfo info;
    info.name = "long";
    store.begin_run(info, false);
    for (int s = 0; s <= 10400; s += 100) {
      StepRecord rec;
      rec.step = s;
      rec.wall_time = 1.7e9 + s;
      rec.metrics = {{"reward", 0.5}, {"kl", 0.01}};
      store.write_step(rec);
    }
  }
  ui::FigureRequest r;
  r.dbPath = path;
  r.runs = {"long"};
  r.metrics = {"reward", "kl"};
  db::RunReader reader(path.toStdString());
  QCustomPlot plot;
  ui::buildFigure(&plot, reader, r);
  const QSizeF in = ui::figureSizeInches(r);
  plot.setViewport(QRect(0, 0, static_cast<int>(in.width() * 72), static_cast<int>(in.height() * 72)));  // as the export
  plot.replot();
  for (auto* rect : plot.axisRects()) {
    auto* x = rect->axis(QCPAxis::atBottom);
    const auto ticks = x->tickVector();
    const auto labels = x->tickVectorLabels();
    QVERIFY(ticks.size() >= 2);
    const QFontMetricsF metrics(x->tickLabelFont());
    for (int i = 0; i + 1 < ticks.size(); ++i) {
      const double room = x->coordToPixel(ticks[i + 1]) - x->coordToPixel(ticks[i]);
      const double needed = (metrics.horizontalAdvance(labels[i]) + metrics.horizontalAdvance(labels[i + 1])) / 2;
      QVERIFY2(room > needed, qPrintable(QString("labels %1 and %2 overlap").arg(labels[i], labels[i + 1])));
    }
  }
}

void FigureTest::commandLineMatchesStudio() {
  // The studio's export dialog and `aha-studio export chart` with the same settings.
  ui::ExportDialog dialog(db_, {"seed-1", "seed-2"}, {"reward", "aha_rate"}, 0.6);
  const QString fromDialog = dir_.filePath("dialog.png");
  QCOMPARE(dialog.save(fromDialog), QString());
  QVERIFY(!dialog.preview()->pixmap().isNull());
  if (qEnvironmentVariableIsSet("AHA_SCREENSHOTS")) {
    dialog.resize(1200, 760);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    dialog.grab().save(qEnvironmentVariable("AHA_SCREENSHOTS") + "/export-dialog.png");
  }

  const QString fromCli = dir_.filePath("cli.png");
  QProcess cli;
  cli.setProcessEnvironment([] {
    auto env = QProcessEnvironment::systemEnvironment();
    env.remove("DISPLAY");  // it must work without a display
    return env;
  }());
  cli.start(AHA_STUDIO_BIN, {"export", "chart", "--db", db_, "--run", "seed-1", "--run", "seed-2", "--metric",
                             "reward", "--metric", "aha_rate", "--smoothing", "0.6", "--font",
                             dialog.request().options.fontFamily, "--out", fromCli});
  QVERIFY(cli.waitForFinished(60000));
  QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
  if (QImage(fromCli) != QImage(fromDialog) && qEnvironmentVariableIsSet("AHA_SCREENSHOTS")) {
    QFile::copy(fromCli, qEnvironmentVariable("AHA_SCREENSHOTS") + "/figure-cli.png");
    QFile::copy(fromDialog, qEnvironmentVariable("AHA_SCREENSHOTS") + "/figure-dialog.png");
  }
  QCOMPARE(QImage(fromCli), QImage(fromDialog));
  QCOMPARE(readAll(fromCli), readAll(fromDialog));
}

void FigureTest::entropyFitDialogFitsTheRun() {
  // Reward climbing as entropy falls along R = -0.5 exp(H) + 1.6 (ceiling 1.1); a second
  // run with rewards only, which has nothing to fit.
  const std::string path = dir_.filePath("entropy-fit.db").toStdString();
  int64_t fitted = 0, bare = 0;
  auto writeCurve = [](db::RunStore& store) {
    for (int step = 0; step < 40; ++step) {
      StepRecord rec;
      rec.step = step;
      const double h = 0.8 * std::exp(-step / 15.0);
      rec.metrics = {{"reward", -0.5 * std::exp(h) + 1.6}, {"lens/entropy_mean", h}};
      store.write_step(rec);
    }
  };
  {
    db::RunStore store(path);
    RunInfo info;
    info.name = "lens-run";
    fitted = store.begin_run(info, false);
    writeCurve(store);
    db::RunStore other(path);
    info.name = "no-entropy";
    bare = other.begin_run(info, false);
    StepRecord rec;
    rec.metrics = {{"reward", 0.5}};
    other.write_step(rec);
    // The same curve under a config whose rewards add up to 1.05 at most: the ceiling of
    // 1.1 is past what the run can reach, and the dialog says so.
    db::RunStore capped(path);
    info.name = "capped";
    info.config_toml = "name = 'capped'\nreward_weights = [1.0, 0.05]\n";
    QVERIFY(capped.begin_run(info, false) > 0);
    writeCurve(capped);
  }
  auto reader = std::make_shared<db::RunReader>(path);
  ui::EntropyFitDialog dialog(reader, fitted);
  QVERIFY2(dialog.summary()->text().contains("a = 0.5000") && dialog.summary()->text().contains("<b>1.100</b>"),
           qPrintable(dialog.summary()->text()));
  QCOMPARE(dialog.plot()->graph(0)->dataCount(), 40);  // one point per step
  QVERIFY(dialog.windowTitle().contains("lens-run"));
  if (qEnvironmentVariableIsSet("AHA_SCREENSHOTS"))
    dialog.grab().save(qEnvironmentVariable("AHA_SCREENSHOTS") + "/entropy-fit.png");
  ui::EntropyFitDialog none(reader, bare);
  QVERIFY(none.summary()->text().contains("no entropy per step"));
  // What was reached is the best 10-step mean, as `aha lens` says (the last 10 steps here).
  std::vector<double> last;
  for (int step = 30; step < 40; ++step) last.push_back(-0.5 * std::exp(0.8 * std::exp(-step / 15.0)) + 1.6);
  const double reached = std::accumulate(last.begin(), last.end(), 0.0) / 10;
  QVERIFY2(dialog.summary()->text().contains(QString("reached: %1 (best 10-step mean)").arg(reached, 0, 'f', 3)),
           qPrintable(dialog.summary()->text()));
  QVERIFY(!dialog.summary()->text().contains("extrapolates"));  // 1.1 is within the default rewards' 1.1
  ui::EntropyFitDialog capped(reader, reader->run_by_name("capped")->id);
  QVERIFY2(capped.summary()->text().contains("above the most the reward can be (1.05)"),
           qPrintable(capped.summary()->text()));
}

void FigureTest::passAtKDialogProbesOnItsThread() {
  // A run with one checkpoint on disk and one whose folder is gone.
  const std::string path = dir_.filePath("probe.db").toStdString();
  const QString kept = dir_.filePath("probe-ckpt/step-9"), gone = dir_.filePath("probe-ckpt/step-4");
  QDir().mkpath(kept);
  QFile(kept + "/config.json").open(QIODevice::WriteOnly);
  int64_t run = 0;
  {
    db::RunStore store(path);
    RunInfo info;
    info.name = "probed";
    info.config_toml = "name = \"probed\"\nmodel = \"/models/base\"\n";
    run = store.begin_run(info, false);
    store.record_checkpoint(4, gone.toStdString());
    store.record_checkpoint(9, kept.toStdString());
  }
  // A stand-in for the engine: the base model solves 1 sample in 4 of each problem but the
  // first (none), the checkpoint 3 in 4 of every one; on the worker thread, never the GUI's.
  const auto gui = QThread::currentThread();
  std::atomic<bool> offThread{true};  // and with the run's config
  auto probe = [&](const RunConfig& cfg, const std::string& dir, const ProbeSet& set, int samples,
                   const std::function<bool(int, int)>& progress) {
    const int problems = set.problems;
    const uint64_t seed = set.seed;
    offThread = offThread && QThread::currentThread() != gui;
    PassAtKProbe p;
    for (int i = 0; i < problems; ++i) {
      ProbeProblem q;
      q.prompt = std::to_string(seed) + ": problem " + std::to_string(i);
      q.reference = "42";
      q.samples = samples;
      q.correct = dir != "/models/base" ? 3 * samples / 4 : i == 0 ? 0 : samples / 4;
      q.majority_correct = q.correct * 2 > samples;
      for (int j = 0; j < samples; ++j)
        q.completions.push_back({j < q.correct ? "so 42" : "so 41 " + std::to_string(j % 2), "", j < q.correct, false});
      p.problems.push_back(q);
    }
    if (!progress(problems * samples, problems * samples)) throw std::runtime_error("probe cancelled");
    offThread = offThread && cfg.name == "probed";  // the run's stored config reached it
    return p;
  };
  auto reader = std::make_shared<db::RunReader>(path);
  ui::PassAtKDialog dialog(reader, run, probe);
  QCOMPARE(dialog.weightsList()->count(), 2);  // base, and step 9 (step 4's folder is gone)
  QVERIFY(dialog.weightsList()->item(1)->text().contains("9"));
  QVERIFY(!dialog.probeSetBox()->isEnabled());  // nothing stored yet
  dialog.samplesBox()->setValue(8);
  dialog.problemsBox()->setValue(3);
  dialog.start();
  QTRY_VERIFY(!dialog.running());
  QVERIFY(offThread);
  QCOMPARE(dialog.plot()->graphCount(), 2);
  QCOMPARE(dialog.table()->rowCount(), 2);
  QCOMPARE(dialog.table()->item(0, 1)->text(), QString("0.167"));  // base pass@1: (0 + 2/8 + 2/8) / 3
  QCOMPARE(dialog.table()->item(1, 4)->text(), QString("1.000"));  // the checkpoint's maj@n
  QVERIFY2(dialog.status()->text().contains("no crossover"), qPrintable(dialog.status()->text()));
  // Gained: problem 0, solved by no sample of the base model; lost: none.
  QCOMPARE(dialog.changes()->topLevelItemCount(), 2);
  auto* gained = dialog.changes()->topLevelItem(0);
  QVERIFY2(gained->text(0).contains("(1)"), qPrintable(gained->text(0)));
  QCOMPARE(gained->child(0)->text(0), QString("0"));
  QCOMPARE(gained->child(0)->text(1), QString("0/8 \u2192 6/8"));
  QCOMPARE(dialog.changes()->topLevelItem(1)->childCount(), 0);
  // Its completions on either side, identical ones counted once.
  dialog.openProblem(gained->child(0));
  auto* problem = dialog.findChild<ui::ProbeProblemDialog*>();
  QVERIFY(problem);
  QCOMPARE(problem->before()->count(), 2);  // "so 41 0" x4, "so 41 1" x4
  QCOMPARE(problem->after()->count(), 3);   // "so 42" x6 first
  QVERIFY(problem->after()->item(0)->text().startsWith("6"));
  problem->close();
  if (qEnvironmentVariableIsSet("AHA_SCREENSHOTS"))
    dialog.grab().save(qEnvironmentVariable("AHA_SCREENSHOTS") + "/pass-at-k.png");
  // Kept with the run: a dialog opened later shows them without sampling; another seed is
  // another problem set, shown on its own.
  ui::PassAtKDialog later(reader, run, probe);
  QCOMPARE(later.plot()->graphCount(), 2);
  QCOMPARE(later.probeSetBox()->count(), 1);
  later.samplesBox()->setValue(4);
  later.problemsBox()->setValue(2);
  later.weightsList()->item(1)->setCheckState(Qt::Unchecked);
  later.start();
  QTRY_VERIFY(!later.running());
  QCOMPARE(later.probeSetBox()->count(), 2);
  QVERIFY2(later.probeSetBox()->currentText().contains("4 samples"), qPrintable(later.probeSetBox()->currentText()));
  QCOMPARE(later.plot()->graphCount(), 1);
  QVERIFY(later.changes()->topLevelItem(0)->text(0).contains("Probe two"));  // one probe: nothing to compare
  later.probeSetBox()->setCurrentIndex(1);
  QCOMPARE(later.plot()->graphCount(), 2);
  // Nothing checked: said, nothing run.
  for (int i = 0; i < dialog.weightsList()->count(); ++i) dialog.weightsList()->item(i)->setCheckState(Qt::Unchecked);
  dialog.start();
  QVERIFY(!dialog.running());
  QVERIFY(dialog.status()->text().contains("at least one"));
}

void FigureTest::sweepGroupedByAKey() {
  // Sweep "abl": two loss types x two seeds, rewards 0.3 / 0.4 (grpo) and 0.6 / 0.7
  // (dr_grpo) at every step; and a run outside the sweep that --sweep leaves out.
  const QString db = dir_.filePath("sweep.db");
  {
    db::RunStore store(db.toStdString());
    const std::vector<std::tuple<std::string, std::string, int, double>> members = {
        {"abl-grpo-s1", "grpo", 1, 0.3}, {"abl-grpo-s2", "grpo", 2, 0.4},
        {"abl-dr_grpo-s1", "dr_grpo", 1, 0.6}, {"abl-dr_grpo-s2", "dr_grpo", 2, 0.7}, {"other", "", 0, 0.0}};
    for (const auto& [name, loss, seed, reward] : members) {
      RunInfo info;
      info.name = name;
      info.seed = seed;
      info.total_steps = 3;
      if (!loss.empty()) {
        info.sweep = "abl";
        info.sweep_values = "{\"loss_type\":\"" + loss + "\",\"seed\":" + std::to_string(seed) + "}";
      }
      store.begin_run(info, false);
      for (int s = 0; s < 3; ++s) {
        StepRecord rec;
        rec.step = s;
        rec.metrics = {{"reward", reward}};
        store.write_step(rec);
      }
    }
  }
  ui::FigureRequest r;
  r.dbPath = db;
  r.sweep = "abl";
  r.metrics = {"reward"};
  r.options.groupBy = "loss_type";
  r.options.smoothing = 0;
  r.options.showRaw = false;
  db::RunReader reader(db.toStdString());
  QCustomPlot plot;
  ui::buildFigure(&plot, reader, r);
  QMap<QString, double> mean;
  for (int i = 0; i < plot.graphCount(); ++i)
    if (plot.graph(i)->name().startsWith("loss_type") && plot.graph(i)->dataCount() == 3)
      mean[plot.graph(i)->name()] = plot.graph(i)->data()->at(1)->value;
  QVERIFY2(mean.size() == 2, qPrintable(QStringList(mean.keys()).join("; ")));  // one line per loss type, "other" not drawn
  QVERIFY2(std::abs(mean.value("loss_type = grpo (2 runs)") - 0.35) < 1e-9, qPrintable(QStringList(mean.keys()).join("; ")));
  QVERIFY(std::abs(mean.value("loss_type = dr_grpo (2 runs)") - 0.65) < 1e-9);
  // Without grouping, seed aggregation pairs a sweep's seeds (not every run of the sweep).
  r.options.groupBy.clear();
  r.options.aggregateSeeds = true;
  QCustomPlot seeds;  // a figure is drawn into a fresh plot
  ui::buildFigure(&seeds, reader, r);
  QStringList names;
  for (int i = 0; i < seeds.graphCount(); ++i)
    if (seeds.graph(i)->name().startsWith("abl")) names << seeds.graph(i)->name();
  QVERIFY2(names.contains("abl-grpo-s1 (2 seeds)") && names.contains("abl-dr_grpo-s1 (2 seeds)"), qPrintable(names.join("; ")));
  r.sweep = "nope";
  QCustomPlot none;
  QVERIFY_THROWS_EXCEPTION(std::exception, ui::buildFigure(&none, reader, r));
  // Compare Sweep's dialog exports the sweep as a sweep: its sidecar names it.
  const QStringList members = {"abl-grpo-s1", "abl-grpo-s2", "abl-dr_grpo-s1", "abl-dr_grpo-s2"};
  ui::ExportDialog dialog(db, members, {"reward"}, 0.6);
  dialog.setSweep("abl", members);
  QCOMPARE(dialog.request().sweep, QString("abl"));
  const QString path = QFileInfo(db).absolutePath() + "/sweep.png";
  QCOMPARE(dialog.save(path), QString());
  QCOMPARE(QJsonDocument::fromJson(readAll(path + ".json")).object()["sweep"].toString(), QString("abl"));
}

void FigureTest::figuresAReviewerAccepts() {
  // Axis labels from the metric table with their units, not stored names; a band only where
  // it means something (seeds), said in the sidecar; panels without empty cells; whole steps.
  auto r = request(db_);
  r.runs = {"seed-1"};
  r.metrics = {"completions/mean_length_incorrect", "real_aha_rate", "accuracy"};
  const QString path = dir_.filePath("reviewer.svg");
  ui::renderFigure(r, path);
  const auto meta = QJsonDocument::fromJson(readAll(path + ".json")).object();
  QCOMPARE(meta["axis_labels"].toArray(),
           (QJsonArray{"length of wrong answers (tokens)", "real aha rate (fix) (fraction of completions)",
                       "accuracy (fraction)"}));
  QCOMPARE(meta["band"].toString(), QString("none (single runs)"));
  r.options.aggregateSeeds = true;
  r.runs.clear();
  ui::renderFigure(r, path);
  QCOMPARE(QJsonDocument::fromJson(readAll(path + ".json")).object()["band"].toString(),
           QString("+-1 std across seeds"));
  // Three panels in a single column: two in a row (1.17 in each was too narrow for their
  // axes), the third below them as wide as the figure, not beside a hole.
  QCOMPARE(ui::figureColumns(r), 2);
  {
    QCustomPlot plot;
    db::RunReader reader(db_.toStdString());
    ui::buildFigure(&plot, reader, r);
    const QSize size = (ui::figureSizeInches(r) * 72).toSize();
    plot.setViewport(QRect(QPoint(0, 0), size));  // (a hidden widget gets no resize event)
    plot.replot();
    const auto rects = plot.axisRects();
    QCOMPARE(rects.size(), 3);
    QList<int> widths;
    for (auto* rect : rects) widths << rect->outerRect().width();
    std::sort(widths.begin(), widths.end());
    QVERIFY2(widths[0] == widths[1] && widths[2] > 1.8 * widths[0] && widths[2] <= size.width(),
             qPrintable(QString("widths %1 %2 %3").arg(widths[0]).arg(widths[1]).arg(widths[2])));
    // The legend wraps to the figure's width: every entry inside it.
    for (int i = 0; i < plot.legend->itemCount(); ++i)
      QVERIFY(plot.legend->item(i)->outerRect().right() <= size.width());
  }
  r.metrics << "reward";
  QCOMPARE(ui::figureColumns(r), 2);
  r.options.preset = "double-column";
  r.metrics << "aha_rate";  // five: one row of five at 7 in (1.4 in each), not 4 + 1
  QCOMPARE(ui::figureColumns(r), 5);
  // The export dialog lists metrics by the names a person reads (the stored name beside).
  ui::ExportDialog dialog(db_, {"seed-1"}, {"reward"}, 0.6);
  QString listed;
  for (auto* list : dialog.findChildren<QListWidget*>())
    for (int i = 0; i < list->count(); ++i)
      if (list->item(i)->data(Qt::UserRole).toString() == "reward_std") listed = list->item(i)->text();
  QCOMPARE(listed, QString("reward std within groups  \u2014 reward_std"));
  QCOMPARE(dialog.request().metrics, QStringList{"reward"});
  // The steps' axis ticks on whole steps only, for a short run too.
  QCustomPlot plot;
  ui::setStepTicks(plot.xAxis, true);
  plot.xAxis->setRange(1, 12);
  plot.resize(300, 200);
  plot.replot();
  const auto ticks = plot.xAxis->tickVector();
  QVERIFY(ticks.size() >= 2);
  for (double t : ticks) QCOMPARE(t, std::round(t));
}
