#include <cmath>
#include <map>
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QFileInfo>
#include <QLineEdit>
#include <QListWidget>
#include <QSpinBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTextBrowser>
#include <QToolButton>

#include <fstream>
#include <sstream>
#include <nlohmann/json.hpp>

#include "core/analysis/reflection.h"
#include "core/analysis/token_trace.h"
#include "core/run/token_alternatives.h"
#include "core/run/step_metrics.h"
#include "db/run_reader.h"
#include "db/run_store.h"
#include "db/search_index.h"
#include "db/tag_store.h"
#include "db/trace_export.h"
#include "tests/ui/ui_tests.h"
#include "ui/probes/resample_dialog.h"
#include "ui/traces/trace_browser.h"
#include "ui/traces/trace_detail_view.h"
#include "ui/traces/trace_filter_bar.h"
#include "ui/traces/trace_html.h"
#include "ui/traces/trace_table_model.h"

using namespace aha;

namespace {
constexpr int kSteps = 30, kGroups = 4, kG = 4;  // 480 samples: more than two pages

void waitForFilter() { QTest::qWait(400); }  // the filter bar debounces edits by 250 ms

// A copy of the database beside it, with a search index that has indexed nothing yet.
std::string copyWithEmptyIndex(const QString& db, const char* name) {
  const std::string copy = (QFileInfo(db).dir().filePath(name)).toStdString();
  db::Connection(db.toStdString()).exec("VACUUM INTO '" + copy + "'");
  db::SearchIndex create(copy);
  return copy;
}

void screenshot(QWidget& w, const char* name) {
  if (qEnvironmentVariableIsSet("AHA_SCREENSHOTS")) w.grab().save(qEnvironmentVariable("AHA_SCREENSHOTS") + "/" + name);
}
}  // namespace

void TraceBrowserTest::initTestCase() {
  QVERIFY(dir_.isValid());
  db_ = dir_.filePath("traces.db");
  db::RunStore store(db_.toStdString());
  RunInfo info;
  info.name = "trace-run";
  info.total_steps = kSteps;
  store.begin_run(info, false);
  ReflectionDetector detector;
  for (int step = 0; step < kSteps; ++step) {
    StepRecord rec;
    rec.step = step;
    for (int g = 0; g < kGroups; ++g) {
      for (int i = 0; i < kG; ++i) {
        SampleRecord s;
        s.step = step;
        s.group_index = g;
        s.index_in_group = i;
        const int a = 10 + g, b = 20 + g;
        s.prompt = std::to_string(a) + "+" + std::to_string(b) + "=<think>";
        s.reference = std::to_string(a + b);
        const bool checks = i == 0, right = i != 3;
        const std::string stated = std::to_string(right || checks ? a + b + (checks ? 1 : 0) : a + b + 5);
        s.completion = std::to_string(a) + "+" + std::to_string(b) + "=" + stated;
        if (checks) s.completion += " check " + std::to_string(a % 10) + "+" + std::to_string(b % 10) + "=" +
                                    std::to_string(a % 10 + b % 10) + " 1+2=3 so " + s.reference + " wait, " + stated +
                                    " was wrong";
        const std::string answer = right ? s.reference : stated;
        s.completion += "</think><answer>" + answer + "</answer>";
        s.token_count = static_cast<int>(s.completion.size());
        s.correct = right;
        s.format_ok = true;
        s.reward = right ? 1.1 : 0.1;
        s.rewards = {{"accuracy", right ? 1.0 : 0.0}, {"format", 1.0}};
        s.advantage = right ? 0.5 : -1.5;
        record_reflection(detector.analyse(s.completion, answer, numeric_judge(s.reference)), s);
        rec.samples.push_back(s);
      }
    }
    rec.metrics = {{"reward", 0.85}, {"aha_rate", step < 15 ? 0.1 : 0.6},
                   {"real_aha_rate", step < 15 ? 0.1 : 0.4}, {"reflection/confirm_rate", 0.3},
                   {"reflection/miss_rate", 0.1}, {"reflection/break_rate", 0.0},
                   {"reflection/ritual_rate", step < 15 ? 0.5 : 0.2}};
    store.write_step(rec);
  }
  store.finish_search_index();
}

void TraceBrowserTest::loadsLazilyAndFilters() {
  ui::TraceBrowser b;
  b.resize(1400, 800);
  b.setDatabase(db_);
  b.show();
  QVERIFY(QTest::qWaitForWindowExposed(&b));
  auto* model = b.model();
  QTRY_COMPARE(model->totalMatching(), qint64(kSteps * kGroups * kG));
  // Only what the view needs: a page or two, never the whole run.
  QVERIFY(model->rowCount() >= ui::TraceTableModel::kPageSize);
  QVERIFY(model->rowCount() < kSteps * kGroups * kG);
  b.table()->scrollToBottom();
  QTest::qWait(50);
  b.table()->scrollToBottom();
  QTRY_COMPARE(model->rowCount(), kSteps * kGroups * kG);

  b.filterBar()->correctBox()->setCurrentIndex(2);  // wrong only
  waitForFilter();
  QTRY_COMPARE(model->totalMatching(), qint64(kSteps * kGroups));
  for (int r = 0; r < model->rowCount(); ++r)
    QCOMPARE(model->data(model->index(r, ui::TraceTableModel::ColCorrect), Qt::DisplayRole).toString(), QString("✗"));
  b.filterBar()->correctBox()->setCurrentIndex(0);
  b.filterBar()->flaggedBox()->setChecked(true);
  waitForFilter();
  QTRY_COMPARE(model->totalMatching(), qint64(kSteps * kGroups));  // the checking sample of each group
  b.filterBar()->flaggedBox()->setChecked(false);
  // Reflection outcomes: each checking sample fixes its stated sum; none is a ritual.
  b.filterBar()->outcomeBox()->setCurrentIndex(b.filterBar()->outcomeBox()->findText("fix"));
  waitForFilter();
  QTRY_COMPARE(model->totalMatching(), qint64(kSteps * kGroups));
  for (int r = 0; r < model->rowCount(); ++r)
    QCOMPARE(model->data(model->index(r, ui::TraceTableModel::ColCorrect), Qt::DisplayRole).toString(), QString("✓"));
  b.filterBar()->outcomeBox()->setCurrentIndex(b.filterBar()->outcomeBox()->findText("ritual"));
  waitForFilter();
  QTRY_COMPARE(model->totalMatching(), qint64(0));
  b.filterBar()->outcomeBox()->setCurrentIndex(0);
  b.filterBar()->behaviourBox()->setCurrentIndex(b.filterBar()->behaviourBox()->findText("verification"));
  waitForFilter();
  QTRY_COMPARE(model->totalMatching(), qint64(kSteps * kGroups));
  b.filterBar()->behaviourBox()->setCurrentIndex(0);

  b.showRunStep(1, 7);
  QTRY_COMPARE(model->totalMatching(), qint64(kGroups * kG));
  QCOMPARE(model->data(model->index(0, ui::TraceTableModel::ColStep), Qt::DisplayRole).toInt(), 7);
  // Clear filters: every step again, with one click; an emptied step field means any.
  QTest::mouseClick(b.filterBar()->clearButton(), Qt::LeftButton);
  QTRY_COMPARE(model->totalMatching(), qint64(kSteps * kGroups * kG));
  QVERIFY(!b.filterBar()->filter().step_min && !b.filterBar()->filter().step_max);
  b.showRunStep(1, 7);
  QTRY_COMPARE(model->totalMatching(), qint64(kGroups * kG));
  auto* first = b.filterBar()->stepMinBox();
  first->setFocus();
  first->selectAll();
  QTest::keyClick(first, Qt::Key_Delete);
  QTest::keyClick(first, Qt::Key_Tab);
  QCOMPARE(first->text(), QString("any"));
  QVERIFY(!b.filterBar()->filter().step_min);
  b.showRunStep(1, 7);

  // Sorting by reward, descending, happens in SQL.
  b.table()->sortByColumn(ui::TraceTableModel::ColReward, Qt::DescendingOrder);
  QCOMPARE(model->data(model->index(0, ui::TraceTableModel::ColReward), Qt::DisplayRole).toString(), QString("1.100"));
  QCOMPARE(model->data(model->index(model->rowCount() - 1, ui::TraceTableModel::ColReward), Qt::DisplayRole).toString(),
           QString("0.100"));
}

void TraceBrowserTest::fullTextSearchAndBadQuery() {
  ui::TraceBrowser b;
  b.setDatabase(db_);
  b.filterBar()->searchEdit()->setText("\"was wrong\"");
  waitForFilter();
  QTRY_COMPARE(b.model()->totalMatching(), qint64(kSteps * kGroups));
  b.filterBar()->searchEdit()->setText("\"unbalanced");
  waitForFilter();
  QCOMPARE(b.model()->rowCount(), 0);
  QVERIFY2(b.statusLabel()->text().contains("Filter not applied"), qPrintable(b.statusLabel()->text()));
}

void TraceBrowserTest::searchWaitsForTheIndex() {
  // A copy of the database whose search index is empty and held by another writer: the
  // browser says what the search cannot see yet, and searches again once indexed.
  const std::string copy = copyWithEmptyIndex(db_, "unindexed.db");
  db::Connection holder(db::search_index_path(copy));
  holder.exec("BEGIN IMMEDIATE");
  ui::TraceBrowser b;
  b.setDatabase(QString::fromStdString(copy));
  b.filterBar()->searchEdit()->setText("\"was wrong\"");
  waitForFilter();
  QTRY_VERIFY2(b.statusLabel()->text().contains("indexing"), qPrintable(b.statusLabel()->text()));
  QCOMPARE(b.model()->rowCount(), 0);
  b.resize(1400, 800);
  b.show();
  QVERIFY(QTest::qWaitForWindowExposed(&b));
  screenshot(b, "trace-browser-indexing.png");
  holder.exec("COMMIT");
  QTRY_COMPARE_WITH_TIMEOUT(b.model()->totalMatching(), qint64(kSteps * kGroups), 15000);
  QVERIFY2(!b.statusLabel()->text().contains("indexing"), qPrintable(b.statusLabel()->text()));
}

void TraceBrowserTest::searchNamesAnIndexThatCannotBeWritten() {
  // An index whose progress cannot be recorded (here a view stands where its table
  // belongs): the status says why the search misses traces instead of "indexing".
  const std::string copy = copyWithEmptyIndex(db_, "stuck.db");
  {
    const std::string instance = db::Connection(copy).scalar_text("SELECT value FROM store_meta WHERE key = 'instance'");
    db::Connection index(db::search_index_path(copy));
    index.exec("DROP TABLE index_state; CREATE VIEW index_state(key, value) AS SELECT 'instance', '" + instance +
               "' UNION ALL SELECT 'indexed_through', 0");
  }
  ui::TraceBrowser b;
  b.setDatabase(QString::fromStdString(copy));
  b.filterBar()->searchEdit()->setText("\"was wrong\"");
  waitForFilter();
  QTRY_VERIFY2(b.statusLabel()->text().contains("index_state"), qPrintable(b.statusLabel()->text()));
  QVERIFY2(!b.statusLabel()->text().contains("indexing"), qPrintable(b.statusLabel()->text()));
}

void TraceBrowserTest::numberKeyTagsSelection() {
  ui::TraceBrowser b;
  b.setDatabase(db_);
  b.show();
  // The digit keys work while the table has focus, and only an active window has focus
  // (under X without a window manager nothing activates it by itself).
  b.activateWindow();
  QVERIFY(QTest::qWaitForWindowActive(&b));
  b.table()->setFocus();
  b.table()->selectRow(0);
  b.table()->selectionModel()->select(b.model()->index(1, 0),
                                      QItemSelectionModel::Select | QItemSelectionModel::Rows);
  b.table()->selectionModel()->select(b.model()->index(2, 0),
                                      QItemSelectionModel::Select | QItemSelectionModel::Rows);
  const auto ids = b.selectedSampleIds();
  QCOMPARE(ids.size(), 3);
  QTest::keyClick(b.table(), Qt::Key_1);  // tag 1 is the built-in "aha"
  db::TagStore tags(db_.toStdString());
  for (qint64 id : ids) {
    const auto on = tags.tags_of(id);
    QCOMPARE(int(on.size()), 1);
    QCOMPARE(QString::fromStdString(on[0].name), QString("aha"));
  }
  QVERIFY(b.model()->data(b.model()->index(0, ui::TraceTableModel::ColTags), Qt::DisplayRole).toString().contains("aha"));
  // The Aha column says what its numbers are.
  QVERIFY(b.model()->headerData(ui::TraceTableModel::ColAha, Qt::Horizontal, Qt::ToolTipRole).toString().contains("Aha score, 0 to 1"));
  // The tag filter finds exactly them; pressing 1 again removes the tag from all three.
  b.filterBar()->tagBox()->setCurrentIndex(1);
  waitForFilter();
  QTRY_COMPARE(b.model()->totalMatching(), qint64(3));
  b.table()->selectAll();
  QTest::keyClick(b.table(), Qt::Key_1);
  for (qint64 id : ids) QVERIFY(tags.tags_of(id).empty());
  // At the width a 1280x800 window gives the trace pane, each tag button shows its whole
  // name, and its tooltip names the tag.
  b.resize(990, 700);
  QApplication::processEvents();
  int buttons = 0;
  for (auto* button : b.findChildren<QToolButton*>()) {
    const QString tag = button->property("tagId").isValid() ? button->text().section(' ', 1) : QString();
    if (tag.isEmpty()) continue;
    ++buttons;
    QVERIFY2(button->width() >= button->sizeHint().width(), qPrintable(button->text() + " is cut"));
    QVERIFY2(button->toolTip().contains("'" + tag + "'"), qPrintable(button->toolTip()));
  }
  QCOMPARE(buttons, 5);
}

void TraceBrowserTest::groupAndHistoryViews() {
  ui::TraceBrowser b;
  b.setDatabase(db_);
  b.showRunStep(1, 3);
  b.table()->selectRow(5);  // group 1, sample 1
  auto* detail = b.detail();
  QCOMPARE(detail->sampleId(), b.model()->sampleId(5));
  QCOMPARE(detail->groupTable()->rowCount(), kG);
  db::RunReader reader(db_.toStdString());
  const auto shown = reader.sample(detail->sampleId());
  for (int r = 0; r < kG; ++r) {
    const auto s = reader.sample(detail->groupTable()->item(r, 0)->data(Qt::UserRole).toLongLong());
    QCOMPARE(s->step, shown->step);
    QCOMPARE(s->group_index, shown->group_index);
    QCOMPARE(detail->groupTable()->item(r, 2)->text(), QString::number(s->advantage, 'f', 3));
  }
  // The same prompt at every step: kSteps steps x kG samples.
  QCOMPARE(detail->historyTable()->rowCount(), kSteps * kG);
  QCOMPARE(detail->historyTable()->item(0, 0)->text(), QString("0"));
  detail->tabs()->setCurrentIndex(1);
  b.resize(1400, 700);
  b.show();
  QVERIFY(QTest::qWaitForWindowExposed(&b));
  // Each completion whole and wrapped, its row as tall as it needs; no sideways scrolling.
  auto* group = detail->groupTable();
  QCOMPARE(group->item(0, 6)->text(), QString::fromStdString(reader.sample(group->item(0, 0)->data(Qt::UserRole).toLongLong())->completion).trimmed());
  QCOMPARE(group->horizontalScrollBar()->maximum(), 0);
  QVERIFY(group->columnWidth(6) < group->viewport()->width());
  QVERIFY2(group->rowHeight(0) > 2 * group->fontMetrics().height(),
           qPrintable(QString("row height %1").arg(group->rowHeight(0))));
  screenshot(b, "trace-browser-group.png");
  // Rows as tall as their text at the width the pane has now, through narrowing and widening
  // (they kept the height of the width they were first laid out at).
  // (What fits: the heights resizeRowsToContents gives at this width; the check lays them out
  // again, so each width is checked once, after the events of its resize.)
  const auto rowsFit = [group] {
    QList<int> shown, fit;
    for (int r = 0; r < group->rowCount(); ++r) shown << group->rowHeight(r);
    group->resizeRowsToContents();
    for (int r = 0; r < group->rowCount(); ++r) fit << group->rowHeight(r);
    return shown == fit;
  };
  for (int width : {1400, 700, 1400}) {
    b.resize(width, 700);
    QTest::qWait(50);
    QVERIFY2(rowsFit(), qPrintable(QString("at width %1").arg(width)));
  }
}

void TraceBrowserTest::detailHighlightsSpans() {
  const QString html = ui::traceHtml("12+20=33 check 2+0=2 1+2=3 so 32 wait, 33 was wrong</think><answer>32</answer>",
                                     R"([{"begin":9,"end":14,"category":"verification"},)"
                                     R"({"begin":33,"end":37,"category":"backtracking"}])",
                                     R"([{"begin":9,"end":14,"behaviour":"verification","outcome":"fix","before":"33","after":"32"}])",
                                     true);
  QVERIFY(html.contains(QString("background:%1' title='verification'>check</span>")
                            .arg(ui::reflectionColor("verification").name())));
  QVERIFY(html.contains("title='backtracking'>wait</span>"));
  QVERIFY(html.contains(QString("check</span><span style='background:%1;color:white;font-size:small' "
                                "title='verification, fix (the text)'>&nbsp;fix 33 \u2192 32&nbsp;</span>")
                            .arg(ui::outcomeColor("fix").name())));
  QVERIFY(html.contains("THINKING"));
  QVERIFY(!html.contains("model:"));  // not judged by the model
  // Judged by the model: its verdict and its two answers beside the text's.
  const QString judged = ui::traceHtml("12+20=33 check 2+0=2 1+2=3 so 32</think><answer>32</answer>", "[]",
                                       R"([[9,14,"verification","fix","33","32","miss","33","33"]])", true);
  QVERIFY2(judged.contains("&nbsp;model: miss 33&nbsp;"), qPrintable(judged));
  QVERIFY(html.contains("ANSWER"));
  QVERIFY(!html.contains("&lt;think&gt;"));
  // The rows form the store writes now gives the same page as the objects older databases hold.
  const QString fromRows = ui::traceHtml("12+20=33 check 2+0=2 1+2=3 so 32 wait, 33 was wrong</think><answer>32</answer>",
                                         R"([[9,14,"verification"],[33,37,"backtracking"]])",
                                         R"([[9,14,"verification","fix","33","32"]])", true);
  QCOMPARE(fromRows, html);

  ui::TraceBrowser b;
  b.setDatabase(db_);
  b.resize(1400, 700);
  b.show();
  QVERIFY(QTest::qWaitForWindowExposed(&b));
  b.filterBar()->flaggedBox()->setChecked(true);
  waitForFilter();
  b.table()->selectRow(0);
  QVERIFY(b.detail()->traceText()->toHtml().contains("was wrong"));
  b.detail()->noteEdit()->setPlainText("fixes its carry");
  b.detail()->showSample(-1);  // switching saves the note
  QCOMPARE(db::TagStore(db_.toStdString()).note(b.model()->sampleId(0)), std::string("fixes its carry"));
  b.detail()->showSample(b.model()->sampleId(0));
  QCOMPARE(b.detail()->noteEdit()->toPlainText(), QString("fixes its carry"));
  screenshot(b, "trace-browser-detail.png");

  // Search hits are marked in the text: words and "phrases" at word starts, prefix* too.
  QCOMPARE(ui::searchTerms("wait AND \"let me check\" OR rech* NOT (x)"), QStringList({"wait", "let me check", "rech*", "x"}));
  const QString marked = ui::traceHtml("Wait, let me check. I recheck: checked.", "[]", "", true, {"check", "rech*"});
  auto hits = [&](const QString& html) { return html.count("<span style='background:#FFE066"); };
  QCOMPARE(hits(marked), int(QString("check").size() + QString("rech").size()));  // not "checked", "recheck" only by prefix
  QCOMPARE(hits(ui::traceHtml("Wait, let me check.", "[]", "", true, {"let me check"})), int(QString("let me check").size()));
}

void TraceBrowserTest::tokenLensColoursTheTrace() {
  // A local run whose one sample kept its tokens (one per character; "wait" uncertain),
  // and an imported one that has none.
  const std::string path = dir_.filePath("lens.db").toStdString();
  const std::string text = "12+20=33 wait, 33 was wrong so 32</think><answer>32</answer>";
  int64_t local_id = 0, imported_id = 0;
  {
    db::RunStore store(path);
    RunInfo info;
    info.name = "local";
    store.begin_run(info, false);
    StepRecord rec;
    SampleRecord s;
    s.prompt = "12+20=<think>";
    s.reference = "32";
    s.completion = text;
    s.advantage = 0.8;
    ReflectionDetector detector;
    record_reflection(detector.analyse(s.completion, "32", numeric_judge(s.reference)), s);
    TokenTrace t;
    for (size_t i = 0; i < text.size(); ++i) {
      const bool wait = i >= 9 && i < 13;
      t.ids.push_back(static_cast<int32_t>(text[i]));
      t.begins.push_back(static_cast<uint32_t>(i));
      t.entropies.push_back(wait ? 2.0f : 0.005f);
      t.logprobs.push_back(wait ? -1.5f : -0.01f);
    }
    s.token_trace = encode_token_trace(t);
    rec.samples.push_back(s);
    rec.metrics = {{"lens/fork_threshold", 1.0}, {"covariance/token_mean_advantage", 0.3},
                   {"covariance/token_mean_logp", -0.5}};
    store.write_step(rec);
    local_id = db::RunReader(path).connection().scalar_int("SELECT max(id) FROM samples");
    db::RunStore imported(path);
    info.name = "from-verl";
    info.source = "verl";
    imported.begin_run(info, false);
    rec.samples[0].token_trace.clear();
    rec.metrics.clear();
    imported.write_step(rec);
    imported_id = db::RunReader(path).connection().scalar_int("SELECT max(id) FROM samples");
  }
  ui::TraceDetailView view;
  auto reader = std::make_shared<db::RunReader>(path);
  view.setDatabase(reader, nullptr);
  view.resize(1000, 500);
  view.showSample(local_id);
  QVERIFY(view.lensChoice()->isEnabled());
  QVERIFY(view.lensNote()->text().contains(QString::number(text.size()) + " token"));
  view.lensChoice()->setCurrentIndex(int(ui::LensMode::Entropy));
  const QString html = view.traceText()->toHtml();
  // "wait": bold (entropy 2 >= the run's threshold 1), nearly red, its tooltip with its
  // numbers; the certain "12" nearly white.
  const QColor hot = ui::lensColor(ui::LensMode::Entropy, -1.5f, 2.0f, 1.0, 0.8);
  const QColor cold = ui::lensColor(ui::LensMode::Entropy, -0.01f, 0.005f, 1.0, 0.8);
  QVERIFY(hot.red() > 200 && hot.green() < 140);
  QVERIFY(cold.green() > 240);
  QTextCursor at(view.traceText()->document());
  const int waitPos = view.traceText()->toPlainText().indexOf("wait");
  QVERIFY(waitPos > 0);
  at.setPosition(waitPos + 2);
  const QTextCharFormat f = at.charFormat();
  QCOMPARE(f.background().color().name(), hot.name());
  QVERIFY(f.fontWeight() >= QFont::Bold);
  QVERIFY2(f.toolTip().contains("entropy 2.000 nats") && f.toolTip().contains("forking token (entropy 1.00 nats or more)"),
           qPrintable(f.toolTip()));  // whole: an apostrophe in it no longer ends the attribute
  QVERIFY(f.fontUnderline());  // "wait" is a reflection phrase: underlined on top of its colour
  at.setPosition(view.traceText()->toPlainText().indexOf("12+20=33") + 1);
  QCOMPARE(at.charFormat().background().color().name(), cold.name());
  QVERIFY(at.charFormat().fontWeight() < QFont::Bold);
  QVERIFY(view.lensNote()->text().contains("1.00 nats"));  // the run's threshold, said
  QVERIFY(html.contains("ANSWER"));  // the sections stay
  // Advantage: the uncertain tokens carry the push (green: a positive advantage).
  view.lensChoice()->setCurrentIndex(int(ui::LensMode::Advantage));
  at = QTextCursor(view.traceText()->document());
  at.setPosition(waitPos + 2);
  const QColor pushed = at.charFormat().background().color();
  QVERIFY(pushed.green() > pushed.red());
  // Covariance (Cui et al.): around the step's token means (A 0.3, log p -0.5): "wait",
  // (0.8 - 0.3)(-1.5 + 0.5) = -0.5, blue at half strength; "12", +0.245, orange.
  view.lensChoice()->setCurrentIndex(int(ui::LensMode::Covariance));
  at = QTextCursor(view.traceText()->document());
  at.setPosition(waitPos + 2);
  QCOMPARE(at.charFormat().background().color().name(),
           ui::lensColor(ui::LensMode::Covariance, -1.5f, 2.0f, 1.0, 0.8, {0.3, -0.5}).name());
  QVERIFY(at.charFormat().background().color().blue() > at.charFormat().background().color().red());
  QVERIFY2(at.charFormat().toolTip().contains("covariance -0.500"), qPrintable(at.charFormat().toolTip()));
  at.setPosition(view.traceText()->toPlainText().indexOf("12+20=33") + 1);
  const QColor warm = at.charFormat().background().color();
  QVERIFY(warm.red() > warm.blue());
  QVERIFY2(view.lensNote()->text().contains("0.300") && view.lensNote()->text().contains("-0.500"),
           qPrintable(view.lensNote()->text()));
  // A click on a token asks for its alternatives: none without an engine, said so; with
  // one, its answer for the token clicked (here a stand-in that echoes the request).
  const auto click = [&](int pos) {
    at = QTextCursor(view.traceText()->document());
    at.setPosition(pos);
    const QRect r = view.traceText()->cursorRect(at);
    QTest::mouseClick(view.traceText()->viewport(), Qt::LeftButton, {}, r.center() + QPoint(2, 0));
  };
  view.show();
  QVERIFY(QTest::qWaitForWindowExposed(&view));
  click(waitPos + 1);
  QVERIFY(view.alternativesLabel()->isVisible());
  QVERIFY2(view.alternativesLabel()->text().contains("aha lens --db"), qPrintable(view.alternativesLabel()->text()));
  AlternativesRequest seen;
  view.setAlternativesProvider([&seen](const AlternativesRequest& r) {
    seen = r;
    TokenAlternatives a;
    a.weights = r.weights;
    a.sampled_by = r.step - 1;
    a.sampled_text = std::string(1, char(r.completion[r.position]));
    a.sampled_probability = 0.25;
    a.top = {{"w", 0.25}, {"s", 0.2}};
    return a;
  });
  click(waitPos + 1);
  QTRY_VERIFY(view.alternativesLabel()->text().contains("Top 5"));
  QCOMPARE(int(seen.position), 10);  // "wait" starts at character 9: the click fell on its "a"
  QCOMPARE(seen.weights.step, int64_t(0));  // no checkpoint: the base model, and it says so
  QVERIFY(view.alternativesLabel()->text().contains("the base model"));
  QVERIFY(view.alternativesLabel()->text().contains("<code>\u201Ca\u201D</code>"));  // tokens quoted
  screenshot(view, "trace-lens.png");
  // Back to reflection: backgrounds by behaviour again.
  view.lensChoice()->setCurrentIndex(int(ui::LensMode::Reflection));
  at = QTextCursor(view.traceText()->document());
  at.setPosition(waitPos + 2);
  QCOMPARE(at.charFormat().background().color().name(), ui::reflectionColor("backtracking").name());

  // The imported run: the lens says why there is nothing to show.
  view.showSample(imported_id);
  QVERIFY(!view.lensChoice()->isEnabled());
  QVERIFY2(view.lensNote()->text().contains("imported from verl"), qPrintable(view.lensNote()->text()));
  QVERIFY(!view.traceText()->toHtml().contains("entropy"));
}

void TraceBrowserTest::resampleDialogContinuesFromTheCursor() {
  const std::string path = dir_.filePath("resample.db").toStdString();
  const std::string text = "12+20=33 wait, 33 was wrong so 32</think><answer>32</answer>";
  int64_t id = 0;
  {
    db::RunStore store(path);
    RunInfo info;
    info.name = "resampled";
    info.config_toml = "name = \"resampled\"\nmodel = \"/models/base\"\n";
    store.begin_run(info, false);
    StepRecord rec;
    rec.step = 3;
    SampleRecord s;
    s.step = 3;
    s.prompt = "12+20=<think>";
    s.reference = "32";
    s.completion = text;
    s.correct = true;
    rec.samples.push_back(s);
    store.write_step(rec);
    id = db::RunReader(path).connection().scalar_int("SELECT max(id) FROM samples");
  }
  // A stand-in engine: half of the continuations find 32, half keep 33.
  ResampleRequest seen;
  auto resampler = [&seen](const ResampleRequest& r) {
    seen = r;
    ResampleResult out;
    for (int i = 0; i < r.samples; ++i) {
      out.continuations.push_back(i % 2 ? "so 33</think><answer>33</answer>"
                                        : "wait, 33 was wrong so 32</think><answer>32</answer>");
      out.truncated.push_back(false);
    }
    return out;
  };
  auto reader = std::make_shared<db::RunReader>(path);
  ui::ResampleDialog dialog(reader, id, resampler, 9);  // before "wait"
  QCOMPARE(dialog.text()->textCursor().position(), 9);
  QCOMPARE(dialog.weightsBox()->count(), 2);  // nearest (no checkpoint: the base), the base
  QVERIFY(dialog.weightsBox()->itemText(0).contains("the base model"));
  dialog.samplesBox()->setValue(8);
  dialog.start();
  QTRY_VERIFY(!dialog.running());
  QCOMPARE(seen.prefix, std::string("12+20=33 "));
  QCOMPARE(seen.weights.path, std::string("/models/base"));
  QCOMPARE(seen.samples, 8);
  QCOMPARE(dialog.continuations()->count(), 2);  // two distinct continuations, 4 times each
  QVERIFY(dialog.continuations()->item(0)->text().startsWith("4×"));
  const QString summary = dialog.summary()->text();
  QVERIFY2(summary.contains("<b>1.00</b> (1/1 right)") && summary.contains("<b>0.50</b> (4/8 right)"),
           qPrintable(summary));
  QVERIFY(summary.contains("fix"));
  if (qEnvironmentVariableIsSet("AHA_SCREENSHOTS"))
    dialog.grab().save(qEnvironmentVariable("AHA_SCREENSHOTS") + "/resample.png");
  // The text before the cursor edited: the prefix is the edit, the rest dropped.
  QTextCursor at = dialog.text()->textCursor();
  at.insertText("so ");
  dialog.text()->setTextCursor(at);
  dialog.start();
  QTRY_VERIFY(!dialog.running());
  QCOMPARE(seen.prefix, std::string("12+20=33 so "));

  // Both kept with the sample: a dialog opened later shows the newest, and the first on
  // request; the export carries them.
  QCOMPARE(dialog.keptBox()->count(), 2);
  ui::ResampleDialog later(reader, id, resampler, 0);
  QCOMPARE(later.keptBox()->count(), 2);
  QCOMPARE(later.keptBox()->currentIndex(), 1);
  QVERIFY(later.summary()->text().contains("(4/8 right)"));
  QCOMPARE(later.continuations()->count(), 2);
  later.keptBox()->setCurrentIndex(0);
  QVERIFY2(later.summary()->text().contains("reflect after the point: 4 (4 with a fix)"),
           qPrintable(later.summary()->text()));
  QCOMPARE(later.text()->textCursor().position(), 9);  // its point and text, to run again
  QVERIFY(later.text()->toPlainText().startsWith("12+20=33 wait"));
  db::TagStore tags(path);
  const auto traces = db::collect_traces(*reader, tags, {id});
  QCOMPARE(traces.front().resamples.size(), size_t(2));
  std::ostringstream jsonl;
  db::write_traces_jsonl(jsonl, traces);
  const auto j = nlohmann::json::parse(jsonl.str());
  QCOMPARE(j.at("resamples").size(), size_t(2));
  QCOMPARE(j.at("resamples")[0].at("prefix").get<std::string>(), std::string("12+20=33 "));
  QCOMPARE(j.at("resamples")[0].at("correct").get<int>(), 4);
  QCOMPARE(j.at("resamples")[1].at("continuations").size(), size_t(8));
  std::ostringstream md;
  db::write_traces_markdown(md, traces);
  QVERIFY(md.str().find("4x |so 33</think><answer>33</answer>") != std::string::npos);
  // They go with their sample's run.
  tags.delete_run(reader->run_by_name("resampled")->id);
  QCOMPARE(reader->connection().scalar_int("SELECT count(*) FROM probe_completions"), int64_t(0));
}

void TraceBrowserTest::exportsJsonlAndMarkdown() {
  ui::TraceBrowser b;
  b.setDatabase(db_);
  b.table()->selectRow(0);
  b.table()->selectionModel()->select(b.model()->index(3, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
  const QString jsonl = dir_.filePath("out.jsonl"), md = dir_.filePath("out.md");
  QCOMPARE(b.exportTraces(jsonl), 2);
  QCOMPARE(b.exportTraces(md), 2);
  std::ifstream in(jsonl.toStdString());
  std::string line;
  int n = 0;
  size_t exported_spans = 0;
  db::RunReader reader(db_.toStdString());
  while (std::getline(in, line)) {
    const auto j = nlohmann::json::parse(line);
    const auto s = reader.sample(b.selectedSampleIds()[n]);
    QCOMPARE(j.at("completion").get<std::string>(), s->completion);
    QCOMPARE(j.at("rewards").at("accuracy").get<double>(), s->correct ? 1.0 : 0.0);
    QCOMPARE(j.at("run").get<std::string>(), std::string("trace-run"));
    // Spans go out as objects whatever form the store keeps them in.
    const auto spans = spans_from_json(s->aha_spans_json);
    QCOMPARE(j.at("aha_spans").size(), spans.size());
    for (size_t k = 0; k < spans.size(); ++k) {
      QCOMPARE(j.at("aha_spans")[k].at("begin").get<int>(), spans[k].begin);
      QCOMPARE(j.at("aha_spans")[k].at("end").get<int>(), spans[k].end);
      QCOMPARE(j.at("aha_spans")[k].at("category").get<std::string>(), std::string(to_string(spans[k].category)));
    }
    exported_spans += spans.size();
    ++n;
  }
  QCOMPARE(n, 2);
  QVERIFY(exported_spans > 0);
  std::ifstream m(md.toStdString());
  const std::string text((std::istreambuf_iterator<char>(m)), {});
  QVERIFY(text.find("## Trace 2: run trace-run") != std::string::npos);
  QVERIFY(text.find("| accuracy |") != std::string::npos || text.find(" accuracy |") != std::string::npos);
  QVERIFY_THROWS_EXCEPTION(std::exception, b.exportTraces("/nonexistent-dir/x.jsonl"));
}
