#include "ui/traces/trace_html.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <map>

namespace aha::ui {

QColor reflectionColor(const QString& category) {
  if (category == "verification") return QColor("#cde4f5");  // blue
  if (category == "backtracking") return QColor("#fbe0b8");  // orange
  return QColor("#f2cde2");                                  // restart: reddish purple
}

QString traceHtml(const QString& completion, const QString& spansJson, bool opensInThink) {
  // Span boundaries by code point: where each span opens and closes.
  std::multimap<int, QString> opens;
  std::multimap<int, int> closes;
  const auto spans = QJsonDocument::fromJson(spansJson.toUtf8()).array();
  for (const auto& v : spans) {
    const auto o = v.toObject();
    const int b = o["begin"].toInt(), e = o["end"].toInt();
    if (e <= b) continue;
    opens.emplace(b, o["category"].toString());
    closes.emplace(e, 0);
  }
  const QList<uint> cps = completion.toUcs4();
  const QString thinkOpen = "<div style='border-left:3px solid #999;padding-left:6px;color:#333'>"
                            "<span style='color:#777;font-size:small'>THINKING</span><br>";
  const QString answerOpen = "<div style='margin-top:6px'><span style='color:#777;font-size:small'>ANSWER</span><br><b>";
  QString html = "<div style='font-family:monospace;white-space:pre-wrap'>";
  if (opensInThink) html += thinkOpen;
  int open_spans = 0;
  const QString tags[] = {"<think>", "</think>", "<answer>", "</answer>"};
  for (int i = 0; i <= cps.size(); ++i) {
    for (auto [it, end] = closes.equal_range(i); it != end && open_spans > 0; ++it, --open_spans) html += "</span>";
    if (i == cps.size()) break;
    for (auto [it, end] = opens.equal_range(i); it != end; ++it, ++open_spans)
      html += QString("<span style='background:%1' title='%2'>").arg(reflectionColor(it->second).name(), it->second);
    bool tag = false;
    for (int k = 0; k < 4 && !tag; ++k) {
      const QList<uint> t = tags[k].toUcs4();
      if (i + t.size() > cps.size() || !std::equal(t.begin(), t.end(), cps.begin() + i)) continue;
      html += k == 0 ? thinkOpen : k == 1 ? QString("</div>") : k == 2 ? answerOpen : QString("</b></div>");
      i += static_cast<int>(t.size()) - 1;
      tag = true;
    }
    if (!tag) html += QString::fromUcs4(reinterpret_cast<const char32_t*>(&cps[i]), 1).toHtmlEscaped();
  }
  while (open_spans-- > 0) html += "</span>";
  return html + "</div>";
}

}  // namespace aha::ui
