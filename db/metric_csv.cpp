#include "db/metric_csv.h"

#include <charconv>
#include <map>
#include <stdexcept>

namespace aha::db {
namespace {
std::string quoted(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}
}  // namespace

CsvSummary write_metrics_csv(std::ostream& out, RunReader& reader, const std::vector<std::string>& runs,
                             const std::vector<std::string>& metrics, const CsvColumnName& column_name) {
  CsvSummary summary;
  std::vector<std::string> header;
  std::map<int64_t, std::map<size_t, double>> table;  // step -> column -> value
  for (const auto& name : runs) {
    const auto run = reader.require_run(name);
    for (const auto& m : metrics) {
      const size_t col = header.size();
      header.push_back(column_name(name, m));  // the metric named even when it is the only one
      const auto series = reader.metric_series(run.id, m);
      if (series.empty()) summary.missing.push_back(name + "/" + m);
      for (const auto& p : series) table[p.step][col] = p.value;
    }
  }
  out << "step";
  for (const auto& h : header) out << ',' << quoted(h);
  out << '\n';
  char buf[32];  // the shortest text that reads back as the same double (0.6468750000000001)
  for (const auto& [step, cols] : table) {
    out << step;
    for (size_t c = 0; c < header.size(); ++c) {
      out << ',';
      if (auto it = cols.find(c); it != cols.end()) {
        const auto end = std::to_chars(buf, buf + sizeof buf, it->second).ptr;
        out << std::string_view(buf, size_t(end - buf));
      }
    }
    out << '\n';
  }
  summary.rows = table.size();
  summary.columns = header.size();
  return summary;
}

}  // namespace aha::db
