#include "ui/traces/trace_html.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include <map>
#include <vector>

namespace aha::ui {

QColor reflectionColor(const QString& category) {
  if (category == "verification") return QColor("#cde4f5");       // blue
  if (category == "backtracking") return QColor("#fbe0b8");       // orange
  if (category == "subgoal") return QColor("#d3efe3");            // bluish green
  if (category == "backward_chaining") return QColor("#fff6b3");  // yellow
  return QColor("#f2cde2");                                       // restart: reddish purple
}

QColor outcomeColor(const QString& outcome) {
  if (outcome == "fix") return QColor("#009E73");
  if (outcome == "confirm") return QColor("#0072B2");
  if (outcome == "ritual") return QColor("#E69F00");
  if (outcome == "break") return QColor("#D55E00");
  if (outcome == "miss") return QColor("#6f6f6f");
  return QColor("#a0a0a0");
}

namespace {
// Field i of a stored span or event: rows ([begin,end,category], [begin,end,behaviour,
// outcome,before,after]) as the store writes them, or the objects of older databases.
QJsonValue fieldOf(const QJsonValue& v, int i, const char* key) {
  return v.isArray() ? v.toArray().at(i) : v.toObject()[key];
}

// "fix 1368 → 1468", "ritual 2266", "subgoal"; then, where the model judged the event
// (model_judge_events), its own verdict from its forced answers: "model: fix 1368 → 1468".
QString badge(const QJsonValue& e) {
  const QString behaviour = fieldOf(e, 2, "behaviour").toString(), outcome = fieldOf(e, 3, "outcome").toString();
  const QString before = fieldOf(e, 4, "before").toString(), after = fieldOf(e, 5, "after").toString();
  QString text = outcome == "none" ? QString(behaviour).replace('_', ' ') : outcome;
  if (!before.isEmpty()) text += " " + before;
  if (!after.isEmpty() && after != before) text += " \u2192 " + after;
  QString out = QString("<span style='background:%1;color:white;font-size:small' title='%2, %3 (the text)'>&nbsp;%4&nbsp;</span>")
                    .arg(outcomeColor(outcome).name(), behaviour, outcome, text.toHtmlEscaped());
  const auto row = e.toArray();
  if (row.size() > 8) {
    const QString model = row.at(6).toString(), said = row.at(7).toString().trimmed(), then = row.at(8).toString().trimmed();
    QString m = "model: " + model + " " + said;
    if (then != said) m += " \u2192 " + then;
    out += QString("<span style='border:1px solid %1;color:%1;font-size:small' title='the answer the model gives, forced "
                   "just before the event and just after it'>&nbsp;%2&nbsp;</span>")
               .arg(outcomeColor(model).name(), m.toHtmlEscaped());
  }
  return out;
}
}  // namespace

QStringList searchTerms(const QString& query) {
  QStringList terms;
  static const QRegularExpression token(R"re("([^"]*)"|([^\s"()]+))re");
  for (auto it = token.globalMatch(query); it.hasNext();) {
    const auto m = it.next();
    const QString t = m.captured(1).isNull() ? m.captured(2) : m.captured(1);
    if (t == "AND" || t == "OR" || t == "NOT" || t == "NEAR" || t.trimmed().isEmpty()) continue;
    terms << t;
  }
  return terms;
}

namespace {

// Code points of `text` inside a search hit: a term at a word start (a '*' term is a
// prefix; others end at a word end), case ignored.
std::vector<bool> searchHits(const QString& text, const QStringList& terms) {
  std::vector<bool> hit(text.toUcs4().size());
  const QString lower = text.toLower();
  // QString indexes UTF-16 units; the marks are by code point.
  std::vector<int> cp_of(lower.size() + 1);
  for (int i = 0, cp = 0; i <= lower.size(); ++i) {
    cp_of[i] = cp;
    if (i < lower.size() && !lower[i].isHighSurrogate()) ++cp;
  }
  auto word = [](QChar c) { return c.isLetterOrNumber() || c == '_'; };
  for (QString t : terms) {
    const bool prefix = t.endsWith('*');
    if (prefix) t.chop(1);
    t = t.toLower();
    if (t.isEmpty()) continue;
    for (int at = lower.indexOf(t); at >= 0; at = lower.indexOf(t, at + 1)) {
      const int end = at + t.size();
      if (at > 0 && word(lower[at - 1]) && word(t[0])) continue;
      if (!prefix && end < lower.size() && word(lower[end]) && word(t.back())) continue;
      for (int k = cp_of[at]; k < cp_of[end]; ++k) hit[k] = true;
    }
  }
  return hit;
}

}  // namespace

namespace {

// The dark hue of a behaviour: a reflection span's underline and text in a token lens,
// whose backgrounds belong to the tokens.
QColor reflectionInk(const QString& category) {
  if (category == "verification") return QColor("#0072B2");
  if (category == "backtracking") return QColor("#D55E00");
  if (category == "subgoal") return QColor("#009E73");
  if (category == "backward_chaining") return QColor("#8a7400");
  return QColor("#CC79A7");
}

}  // namespace

QString traceHtml(const QString& completion, const QString& spansJson, const QString& eventsJson, bool opensInThink,
                  const QStringList& terms, const std::vector<TokenPaint>& tokens) {
  const std::vector<bool> marked = searchHits(completion, terms);
  const bool lens = !tokens.empty();
  const QList<uint> cps = completion.toUcs4();
  // Span boundaries by code point: where each span opens and closes. In a lens, the
  // behaviour of each code point instead (its span is underlined in the behaviour's ink).
  std::multimap<int, QString> opens;
  std::multimap<int, int> closes;
  std::vector<QString> behaviourAt(lens ? cps.size() : 0);
  const auto spans = QJsonDocument::fromJson(spansJson.toUtf8()).array();
  for (const auto& v : spans) {
    const int b = fieldOf(v, 0, "begin").toInt(), e = fieldOf(v, 1, "end").toInt();
    const QString category = fieldOf(v, 2, "category").toString();
    if (e <= b) continue;
    if (lens) {
      for (int k = std::max(0, b); k < std::min<int>(e, cps.size()); ++k) behaviourAt[k] = category;
      continue;
    }
    opens.emplace(b, category);
    closes.emplace(e, 0);
  }
  std::vector<int> tokenAt(lens ? cps.size() : 0, -1);
  for (size_t t = 0; t < tokens.size(); ++t)
    for (int k = std::max(0, tokens[t].begin); k < std::min<int>(tokens[t].end, cps.size()); ++k) tokenAt[k] = int(t);
  std::multimap<int, QString> badges;  // after the event's phrase
  for (const auto& v : QJsonDocument::fromJson(eventsJson.toUtf8()).array())
    badges.emplace(fieldOf(v, 1, "end").toInt(), badge(v));
  const QString thinkOpen = "<div style='border-left:3px solid #999;padding-left:6px;color:#333'>"
                            "<span style='color:#777;font-size:small'>THINKING</span><br>";
  const QString answerOpen = "<div style='margin-top:6px'><span style='color:#777;font-size:small'>ANSWER</span><br><b>";
  QString html = "<div style='font-family:monospace;white-space:pre-wrap'>";
  if (opensInThink) html += thinkOpen;
  int open_spans = 0;
  // A lens writes runs of characters that look alike (same token, same marks) as one span.
  QString run;  // the open run's <span ...>, or empty
  auto closeRun = [&] {
    if (!run.isEmpty()) html += "</span>", run.clear();
  };
  const QString tags[] = {"<think>", "</think>", "<answer>", "</answer>"};
  for (int i = 0; i <= cps.size(); ++i) {
    for (auto [it, end] = closes.equal_range(i); it != end && open_spans > 0; ++it, --open_spans) html += "</span>";
    if (badges.count(i)) closeRun();
    for (auto [it, end] = badges.equal_range(i); it != end; ++it) html += it->second;
    if (i == cps.size()) break;
    for (auto [it, end] = opens.equal_range(i); it != end; ++it, ++open_spans)
      html += QString("<span style='background:%1' title='%2'>").arg(reflectionColor(it->second).name(), it->second);
    bool tag = false;
    for (int k = 0; k < 4 && !tag; ++k) {
      const QList<uint> t = tags[k].toUcs4();
      if (i + t.size() > cps.size() || !std::equal(t.begin(), t.end(), cps.begin() + i)) continue;
      closeRun();
      html += k == 0 ? thinkOpen : k == 1 ? QString("</div>") : k == 2 ? answerOpen : QString("</b></div>");
      i += static_cast<int>(t.size()) - 1;
      tag = true;
    }
    if (tag) continue;
    const QString ch = QString::fromUcs4(reinterpret_cast<const char32_t*>(&cps[i]), 1).toHtmlEscaped();
    if (lens) {
      const int t = tokenAt[i];
      // The lens keeps its colours: a search hit is overlined instead.
      QString style = "background:" + (t >= 0 ? tokens[t].background : QColor(Qt::white)).name();
      if (marked[i]) style += ";text-decoration:overline";
      if (t >= 0 && tokens[t].fork) style += ";font-weight:bold";
      if (!behaviourAt[i].isEmpty())
        style += QString(marked[i] ? " underline" : ";text-decoration:underline") + ";color:" +
                 reflectionInk(behaviourAt[i]).name();
      // (An apostrophe in the tip would end the attribute: "the run's" cut it short.)
      const QString tip = t >= 0 ? tokens[t].tip.toHtmlEscaped().replace('\'', "&#39;") : QString();
      const QString open = QString("<span style='%1' title='%2'>").arg(style, tip);
      if (open != run) {
        closeRun();
        html += open;
        run = open;
      }
      html += ch;
      continue;
    }
    // A search hit: each character marked on its own, so the marks nest in any span.
    html += marked[i] ? "<span style='background:#FFE066;color:#000'>" + ch + "</span>" : ch;
  }
  closeRun();
  while (open_spans-- > 0) html += "</span>";
  return html + "</div>";
}

}  // namespace aha::ui
