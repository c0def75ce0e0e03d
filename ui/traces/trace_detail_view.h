#pragma once
// One sample read closely: the prompt, the completion with its thinking and answer
// sections and highlighted reflection, rewards per function and advantage; the group
// GRPO compared it with; the same prompt at other steps; its tags and note.
#include <QWidget>

#include <memory>

#include "db/run_reader.h"
#include "db/tag_store.h"

class QLabel;
class QPlainTextEdit;
class QTabWidget;
class QTableWidget;
class QTextBrowser;
class QTimer;
class QHBoxLayout;

namespace aha::ui {

class TraceDetailView : public QWidget {
  Q_OBJECT
 public:
  explicit TraceDetailView(QWidget* parent = nullptr);
  ~TraceDetailView() override;
  void setDatabase(std::shared_ptr<db::RunReader> reader, std::shared_ptr<db::TagStore> tags);
  void setTags(const std::vector<db::Tag>& tags);
  void showSample(qint64 sampleId);  // -1 clears
  // The search's words, marked in the trace text (trace_html.h's searchTerms).
  void setSearchTerms(const QStringList& terms);
  qint64 sampleId() const { return id_; }
  void refreshTags();  // after tags changed elsewhere

  QTabWidget* tabs() const { return tabs_; }
  QTableWidget* groupTable() const { return group_; }
  QTableWidget* historyTable() const { return history_; }
  QTextBrowser* traceText() const { return text_; }
  QPlainTextEdit* noteEdit() const { return note_; }

 signals:
  // A tag button was toggled for the shown sample (the browser applies it to the selection).
  void tagToggled(qint64 tagId, bool on);

 private:
  void fillTable(QTableWidget* t, const std::vector<db::SampleRow>& rows, bool stepColumn);
  void saveNote();

  std::shared_ptr<db::RunReader> reader_;
  std::shared_ptr<db::TagStore> tags_;
  qint64 id_ = -1;
  QLabel* header_;
  QTabWidget* tabs_;
  QTextBrowser* text_;
  QTableWidget *group_, *history_;
  QHBoxLayout* tagRow_;
  QPlainTextEdit* note_;
  QTimer* noteTimer_;
  std::vector<db::Tag> tagList_;
  QStringList searchTerms_;
};

}  // namespace aha::ui
