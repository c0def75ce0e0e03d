#pragma once
// Renders one completion as rich text for the detail view: <think> and <answer> become
// labelled sections, reflective spans are highlighted by category, and each reflection
// event ends in a badge with its outcome and the values before and after ("fix 1368 →
// 1468"). Pure function, so tests can read the HTML.
#include <QColor>
#include <QString>
#include <QStringList>

#include <vector>

#include "ui/traces/token_paint.h"

namespace aha::ui {

// Background tints of the reflection behaviours (Okabe-Ito hues, lightened).
QColor reflectionColor(const QString& category);
// The colour of an event's outcome badge (fix green, ritual orange, ...).
QColor outcomeColor(const QString& outcome);

// The words and phrases of a full-text query (SQLite FTS5 syntax) to mark in a trace:
// operators dropped, "a phrase" kept whole, prefix* kept as a prefix ("check*").
QStringList searchTerms(const QString& query);

// `spansJson` is the store's spans (core/analysis/reflection.h: rows [begin,end,category]
// or older databases' objects) with code-point offsets into `completion`, `eventsJson`
// its events (core/analysis/reflection_events.h; may be empty). `opensInThink`: the prompt ended with "<think>", so the completion starts
// inside the thinking section. `terms` (searchTerms) are marked where they start a word,
// ignoring case. With `tokens` (a token lens, token_paint.h), each token has its
// background and tooltip, and reflection spans are underlined in their behaviour's ink.
QString traceHtml(const QString& completion, const QString& spansJson, const QString& eventsJson, bool opensInThink,
                  const QStringList& terms = {}, const std::vector<TokenPaint>& tokens = {});

}  // namespace aha::ui
