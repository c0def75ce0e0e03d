#include <QComboBox>
#include <QDoubleSpinBox>
#include <QRegularExpression>
#include <QTabWidget>
#include <QFile>
#include <QTemporaryDir>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>

#include "tests/ui/ui_tests.h"
#include "core/run/run_config.h"
#include "ui/runs/new_run_dialog.h"
#include "ui/window/preferences_dialog.h"
#include "ui/charts/series_math.h"

using aha::ui::NewRunDialog;

void NewRunDialogTest::presetIsValid() {
  NewRunDialog d;
  QCOMPARE(d.presetBox()->currentText(), QString("demo-arithmetic"));
  QVERIFY(d.isValid());
  QVERIFY(d.startButton()->isEnabled());
  QCOMPARE(d.nameEdit()->text(), QString("demo-arithmetic"));
  QVERIFY(d.configToml().contains("num_generations"));
  // AHA_SCREENSHOTS=DIR saves what the test saw, for a person to look at.
  if (qEnvironmentVariableIsSet("AHA_SCREENSHOTS")) {
    d.show();
    QVERIFY(QTest::qWaitForWindowExposed(&d));
    d.grab().save(qEnvironmentVariable("AHA_SCREENSHOTS") + "/new-run-dialog.png");
  }
}

void NewRunDialogTest::invalidTomlDisablesStart() {
  NewRunDialog d;
  d.tomlEdit()->setPlainText("num_generation = 4\n" + d.tomlEdit()->toPlainText());
  QVERIFY(!d.isValid());
  QVERIFY(!d.startButton()->isEnabled());
  QVERIFY2(d.errorText().contains("did you mean 'num_generations'"), qPrintable(d.errorText()));
  // Clicking Start does nothing while invalid.
  QTest::mouseClick(d.startButton(), Qt::LeftButton);
  QCOMPARE(d.result(), int(QDialog::Rejected));
  d.presetBox()->setCurrentIndex(d.presetBox()->currentIndex());  // no change: still invalid
  d.tomlEdit()->setPlainText("name = \"x\"\ntemperature = 42.0\n");
  QVERIFY(!d.isValid());
  QVERIFY2(d.errorText().contains("temperature") && d.errorText().contains("out of range"), qPrintable(d.errorText()));
}

void NewRunDialogTest::formEditsUpdateToml() {
  {
    // A value a field does not take is put back, and the dialog says so with the range;
    // each field's tooltip gives its range.
    NewRunDialog typed;
    typed.show();
    QVERIFY(QTest::qWaitForWindowExposed(&typed));
    QVERIFY(typed.stepsBox()->toolTip().contains("1 to 1000000"));
    QCOMPARE(typed.tomlEdit()->lineWrapMode(), QPlainTextEdit::NoWrap);
    const int before = typed.stepsBox()->value();
    auto* edit = typed.stepsBox()->findChild<QLineEdit*>();
    edit->selectAll();
    QTest::keyClicks(edit, "0");
    emit typed.stepsBox()->editingFinished();  // (as leaving the field does)
    QCOMPARE(typed.stepsBox()->value(), before);
    QVERIFY2(typed.errorText().contains("max_steps: '0'") && typed.errorText().contains("1 to 1000000"),
             qPrintable(typed.errorText()));
  }
  NewRunDialog d;
  d.stepsBox()->setValue(37);
  QVERIFY2(d.isValid(), qPrintable(d.errorText()));
  QVERIFY(d.configToml().contains("max_steps = 37"));
  d.nameEdit()->setText("my-run");
  QVERIFY(d.configToml().contains("name = 'my-run'") || d.configToml().contains("name = \"my-run\""));
  d.nameEdit()->clear();
  QVERIFY(!d.isValid());
  QVERIFY(d.errorText().contains("name"));
  d.nameEdit()->setText("ok");
  QVERIFY(d.isValid());
  QTest::mouseClick(d.startButton(), Qt::LeftButton);
  QCOMPARE(d.result(), int(QDialog::Accepted));
}

void NewRunDialogTest::smallLearningRatesSurvive() {
  NewRunDialog d;
  QString toml = d.tomlEdit()->toPlainText();
  toml.replace(QRegularExpression("learning_rate = [^\\n]*"), "learning_rate = 3e-7");
  d.tomlEdit()->setPlainText(toml);
  QVERIFY2(d.isValid(), qPrintable(d.errorText()));
  QCOMPARE(d.learningRateBox()->value(), 3e-7);
  QCOMPARE(d.learningRateBox()->text(), QString("3e-07"));
  // An edit of another field leaves the rate as written.
  d.stepsBox()->setValue(12);
  QVERIFY(d.configToml().contains("learning_rate = 3e-7"));
  QCOMPARE(aha::RunConfig::from_toml(d.configToml().toStdString(), "t").learning_rate, 3e-7);
  // Typed in scientific notation.
  d.learningRateBox()->selectAll();
  QTest::keyClicks(d.learningRateBox(), "5e-7");
  QTest::keyClick(d.learningRateBox(), Qt::Key_Tab);
  QCOMPARE(d.learningRateBox()->value(), 5e-7);
  QVERIFY2(d.configToml().contains("learning_rate = 5e-07"), qPrintable(d.configToml()));
  QVERIFY(d.isValid());
  // 0 trains nothing: refused before Start.
  d.learningRateBox()->setValue(0);
  QVERIFY(!d.startButton()->isEnabled());
  QVERIFY2(d.errorText().contains("learning_rate: 0 trains nothing"), qPrintable(d.errorText()));
}

void NewRunDialogTest::advancedTextKeptByFormEdits() {
  NewRunDialog d;
  const QString mine =
      "# my sweep base\nname = \"mine\"\nmodel = \"builtin:tiny-arithmetic\"  # the built-in one\n"
      "max_steps = 20\nbeta = 0.04 # small\nlearning_rate = 1e-4\n\n[task]\nname = \"arithmetic\"\n";
  d.tomlEdit()->setPlainText(mine);
  QVERIFY2(d.isValid(), qPrintable(d.errorText()));
  d.stepsBox()->setValue(30);
  // Only the edited key changed: comments, order and number forms stay.
  QString want = mine;
  want.replace("max_steps = 20", "max_steps = 30");
  QCOMPARE(d.configToml(), want);
  auto* beta = d.findChildren<QDoubleSpinBox*>().at(1);
  beta->setValue(0.2);
  want.replace("beta = 0.04 # small", "beta = 0.2 # small");  // shortest form, not 0.20000000000000001
  QCOMPARE(d.configToml(), want);
}

void NewRunDialogTest::takenNamesAreCaughtLive() {
  NewRunDialog d;
  d.setTakenNames({"demo-arithmetic", "demo-arithmetic-2"});
  QCOMPARE(d.nameEdit()->text(), QString("demo-arithmetic-3"));  // a fresh default
  QVERIFY(d.isValid());
  d.nameEdit()->setText("demo-arithmetic");
  QVERIFY(!d.startButton()->isEnabled());
  QVERIFY2(d.errorText().contains("has a run named 'demo-arithmetic' already"), qPrintable(d.errorText()));
  d.nameEdit()->setText("another");
  QVERIFY(d.isValid());
}

void NewRunDialogTest::modelPresetNeedsItsPaths() {
  NewRunDialog d;
  const int qwen = d.presetBox()->findText("qwen2.5-countdown");
  QVERIFY(qwen >= 0);
  d.presetBox()->setCurrentIndex(qwen);
  // The preset parses, but names a model directory this machine does not have.
  QVERIFY(!d.isValid());
  QVERIFY2(d.errorText().startsWith("model: no model at"), qPrintable(d.errorText()));
  // A model that exists, then the data file is what is missing; then it can start.
  d.modelEdit()->setText(QString::fromStdString(aha::resolve_model_path("builtin:tiny-arithmetic").string()));
  QVERIFY2(d.errorText().startsWith("task.data_file: no file"), qPrintable(d.errorText()));
  QVERIFY(!d.startButton()->isEnabled());
  QTemporaryDir dir;
  const QString data = dir.filePath("cd.jsonl");
  QFile f(data);
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.write("{\"nums\": [3, 7, 25, 50], \"target\": 125}\n");
  f.close();
  d.dataFileEdit()->setText(data);
  QVERIFY2(d.isValid(), qPrintable(d.errorText()));
  QVERIFY(d.configToml().contains(data));
  // The same settings as a veRL launch script, with the chosen data file in it.
  const QString script = dir.filePath("launch.sh");
  QVERIFY(d.exportLaunchScript("verl", script));
  QFile s(script);
  QVERIFY(s.open(QIODevice::ReadOnly));
  const QString text = s.readAll();
  QVERIFY(text.contains("actor_rollout_ref.rollout.n=8") && text.contains(data));
}

void SeriesMathTest::debiasedEmaMatchesTensorBoard() {
  // weight 0.5: last = 0.5*last + 0.5*v, divided by 1 - 0.5^n.
  auto s = aha::ui::debiased_ema({2.0, 4.0, 4.0}, 0.5);
  QCOMPARE(s[0], 2.0);                      // 1.0 / 0.5
  QCOMPARE(s[1], (0.5 * 1.0 + 2.0) / 0.75); // 2.5 / 0.75
  QCOMPARE(s[2], (0.5 * 2.5 + 2.0) / 0.875);
  auto flat = aha::ui::debiased_ema({3.0, 3.0, 3.0, 3.0}, 0.9);
  for (double v : flat) QVERIFY(std::abs(v - 3.0) < 1e-12);
  auto none = aha::ui::debiased_ema({1.0, 5.0}, 0.0);
  QCOMPARE(none[1], 5.0);
}

void NewRunDialogTest::preferencesLexiconReachesNewRuns() {
  using aha::ui::PreferencesDialog;
  QVERIFY(PreferencesDialog::validateReflection("[reflection]\nphrases = [{ phrase = \"x\", category = \"doubt\" }]\n")
              .contains("category"));
  QVERIFY(PreferencesDialog::validateReflection("learning_rate = 1.0\n").contains("only a [reflection] table"));
  QVERIFY(PreferencesDialog::validateReflection("[reflection\n").contains("preferences:1"));
  const QString lexicon = "[reflection]\nphrases = [{ phrase = \"look again\", category = \"verification\" }]\n";
  QCOMPARE(PreferencesDialog::validateReflection(lexicon), QString());
  {
    PreferencesDialog prefs;
    prefs.editor()->setPlainText(lexicon);
    prefs.accept();
  }
  QCOMPARE(PreferencesDialog::reflectionToml(), lexicon);
  NewRunDialog d;
  QVERIFY(d.isValid());
  const auto cfg = aha::RunConfig::from_toml(d.configToml().toStdString(), "dialog");
  QCOMPARE(int(cfg.reflection_phrases.size()), 1);
  QCOMPARE(cfg.reflection_phrases[0].phrase, std::string("look again"));
  QSettings().remove("reflection/toml");
}

void SeriesMathTest::decimationKeepsSpikesAndEnds() {
  std::vector<double> v(10000, 1.0);
  v[4321] = 50.0;  // one spike
  v[777] = -3.0;   // one dip
  const auto keep = aha::ui::minmax_decimation(v, 300);
  QVERIFY(keep.size() <= 2 * 300 + 2);
  QCOMPARE(keep.front(), size_t(0));
  QCOMPARE(keep.back(), size_t(9999));
  QVERIFY(std::is_sorted(keep.begin(), keep.end()));
  QVERIFY(std::find(keep.begin(), keep.end(), size_t(4321)) != keep.end());
  QVERIFY(std::find(keep.begin(), keep.end(), size_t(777)) != keep.end());
  QCOMPARE(aha::ui::minmax_decimation({1, 2, 3}, 300).size(), size_t(3));  // short: every point
  // Even strides for smoothed lines and band edges: ends kept, evenly spaced, sorted.
  const auto stride = aha::ui::stride_decimation(10000, 500);
  QCOMPARE(stride.size(), size_t(500));
  QCOMPARE(stride.front(), size_t(0));
  QCOMPARE(stride.back(), size_t(9999));
  QVERIFY(std::adjacent_find(stride.begin(), stride.end(), [](size_t a, size_t b) { return b - a < 19 || b - a > 21; }) ==
          stride.end());
  QCOMPARE(aha::ui::stride_decimation(7, 500).size(), size_t(7));
}
