#pragma once
// The completions of a probe problem or of a resample in a list: identical ones once with
// their count, the most frequent first; right ones green, wrong ones orange.
#include <vector>

#include "db/probe_rows.h"

class QListWidget;

namespace aha::ui {

void showCompletions(QListWidget* list, const std::vector<db::ProbeCompletionRow>& completions);

}  // namespace aha::ui
