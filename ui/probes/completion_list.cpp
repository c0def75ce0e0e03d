#include "ui/probes/completion_list.h"

#include <QListWidget>

#include <algorithm>
#include <map>
#include <string>

namespace aha::ui {

void showCompletions(QListWidget* list, const std::vector<db::ProbeCompletionRow>& completions) {
  list->clear();
  std::map<std::string, std::pair<int, const db::ProbeCompletionRow*>> counts;  // text -> times, first of them
  for (const auto& c : completions) {
    auto& [n, first] = counts[c.completion];
    if (n++ == 0) first = &c;
  }
  std::vector<std::pair<int, const db::ProbeCompletionRow*>> distinct;
  for (const auto& [text, entry] : counts) distinct.push_back(entry);
  std::stable_sort(distinct.begin(), distinct.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (const auto& [n, c] : distinct) {
    auto* item = new QListWidgetItem(QString("%1\u00D7  %2").arg(n).arg(QString::fromStdString(c->completion)), list);
    item->setForeground(c->correct ? QColor("#006d4f") : QColor("#b03a00"));
    item->setToolTip(c->correct ? QObject::tr("right") : c->answer.empty() ? QObject::tr("no answer")
                                                                           : QObject::tr("wrong: %1").arg(QString::fromStdString(c->answer)));
  }
}

}  // namespace aha::ui
