#include "db/run_reader.h"

#include "db/stored_path.h"

#include <cmath>
#include <filesystem>
#include <variant>

#include "db/run_lock.h"
#include "db/schema.h"
#include "db/search_index.h"

namespace aha::db {

namespace {

const char* kSampleColumns =
    "s.id, s.run_id, s.step, s.prompt_id, s.group_index, s.index_in_group, s.token_count, p.text, p.reference,"
    " s.completion, s.rewards, s.aha_spans, s.reward, s.advantage, s.aha_score, s.correct, s.format_ok,"
    " s.truncated, s.real_aha, s.language_mixing, s.extra, s.aha_events";

SampleRow read_sample(const Statement& st) {
  SampleRow r;
  r.id = st.column_int(0);
  r.run_id = st.column_int(1);
  r.step = st.column_int(2);
  r.prompt_id = st.column_int(3);
  r.group_index = static_cast<int>(st.column_int(4));
  r.index_in_group = static_cast<int>(st.column_int(5));
  r.token_count = static_cast<int>(st.column_int(6));
  r.prompt = st.column_text(7);
  r.reference = st.column_text(8);
  r.completion = st.column_text(9);
  r.rewards_json = st.column_text(10);
  r.aha_spans_json = st.column_text(11);
  r.reward = st.column_double(12);
  r.advantage = st.column_double(13);
  r.aha_score = st.column_double(14);
  r.correct = st.column_int(15);
  r.format_ok = st.column_int(16);
  r.truncated = st.column_int(17);
  r.real_aha = st.column_int(18);
  r.language_mixing = st.column_int(19);
  r.extra_json = st.column_text(20);
  if (!st.column_is_null(21)) r.aha_events_json = st.column_text(21);
  return r;
}

RunSummary read_run(const Statement& st) {
  RunSummary r;
  r.id = st.column_int(0);
  r.name = st.column_text(1);
  r.status = st.column_text(2);
  r.model = st.column_text(3);
  r.task = st.column_text(4);
  r.source = st.column_text(5);
  r.code_version = st.column_text(6);
  r.config_toml = st.column_text(7);
  r.message = st.column_text(8);
  r.seed = st.column_int(9);
  r.total_steps = st.column_int(10);
  r.last_step = st.column_int(11);
  r.created_at = st.column_double(12);
  r.started_at = st.column_double(13);
  r.finished_at = st.column_double(14);
  r.sweep = st.column_text(15);
  r.sweep_values = st.column_text(16);
  return r;
}

const char* kRunColumns =
    "id, name, status, model, task, source, code_version, config_toml, message, seed, total_steps, last_step,"
    " created_at, coalesce(started_at, 0), coalesce(finished_at, 0), sweep, sweep_values";

// WHERE clause and its parameters, bound in order.
struct Where {
  std::string sql;
  std::vector<std::variant<int64_t, double, std::string>> params;
  void add(const std::string& clause) { sql += (sql.empty() ? " WHERE " : " AND ") + clause; }
  void bind(Statement& st, int first = 1) const {
    int i = first;
    for (const auto& p : params) std::visit([&](const auto& v) { st.bind(i++, v); }, p);
  }
};

Where build_where(const SampleFilter& f) {
  Where w;
  if (f.run_id) w.add("s.run_id = ?"), w.params.push_back(*f.run_id);
  if (f.step_min) w.add("s.step >= ?"), w.params.push_back(*f.step_min);
  if (f.step_max) w.add("s.step <= ?"), w.params.push_back(*f.step_max);
  if (f.reward_min) w.add("s.reward >= ?"), w.params.push_back(*f.reward_min);
  if (f.reward_max) w.add("s.reward <= ?"), w.params.push_back(*f.reward_max);
  if (f.length_min) w.add("s.token_count >= ?"), w.params.push_back(int64_t(*f.length_min));
  if (f.length_max) w.add("s.token_count <= ?"), w.params.push_back(int64_t(*f.length_max));
  if (f.correct) w.add(*f.correct ? "s.correct = 1" : "s.correct = 0");  // literal: partial indexes match it
  if (f.flagged_only) w.add("s.aha_score > 0");
  if (f.real_aha_only) w.add("s.real_aha = 1");
  if (f.behaviours) w.add("(s.aha_behaviours & ?) != 0"), w.params.push_back(int64_t(f.behaviours));
  if (f.outcomes) w.add("(s.aha_outcomes & ?) != 0"), w.params.push_back(int64_t(f.outcomes));
  if (f.tag_id) w.add("s.id IN (SELECT sample_id FROM sample_tags WHERE tag_id = ?)"), w.params.push_back(*f.tag_id);
  if (!f.text_query.empty())
    w.add("s.id IN (SELECT rowid FROM search.samples_fts WHERE samples_fts MATCH ?)"), w.params.push_back(f.text_query);
  return w;
}

const char* order_column(SampleOrder o) {
  switch (o) {
    case SampleOrder::StepThenId: return "s.step";
    case SampleOrder::Reward: return "s.reward";
    case SampleOrder::AhaScore: return "s.aha_score";
    case SampleOrder::Length: return "s.token_count";
  }
  return "s.step";
}

double order_key(const SampleRow& r, SampleOrder o) {
  switch (o) {
    case SampleOrder::StepThenId: return double(r.step);
    case SampleOrder::Reward: return r.reward;
    case SampleOrder::AhaScore: return r.aha_score;
    case SampleOrder::Length: return r.token_count;
  }
  return 0;
}

}  // namespace

RunReader::RunReader(const std::string& path, Access access) : db_(open_run_database(path, access)) {}

RunReader::~RunReader() = default;

void RunReader::attach_search_index() {
  if (search_attached_) return;
  const std::string index = search_index_path(db_->path());
  // An empty index until an indexer fills it: search_pending() says how far behind it is.
  if (!std::filesystem::exists(index)) {
    SearchIndex create(db_->path());
  }
  Statement attach(*db_, "ATTACH DATABASE ? AS search");
  attach.bind(1, index).run();
  search_attached_ = true;
}

int64_t RunReader::search_pending() {
  attach_search_index();
  return db_->scalar_int(
      "SELECT count(*) FROM samples WHERE id >"
      " coalesce((SELECT value FROM search.index_state WHERE key = 'indexed_through'), 0)");
}

// A run stored as running or paused whose writer is gone (killed, crashed) was interrupted.
RunSummary RunReader::with_live_status(RunSummary r) const {
  if ((r.status == "running" || r.status == "paused") && !run_has_writer(db_->path(), r.id)) r.status = "interrupted";
  return r;
}

std::vector<RunSummary> RunReader::runs() {
  Statement st(*db_, std::string("SELECT ") + kRunColumns + " FROM runs ORDER BY id");
  std::vector<RunSummary> out;
  while (st.step()) out.push_back(with_live_status(read_run(st)));
  return out;
}

std::optional<RunSummary> RunReader::run(int64_t id) {
  Statement st(*db_, std::string("SELECT ") + kRunColumns + " FROM runs WHERE id = ?");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  return with_live_status(read_run(st));
}

RunSummary RunReader::require_run(const std::string& name) {
  if (auto r = run_by_name(name)) return *r;
  std::string known;
  for (const auto& r : runs()) known += (known.empty() ? "" : ", ") + r.name;
  throw std::invalid_argument("no run named '" + name + "' (runs: " + (known.empty() ? "none" : known) + ")");
}

std::optional<RunSummary> RunReader::run_by_name(const std::string& name) {
  Statement st(*db_, std::string("SELECT ") + kRunColumns + " FROM runs WHERE name = ?");
  st.bind(1, name);
  if (!st.step()) return std::nullopt;
  return with_live_status(read_run(st));
}

std::vector<std::string> RunReader::metric_names(int64_t run_id) {
  // Skip-scan over the (run, name, step) key: one probe per distinct name.
  Statement st(*db_, "SELECT DISTINCT name FROM metrics WHERE run_id = ? ORDER BY name");
  st.bind(1, run_id);
  std::vector<std::string> out;
  while (st.step()) out.push_back(st.column_text(0));
  return out;
}

std::vector<MetricPoint> RunReader::metric_series(int64_t run_id, const std::string& name, int64_t after_step) {
  return read_metric_series(*db_, run_id, name, after_step);
}

SamplePage RunReader::samples(const SampleFilter& filter, SampleOrder order, bool descending, int limit,
                              const PageCursor& after) {
  // A full-text filter in step order is driven by the index itself: FTS5 yields rowids in
  // order and stops at the page's end, where "id IN (all matches)" would collect them all
  // first. Ids follow steps (each step is stored after the previous one), so rowid order
  // is step order.
  const bool fts_driven = !filter.text_query.empty() && order == SampleOrder::StepThenId;
  if (!filter.text_query.empty()) attach_search_index();
  SampleFilter rest = filter;
  if (fts_driven) rest.text_query.clear();
  Where w = build_where(rest);
  const std::string col = order_column(order);
  const char* dir = descending ? " DESC" : "";
  std::string sql;
  if (fts_driven) {
    Where m;
    m.add("samples_fts MATCH ?");
    m.params.push_back(filter.text_query);
    if (after.valid) m.add(std::string("f.rowid ") + (descending ? "<" : ">") + " ?"), m.params.push_back(after.id);
    for (auto& p : w.params) m.params.push_back(p);
    if (!w.sql.empty()) m.sql += " AND" + w.sql.substr(6);  // drop w's " WHERE"
    w = m;
    sql = std::string("SELECT ") + kSampleColumns +
          " FROM search.samples_fts f JOIN samples s ON s.id = f.rowid JOIN prompts p ON p.id = s.prompt_id" + w.sql +
          " ORDER BY f.rowid" + dir + " LIMIT ?";
  } else if (order == SampleOrder::StepThenId && !filter.run_id) {
    // Across runs, step order means stored order: ids, which need no sort at all.
    if (after.valid) w.add(std::string("s.id ") + (descending ? "<" : ">") + " ?"), w.params.push_back(after.id);
    sql = std::string("SELECT ") + kSampleColumns + " FROM samples s JOIN prompts p ON p.id = s.prompt_id" + w.sql +
          " ORDER BY s.id" + dir + " LIMIT ?";
  } else {
    if (after.valid) {
      // Keyset paging: rows strictly after (key, id) in the chosen direction.
      w.add("(" + col + ", s.id) " + (descending ? "<" : ">") + " (?, ?)");
      if (order == SampleOrder::StepThenId || order == SampleOrder::Length) w.params.push_back(int64_t(after.key));
      else w.params.push_back(after.key);
      w.params.push_back(after.id);
    }
    // In step order the covering step index answers every filter without reading the
    // wide rows, and a rare flag has its own partial index; left to itself the planner
    // may pick a range index and sort a million rows.
    const char* index = order != SampleOrder::StepThenId ? ""
                        : filter.real_aha_only                 ? " INDEXED BY samples_real_aha"
                        : filter.flagged_only                  ? " INDEXED BY samples_reflective"
                        : filter.correct.value_or(false)       ? " INDEXED BY samples_correct"
                                                               : " INDEXED BY samples_by_step";
    sql = std::string("SELECT ") + kSampleColumns + " FROM samples s" + index +
          " JOIN prompts p ON p.id = s.prompt_id" + w.sql + " ORDER BY " + col + dir + ", s.id" + dir + " LIMIT ?";
  }
  Statement st(*db_, sql);
  w.bind(st);
  st.bind(static_cast<int>(w.params.size()) + 1, int64_t(limit) + 1);
  SamplePage page;
  while (st.step()) page.rows.push_back(read_sample(st));
  if (static_cast<int>(page.rows.size()) > limit) {
    page.rows.pop_back();
    page.next = {true, order_key(page.rows.back(), order), page.rows.back().id};
  }
  return page;
}

int64_t RunReader::count_samples(const SampleFilter& filter) {
  if (!filter.text_query.empty()) attach_search_index();
  Where w = build_where(filter);
  Statement st(*db_, "SELECT count(*) FROM samples s" + w.sql);
  w.bind(st);
  return st.step() ? st.column_int(0) : 0;
}

std::optional<SampleRow> RunReader::sample(int64_t id) {
  Statement st(*db_, std::string("SELECT ") + kSampleColumns + " FROM samples s JOIN prompts p ON p.id = s.prompt_id WHERE s.id = ?");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  return read_sample(st);
}

std::vector<std::pair<int64_t, std::string>> RunReader::checkpoints(int64_t run_id) {
  Statement st(*db_, "SELECT step, path FROM checkpoints WHERE run_id = ? ORDER BY step, id");
  st.bind(1, run_id);
  std::vector<std::pair<int64_t, std::string>> out;
  while (st.step()) out.emplace_back(st.column_int(0), path_from_store(db_->path(), st.column_text(1)).string());
  return out;
}

std::optional<std::string> RunReader::token_trace(int64_t sample_id) {
  Statement st(*db_, "SELECT tokens FROM sample_tokens WHERE sample_id = ?");
  st.bind(1, sample_id);
  if (!st.step()) return std::nullopt;
  return std::string(st.column_blob(0));
}

std::vector<SampleRow> RunReader::group_of(int64_t sample_id) {
  Statement st(*db_, std::string("SELECT ") + kSampleColumns +
                         " FROM samples s JOIN prompts p ON p.id = s.prompt_id"
                         " JOIN samples o ON o.id = ? AND s.run_id = o.run_id AND s.step = o.step AND"
                         " s.group_index = o.group_index ORDER BY s.index_in_group");
  st.bind(1, sample_id);
  std::vector<SampleRow> out;
  while (st.step()) out.push_back(read_sample(st));
  return out;
}

std::vector<SampleRow> RunReader::prompt_history(int64_t prompt_id) {
  Statement st(*db_, std::string("SELECT ") + kSampleColumns +
                         " FROM samples s JOIN prompts p ON p.id = s.prompt_id WHERE s.prompt_id = ?"
                         " ORDER BY s.step, s.index_in_group");
  st.bind(1, prompt_id);
  std::vector<SampleRow> out;
  while (st.step()) out.push_back(read_sample(st));
  return out;
}

std::vector<StepAggregate> RunReader::step_aggregates(int64_t run_id, int64_t after_step) {
  Statement st(*db_,
      "SELECT step, count(*), avg(reward), avg(reward * reward), avg(correct), avg(format_ok), avg(token_count),"
      " avg(aha_score > 0) FROM samples WHERE run_id = ? AND step > ? GROUP BY step ORDER BY step");
  st.bind(1, run_id).bind(2, after_step);
  std::vector<StepAggregate> out;
  while (st.step()) {
    StepAggregate a;
    a.step = st.column_int(0);
    a.samples = static_cast<int>(st.column_int(1));
    a.reward_mean = st.column_double(2);
    a.reward_std = std::sqrt(std::max(0.0, st.column_double(3) - a.reward_mean * a.reward_mean));
    a.accuracy = st.column_double(4);
    a.format_rate = st.column_double(5);
    a.mean_length = st.column_double(6);
    a.aha_rate = st.column_double(7);
    out.push_back(a);
  }
  return out;
}

}  // namespace aha::db
