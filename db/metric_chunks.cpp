#include "db/metric_chunks.h"

#include <bit>
#include <cmath>
#include <cstring>

namespace aha::db {

static_assert(std::endian::native == std::endian::little, "chunks hold little-endian points");

namespace {

constexpr size_t kPointBytes = sizeof(int64_t) + 2 * sizeof(double);

std::string pack_points(const std::vector<MetricPoint>& points) {
  std::string out(points.size() * kPointBytes, '\0');
  char* p = out.data();
  for (const auto& pt : points) {
    std::memcpy(p, &pt.step, 8);
    std::memcpy(p + 8, &pt.value, 8);
    std::memcpy(p + 16, &pt.wall_time, 8);
    p += kPointBytes;
  }
  return out;
}

void unpack_points(std::string_view blob, int64_t after_step, std::vector<MetricPoint>& out) {
  for (size_t at = 0; at + kPointBytes <= blob.size(); at += kPointBytes) {
    MetricPoint pt;
    std::memcpy(&pt.step, blob.data() + at, 8);
    if (pt.step <= after_step) continue;
    std::memcpy(&pt.value, blob.data() + at + 8, 8);
    std::memcpy(&pt.wall_time, blob.data() + at + 16, 8);
    out.push_back(pt);
  }
}

void read_rows(Statement& st, std::vector<MetricPoint>& out) {
  while (st.step()) out.push_back({st.column_int(0), st.column_is_null(1) ? NAN : st.column_double(1), st.column_double(2)});
}

}  // namespace

std::vector<MetricPoint> read_metric_series(Connection& db, int64_t run_id, const std::string& name, int64_t after_step) {
  // Rows are never removed when they are packed, so the rows after the chunks read here
  // are there even if the writer packs more in between.
  std::vector<MetricPoint> out;
  Statement chunks(db,
      "SELECT last_step, points FROM metric_chunks WHERE run_id = ? AND name = ? AND last_step > ? ORDER BY first_step");
  chunks.bind(1, run_id).bind(2, name).bind(3, after_step);
  int64_t covered = after_step;
  while (chunks.step()) {
    unpack_points(chunks.column_blob(1), after_step, out);
    covered = std::max(covered, chunks.column_int(0));
  }
  Statement rows(db, "SELECT step, value, wall_time FROM metrics WHERE run_id = ? AND name = ? AND step > ? ORDER BY step");
  rows.bind(1, run_id).bind(2, name).bind(3, covered);
  read_rows(rows, out);
  return out;
}

void MetricPacker::begin_run(int64_t run_id) {
  run_id_ = run_id;
  states_.clear();
}

MetricPacker::State MetricPacker::load(const std::string& name, int64_t through) {
  State s;
  Statement packed(db_, "SELECT coalesce(max(last_step), -1) FROM metric_chunks WHERE run_id = ? AND name = ?");
  packed.bind(1, run_id_).bind(2, name);
  packed.step();
  s.packed_through = packed.column_int(0);
  Statement last(db_, "SELECT coalesce(max(step), -1) FROM metrics WHERE run_id = ? AND name = ?");
  last.bind(1, run_id_).bind(2, name);
  last.step();
  s.last_step = last.column_int(0);
  Statement count(db_, "SELECT count(*) FROM metrics WHERE run_id = ? AND name = ? AND step > ? AND step <= ?");
  count.bind(1, run_id_).bind(2, name).bind(3, s.packed_through).bind(4, through);
  count.step();
  s.unpacked = count.column_int(0);
  return s;
}

void MetricPacker::stored(const std::string& name, int64_t step) {
  auto [it, first_sight] = states_.try_emplace(name);
  State& s = it->second;
  if (!first_sight && step > s.last_step) {
    s.last_step = step;
    ++s.unpacked;
  } else {
    // A metric not seen yet in this run, or a step written again (a resumed run): ask the
    // database. A chunk holding a step written again no longer matches the record.
    s = load(name, step);
    if (step <= s.packed_through) {
      Statement drop(db_, "DELETE FROM metric_chunks WHERE run_id = ? AND name = ? AND last_step >= ?");
      drop.bind(1, run_id_).bind(2, name).bind(3, step).run();
      s = load(name, step);
    }
  }
  if (s.unpacked >= kMetricChunkSteps) pack(name, s, step);
}

void MetricPacker::pack(const std::string& name, State& s, int64_t through) {
  // Not past the step just written: a resumed run writes the later steps again next.
  Statement rows(db_, "SELECT step, value, wall_time FROM metrics WHERE run_id = ? AND name = ? AND step > ? AND step <= ?"
                      " ORDER BY step");
  rows.bind(1, run_id_).bind(2, name).bind(3, s.packed_through).bind(4, through);
  std::vector<MetricPoint> points;
  read_rows(rows, points);
  if (points.empty()) return;
  const std::string blob = pack_points(points);
  Statement insert(db_, "INSERT INTO metric_chunks(run_id, name, first_step, last_step, points) VALUES(?,?,?,?,?)");
  insert.bind(1, run_id_).bind(2, name).bind(3, points.front().step).bind(4, points.back().step);
  insert.bind_blob(5, blob.data(), blob.size()).run();
  s.packed_through = points.back().step;
  s.unpacked = 0;
}

}  // namespace aha::db
