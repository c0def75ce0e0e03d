#pragma once
// Metric series as CSV for scripts and papers: one row per step, one column per run and
// metric, values in the shortest text that reads back exactly. Headers name each column by
// its stored key ("run/metric", what scripts select) unless the caller names them (the CLI's
// display names and units, which live above the store).
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "db/run_reader.h"

namespace aha::db {

struct CsvSummary {
  size_t rows = 0, columns = 0;
  std::vector<std::string> missing;  // "run/metric" pairs with no points
};

using CsvColumnName = std::function<std::string(const std::string& run, const std::string& metric)>;
inline std::string stored_column_name(const std::string& run, const std::string& metric) { return run + "/" + metric; }

// `runs` by name; an unknown one throws (RunReader::require_run).
CsvSummary write_metrics_csv(std::ostream& out, RunReader& reader, const std::vector<std::string>& runs,
                             const std::vector<std::string>& metrics,
                             const CsvColumnName& column_name = stored_column_name);

}  // namespace aha::db
