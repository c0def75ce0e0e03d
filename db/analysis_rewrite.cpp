#include "db/analysis_rewrite.h"

#include <set>

#include "db/run_lock.h"
#include "db/schema.h"

namespace aha::db {

AnalysisRewriteResult rewrite_run_analysis(const std::string& db_path, int64_t run_id, const AnalysisRewrite& how) {
  auto db = open_run_database(db_path, Access::Existing);
  Statement run(*db, "SELECT last_step FROM runs WHERE id = ?");
  run.bind(1, run_id);
  if (!run.step()) throw DbError(db_path + ": no run with id " + std::to_string(run_id), 0);
  const int64_t last_step = run.column_int(1);
  run.reset();
  const RunLock lock(db_path, run_id, "with id " + std::to_string(run_id));  // its writer must have stopped

  Statement steps(*db, "SELECT DISTINCT step FROM samples WHERE run_id = ? ORDER BY step");
  steps.bind(1, run_id);
  std::vector<int64_t> step_list;
  while (steps.step()) step_list.push_back(steps.column_int(0));

  Statement read(*db,
                 "SELECT s.id, s.group_index, s.index_in_group, s.completion, p.reference, s.correct, s.truncated,"
                 " s.token_count, s.reward, s.real_aha, s.aha_events, p.text FROM samples s"
                 " JOIN prompts p ON p.id = s.prompt_id"
                 " WHERE s.run_id = ? AND s.step = ? ORDER BY s.id");
  Statement update(*db,
                   "UPDATE samples SET aha_score = ?, aha_spans = ?, aha_events = ?, aha_behaviours = ?,"
                   " aha_outcomes = ?, real_aha = ?, language_mixing = ? WHERE id = ?");
  // The step's own time: the metrics that exist keep it.
  Statement write_metric(*db,
                         "INSERT OR REPLACE INTO metrics(run_id, name, step, value, wall_time) VALUES(?1, ?2, ?3, ?4,"
                         " coalesce((SELECT max(wall_time) FROM metrics WHERE run_id = ?1 AND step = ?3),"
                         " (julianday('now') - 2440587.5) * 86400.0))");
  AnalysisRewriteResult result;
  std::set<std::string> names;
  for (const int64_t step : step_list) {
    std::vector<SampleRecord> samples;
    std::vector<int64_t> ids;
    read.bind(1, run_id).bind(2, step);
    while (read.step()) {
      SampleRecord s;
      ids.push_back(read.column_int(0));
      s.step = step;
      s.group_index = static_cast<int>(read.column_int(1));
      s.index_in_group = static_cast<int>(read.column_int(2));
      s.completion = read.column_text(3);
      s.reference = read.column_text(4);
      s.correct = read.column_int(5);
      s.truncated = read.column_int(6);
      s.token_count = static_cast<int>(read.column_int(7));
      s.reward = read.column_double(8);
      result.real_aha_before += read.column_int(9);
      s.aha_events = read.column_text(10);  // (what the model judged before stays: reanalysis.h)
      s.prompt = read.column_text(11);
      how.analyse(s);
      result.real_aha_after += s.real_aha;
      samples.push_back(std::move(s));
    }
    read.reset();
    if (how.analyse_step) how.analyse_step(step, samples);
    Transaction tx(*db);
    for (size_t i = 0; i < samples.size(); ++i) {
      const auto& s = samples[i];
      update.bind(1, s.aha_score).bind(2, s.aha_spans).bind(3, s.aha_events).bind(4, s.aha_behaviours);
      update.bind(5, s.aha_outcomes).bind(6, int(s.real_aha)).bind(7, int(s.language_mixing)).bind(8, ids[i]);
      update.run();
      update.reset();
    }
    for (const auto& [name, value] : how.step_metrics(samples)) {
      write_metric.bind(1, run_id).bind(2, name).bind(3, step).bind(4, value);
      write_metric.run();
      write_metric.reset();
      names.insert(name);
    }
    tx.commit();
    result.samples += samples.size();
    ++result.steps;
    if (how.progress && !how.progress(step, last_step)) {
      result.stopped = true;
      break;
    }
  }
  // The packed copies of the rewritten series are stale: charts read the rows until the
  // run is packed again (db/metric_chunks.h).
  Statement drop(*db, "DELETE FROM metric_chunks WHERE run_id = ? AND name = ?");
  for (const auto& name : names) {
    drop.bind(1, run_id).bind(2, name);
    drop.run();
    drop.reset();
  }
  return result;
}

}  // namespace aha::db
