// The studio's anchor map (docs/ANCHORS.md) of a stored trace, with a stand-in engine whose
// continuations are known: one bar per step with its figures in the tooltip, the most
// decisive step selected with its continuations kept and resampled away; the map kept with
// the sample and shown again; Stop keeps nothing.
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QListWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QThread>

#include <map>

#include "db/run_store.h"
#include "tests/ui/ui_tests.h"
#include "ui/probes/anchor_dialog.h"

using namespace aha;

namespace {

// From before "check": half the continuations skip the check and keep 43 (wrong); from
// anywhere else, the original goes on (right).
std::vector<AnchorContinuation> stand_in(const std::vector<std::string>& prefixes) {
  static int draw = 0;
  const std::string text = "12+30=43 check 2+0=2 1+3=4 so 42</think><answer>42</answer>";
  std::vector<AnchorContinuation> out;
  for (const auto& p : prefixes) {
    if (p == "12+30=43 " && draw++ % 2) out.push_back({"so 43</think><answer>43</answer>", false, "", false});
    else out.push_back({text.substr(p.size()), false, "", false});
  }
  return out;
}

}  // namespace

void AnchorDialogTest::mapsStepsAndKeepsThem() {
  QTemporaryDir dir;
  const std::string path = dir.filePath("anchors.db").toStdString();
  int64_t id = 0;
  {
    db::RunStore store(path);
    RunInfo info;
    info.name = "mapped";
    info.config_toml = "name = \"mapped\"\nmodel = \"/models/base\"\nprompt_template = \"{question}<think>\"\n";
    store.begin_run(info, false);
    StepRecord rec;
    rec.step = 3;
    SampleRecord s;
    s.step = 3;
    s.prompt = "12+30=<think>";
    s.reference = "42";
    s.completion = "12+30=43 check 2+0=2 1+3=4 so 42</think><answer>42</answer>";
    s.correct = true;
    rec.samples.push_back(s);
    store.write_step(rec);
    id = db::RunReader(path).connection().scalar_int("SELECT max(id) FROM samples");
  }
  AnchorRequest seen;
  auto mapper = [&seen](const AnchorRequest& r, const std::function<bool(int, int)>& progress) {
    seen = r;
    return anchor_map(r.trace, r.options, stand_in, progress);
  };
  auto reader = std::make_shared<db::RunReader>(path);
  ui::AnchorDialog d(reader, id, mapper);
  d.resize(1280, 760);
  d.show();
  QCOMPARE(d.keptBox()->currentText(), QString("none yet"));
  QCOMPARE(d.steps()->rowCount(), 4);  // the steps, before any map
  QCOMPARE(d.steps()->item(3, 1)->text(), QString("so 42"));
  QVERIFY(d.weightsBox()->itemText(0).contains("the base model"));  // no checkpoint: nearest is the base
  d.fullBox()->setChecked(true);
  d.start();
  QTRY_VERIFY_WITH_TIMEOUT(!d.running(), 20000);
  QCOMPARE(seen.options.full_samples, 64);
  QCOMPARE(seen.weights.path, std::string("/models/base"));
  QVERIFY(seen.trace.opens_think);
  // Four steps; "check 2+0=2" decides: kept 64/64 right, resampled away half of 64, all wrong:
  // effect 1 x 32/64.
  auto* t = d.steps();
  QCOMPARE(t->rowCount(), 4);
  QCOMPARE(t->item(1, 1)->text(), QString("check 2+0=2"));
  QCOMPARE(t->item(1, 0)->text(), QString("+0.50"));
  QCOMPARE(t->item(2, 0)->text(), QString("+0.00"));
  QVERIFY2(t->item(1, 0)->toolTip().contains("32 of 64 continuations from before it wrote a different step") &&
               t->item(1, 0)->toolTip().contains("Resilience"),
           qPrintable(t->item(1, 0)->toolTip()));
  QVERIFY(t->item(2, 1)->toolTip().contains("whatever it samples"));
  QCOMPARE(t->currentRow(), 1);  // the most decisive, selected
  QCOMPARE(d.keptList()->count(), 1);  // one distinct continuation after it, 64 times
  QVERIFY(d.keptList()->item(0)->text().startsWith("64"));
  QCOMPARE(d.awayList()->count(), 1);
  QVERIFY(d.awayList()->item(0)->text().contains("so 43"));
  QVERIFY(d.status()->text().contains("Most decisive: step 2"));
  if (qEnvironmentVariableIsSet("AHA_SCREENSHOTS"))
    d.grab().save(qEnvironmentVariable("AHA_SCREENSHOTS") + "/anchors.png");

  // Kept with the sample: a dialog opened later shows it with the same figures.
  ui::AnchorDialog later(reader, id, mapper);
  QCOMPARE(later.keptBox()->count(), 1);
  QVERIFY(later.keptBox()->currentText().contains("320 continuations"));
  QCOMPARE(later.steps()->item(1, 0)->text(), QString("+0.50"));

  // Stopped: nothing kept.
  auto slow = [](const AnchorRequest& r, const std::function<bool(int, int)>& progress) {
    return anchor_map(r.trace, r.options,
                      [](const std::vector<std::string>& p) {
                        QThread::msleep(20);
                        return stand_in(p);
                      },
                      progress);
  };
  ui::AnchorDialog stopped(reader, id, slow);
  stopped.fullBox()->setChecked(true);
  stopped.start();
  stopped.stop();
  QTRY_VERIFY_WITH_TIMEOUT(!stopped.running(), 20000);
  QVERIFY(stopped.status()->text().contains("nothing was kept"));
  QCOMPARE(stopped.keptBox()->count(), 1);
}
