#pragma once
// Renders one completion as rich text for the detail view: <think> and <answer> become
// labelled sections, reflective spans are highlighted by category. Pure function, so
// tests can read the HTML.
#include <QColor>
#include <QString>

namespace aha::ui {

// Background tints of the three reflection categories (Okabe-Ito hues, lightened).
QColor reflectionColor(const QString& category);

// `spansJson` is the store's [{"begin","end","category"}] with code-point offsets into
// `completion`. `opensInThink`: the prompt ended with "<think>", so the completion starts
// inside the thinking section.
QString traceHtml(const QString& completion, const QString& spansJson, bool opensInThink);

}  // namespace aha::ui
