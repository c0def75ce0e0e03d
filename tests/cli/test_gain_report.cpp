// `aha report gain` on a stand-in store: runs of a sweep with a truth and a control arm,
// their probes stored by hand (no sampling), the report's figures computed by hand.
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "core/run/probe_records.h"
#include "core/run/run_config.h"
#include "db/probe_store.h"
#include "db/run_store.h"
#include "tests/cli/cli_harness.h"

using namespace cli_test;

namespace {

// A probe of 2 problems x 4 samples: `correct` right answers per problem, `unanswered`
// samples per problem without an <answer>, the majority right where `majority`.
aha::PassAtKProbe probe(std::array<int, 2> correct, std::array<int, 2> unanswered, std::array<bool, 2> majority) {
  aha::PassAtKProbe p;
  for (int i = 0; i < 2; ++i) {
    aha::ProbeProblem q;
    q.samples = 4;
    q.correct = correct[i];
    q.majority_correct = majority[i];
    q.prompt = std::to_string(i) + "+1=";
    q.reference = std::to_string(i + 1);
    for (int s = 0; s < 4; ++s) {
      aha::ProbeCompletion c;
      c.correct = s < correct[i];
      c.answer = s >= 4 - unanswered[i] ? "" : (c.correct ? q.reference : "9");
      c.text = "<think>x</think>" + (c.answer.empty() ? std::string() : "<answer>" + c.answer + "</answer>");
      q.completions.push_back(c);
    }
    p.problems.push_back(q);
  }
  return p;
}

}  // namespace

class GainReportTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void reportsGainsBesideControls() {
    QTemporaryDir dir;
    const QString db = dir.filePath("gain.db");
    aha::ProbeSet set;
    set.problems = 2;
    set.seed = 5;
    {
      aha::db::ProbeStore probes(db.toStdString(), aha::db::Access::Create);
      aha::db::RunStore store(db.toStdString());
      // Base: 1 of 8 right, half of them answered (right when answered: 1 of 4).
      const auto base = probe({1, 0}, {2, 2}, {false, false});
      // Finals (pass@1, answered): truth 6/8 and 5/8, all answered; random 2/8 all
      // answered, 3/8 with 6 answered.
      const std::vector<std::tuple<std::string, int, aha::PassAtKProbe>> runs = {
          {"truth", 1, probe({4, 2}, {0, 0}, {true, true})},
          {"truth", 2, probe({4, 1}, {0, 0}, {true, false})},
          {"random", 1, probe({1, 1}, {0, 0}, {false, false})},
          {"random", 2, probe({2, 1}, {1, 1}, {false, false})}};
      for (const auto& [arm, seed, final_probe] : runs) {
        aha::RunConfig cfg;
        cfg.name = "spur-" + arm + "-s" + std::to_string(seed);
        cfg.seed = seed;
        cfg.reward_funcs = {arm == "truth" ? "accuracy" : arm, "format"};
        aha::RunInfo info;
        info.name = cfg.name;
        info.seed = seed;
        info.config_toml = cfg.to_toml();
        info.sweep = "spur";
        info.sweep_values = "{\"arm\":\"" + arm + "\",\"seed\":" + std::to_string(seed) + "}";
        const int64_t id = store.begin_run(info, false);
        for (int step = 1; step <= 4; ++step) {
          aha::StepRecord rec;
          rec.step = step;
          rec.metrics = {{"reward", 0.5}};
          store.write_step(rec);
        }
        store.record_checkpoint(4, dir.filePath(QString::fromStdString(cfg.name)).toStdString());  // not on disk
        auto add = [&](int64_t step, const aha::PassAtKProbe& p) {
          const auto record = aha::passk_record(id, step, p, set, cfg.temperature);
          probes.add(record.probe, record.problems, record.completions);
        };
        if (cfg.name == "spur-truth-s1") add(0, base);
        add(4, final_probe);
      }
    }
    const Result r = cli_test::aha({"report", "gain", "--db", db, "--run", "spur-truth-s1", "--problems", "2", "--samples", "4",
                          "--seed", "5"});
    QVERIFY2(r.code == 0, qPrintable(r.all()));
    QVERIFY2(!r.err.contains("probing"), qPrintable(r.err));  // every probe was stored
    // truth: gains 0.625, 0.5 (mean 0.5625, t(1) = 12.706 x 0.0625); format share: right
    // when answered at base (1/4) x answered gained (1/2) per seed, over the gains: 0.25/1.125.
    // Each arm's line: seeds, pass@1 gain [low, high], maj@n gain [low, high], format share.
    const auto numbers = [&](const QString& arm) {
      QList<double> found;
      for (const auto& l : r.out.split('\n'))
        if (l.startsWith(arm + " "))
          for (const auto& m : QRegularExpression("[-+]?\\d+(\\.\\d+)?").globalMatch(l.mid(arm.size())))
            found << m.captured().toDouble();
      return found;
    };
    const auto close = [](const QList<double>& got, const QList<double>& want) {
      if (got.size() != want.size()) return false;
      for (int i = 0; i < got.size(); ++i)
        if (std::abs(got[i] - want[i]) > 0.0015) return false;
      return true;
    };
    // maj@n: truth 1.0 and 0.5 against a base of 0 (half 12.706 x 0.25).
    QVERIFY2(close(numbers("truth"), {2, 0.5625, 0.5625 - 0.794125, 0.5625 + 0.794125, 0.75, 0.75 - 3.1765,
                                      0.75 + 3.1765, 22}),
             qPrintable(r.out));
    // random: 0.125 and 0.25 (half 12.706 x 0.0625); maj@n 0; one answer in four lost on
    // seed 2: format part 0.25 x (1 - 0.5) + 0.25 x (0.75 - 0.5) = 0.1875 of 0.375 gained.
    QVERIFY2(close(numbers("random"), {2, 0.1875, 0.1875 - 0.794125, 0.1875 + 0.794125, 0, 0, 0, 50}), qPrintable(r.out));
    // What no control reaches: 0.5625 - 0.1875, Welch's df = 2 (t 4.303, se 0.0884).
    QVERIFY2(r.out.contains("against random, the best control") && r.out.contains("pass@1 +0.375 [-0.005, +0.755]"),
             qPrintable(r.out));

    // Bad input: a run without a checkpoint's probe names what is missing.
    EXPECT_FAILS_SAYING(cli_test::aha({"report", "gain", "--db", db, "--run", "spur-truth-s1", "--problems", "2", "--samples",
                             "8", "--seed", "5"}),
                        "is gone");
    EXPECT_FAILS_SAYING(cli_test::aha({"report", "loss", "--db", db}), "not a report");
  }
};

int run_gain_report(int argc, char** argv) {
  GainReportTest t;
  return QTest::qExec(&t, argc, argv);
}

#include "test_gain_report.moc"
