#pragma once
// One sample read closely: the prompt, the completion with its thinking and answer
// sections and highlighted reflection, rewards per function and advantage; the group
// GRPO compared it with; the same prompt at other steps; its tags and note.
#include <QWidget>

#include <functional>
#include <memory>

#include "db/run_reader.h"
#include "core/run/continuations.h"
#include "core/run/engine.h"
#include "core/run/token_alternatives.h"
#include "db/tag_store.h"
#include "ui/traces/token_paint.h"

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;
class QTableWidget;
class QTextBrowser;
class QTimer;
class QToolButton;
class QGridLayout;

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
  // What computes a token's alternatives (Engine::token_alternatives); without it a
  // click on a token says that this build cannot.
  using AlternativesProvider = std::function<TokenAlternatives(const AlternativesRequest&)>;
  void setAlternativesProvider(AlternativesProvider provider) { alternativesProvider_ = std::move(provider); }
  // Shows the top next tokens at token `index` (0-based) of the shown sample, computed
  // on a thread of its own; the answer lands in alternativesLabel().
  void showAlternatives(int index);
  QLabel* alternativesLabel() const { return alternatives_; }
  // What samples continuations (Engine::resample_from), for "Resample from Here...": the
  // dialog starts at the token clicked last.
  void setResampler(std::function<ResampleResult(const ResampleRequest&)> resampler) {
    resampler_ = std::move(resampler);
  }
  QPushButton* resampleButton() const { return resample_; }
  // What computes an anchor map (Engine::anchor_map), for "Anchor Map...".
  void setAnchorMapper(decltype(Engine::anchor_map) mapper) { anchorMapper_ = std::move(mapper); }
  QPushButton* anchorButton() const { return anchors_; }

  QTabWidget* tabs() const { return tabs_; }
  QTableWidget* groupTable() const { return group_; }
  QTableWidget* historyTable() const { return history_; }
  QTextBrowser* traceText() const { return text_; }
  QComboBox* lensChoice() const { return lensChoice_; }
  QLabel* lensNote() const { return lensNote_; }
  QPlainTextEdit* noteEdit() const { return note_; }

 signals:
  // A tag button was toggled for the shown sample (the browser applies it to the selection).
  void tagToggled(qint64 tagId, bool on);

 private:
  void fillTable(QTableWidget* t, const std::vector<db::SampleRow>& rows, bool stepColumn);
  void saveNote();
  bool eventFilter(QObject* watched, QEvent* event) override;
  // The token paints of the shown sample in the chosen lens, with the note that explains
  // them (or says why there are none).
  std::vector<TokenPaint> tokenPaints(const db::SampleRow& s, const QString& completion);
  // The run's forking threshold: the median over its steps of their 80th entropy
  // percentile (lens/fork_threshold); 0 when the run has none.
  double forkThreshold(int64_t runId);

  std::shared_ptr<db::RunReader> reader_;
  std::shared_ptr<db::TagStore> tags_;
  qint64 id_ = -1;
  QLabel* header_;
  QTabWidget* tabs_;
  QTextBrowser* text_;
  QComboBox* lensChoice_;
  QLabel* lensNote_;
  QLabel* alternatives_;
  AlternativesProvider alternativesProvider_;
  int alternativesAsked_ = 0;  // the latest request: older answers are dropped
  std::function<ResampleResult(const ResampleRequest&)> resampler_;
  decltype(Engine::anchor_map) anchorMapper_;
  QPushButton* resample_;
  QPushButton* anchors_;
  int clickedChar_ = -1;  // where the token clicked last begins (characters), or -1
  QTableWidget *group_, *history_;
  // The tag buttons, three to a row with their whole names (a row of five cut them to
  // "2 fa…tive" at 1280x800).
  QGridLayout* tagGrid_;
  QList<QToolButton*> tagButtons_;
  static constexpr int kTagColumns = 3;
  QPlainTextEdit* note_;
  QTimer* noteTimer_;
  std::vector<db::Tag> tagList_;
  QStringList searchTerms_;
};

}  // namespace aha::ui
