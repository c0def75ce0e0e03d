#include "ui/probes/probe_problem_dialog.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QVBoxLayout>

#include "core/run/probe_records.h"
#include "db/probe_store.h"
#include "ui/probes/completion_list.h"

namespace aha::ui {

ProbeProblemDialog::ProbeProblemDialog(const std::string& dbPath, qint64 from, qint64 to, int problem,
                                       QWidget* parent)
    : QDialog(parent) {
  setWindowTitle(tr("Probe problem %1").arg(problem));
  auto* header = new QLabel(this);
  header->setTextFormat(Qt::RichText);
  header->setWordWrap(true);
  auto* columns = new QHBoxLayout;
  db::ProbeStore store(dbPath, db::Access::ReadOnly);
  const qint64 ids[2] = {from, to};
  for (int side = 0; side < 2; ++side) {
    const auto probe = store.probe(ids[side]);
    const auto problems = probe ? store.problems(probe->id) : std::vector<db::ProbeProblemRow>{};
    auto* column = new QVBoxLayout;
    auto* title = new QLabel(this);
    lists_[side] = new QListWidget(this);
    lists_[side]->setWordWrap(true);
    lists_[side]->setFont(QFont("monospace"));
    if (problem < 0 || problem >= static_cast<int>(problems.size())) {
      title->setText(tr("Probe %1 has no problem %2.").arg(ids[side]).arg(problem));
    } else {
      const auto& p = problems[problem];
      title->setText(tr("<b>%1</b> (probe %2): %3 of %4 right")
                         .arg(QString::fromStdString(weights_label(probe->weights_step)))
                         .arg(probe->id)
                         .arg(p.correct)
                         .arg(p.samples));
      header->setText(tr("Prompt <code>%1</code> &nbsp; reference <b>%2</b>")
                          .arg(QString::fromStdString(p.prompt).toHtmlEscaped())
                          .arg(QString::fromStdString(p.reference).toHtmlEscaped()));
      showCompletions(lists_[side], store.completions(probe->id, problem));
    }
    column->addWidget(title);
    column->addWidget(lists_[side], 1);
    columns->addLayout(column, 1);
  }
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(header);
  layout->addLayout(columns, 1);
  layout->addWidget(buttons);
  resize(1100, 600);
}

}  // namespace aha::ui
