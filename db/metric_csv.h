#pragma once
// Metric series as CSV for scripts and papers: one row per step, one column per run and
// metric ("run/metric"), values in the shortest text that reads back exactly.
#include <ostream>
#include <string>
#include <vector>

#include "db/run_reader.h"

namespace aha::db {

struct CsvSummary {
  size_t rows = 0, columns = 0;
  std::vector<std::string> missing;  // "run/metric" pairs with no points
};

// `runs` by name; an unknown one throws (RunReader::require_run).
CsvSummary write_metrics_csv(std::ostream& out, RunReader& reader, const std::vector<std::string>& runs,
                             const std::vector<std::string>& metrics);

}  // namespace aha::db
