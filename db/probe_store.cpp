#include "db/probe_store.h"

#include "db/schema.h"

namespace aha::db {

ProbeStore::ProbeStore(const std::string& path, Access access) : db_(open_run_database(path, access)) {}

int64_t ProbeStore::add(const ProbeRow& probe, const std::vector<ProbeProblemRow>& problems,
                        const std::vector<ProbeCompletionRow>& completions) {
  Transaction tx(*db_);
  Statement head(*db_,
                 "INSERT INTO probes(run_id, kind, sample_id, weights_step, settings, seconds) VALUES(?, ?, ?, ?, ?, ?)");
  head.bind(1, probe.run_id).bind(2, probe.kind);
  if (probe.sample_id)
    head.bind(3, *probe.sample_id);
  else
    head.bind_null(3);
  head.bind(4, probe.weights_step).bind(5, probe.settings_json).bind(6, probe.seconds).run();
  const int64_t id = db_->last_insert_id();
  Statement problem(*db_,
                    "INSERT INTO probe_problems(probe_id, problem, prompt, reference, samples, correct, majority_correct)"
                    " VALUES(?, ?, ?, ?, ?, ?, ?)");
  for (const auto& p : problems) {
    problem.bind(1, id).bind(2, p.problem).bind(3, p.prompt).bind(4, p.reference).bind(5, p.samples);
    problem.bind(6, p.correct).bind(7, int64_t{p.majority_correct}).run();
  }
  Statement completion(*db_,
                       "INSERT INTO probe_completions(probe_id, problem, idx, completion, answer, correct, truncated)"
                       " VALUES(?, ?, ?, ?, ?, ?, ?)");
  for (const auto& c : completions) {
    completion.bind(1, id).bind(2, c.problem).bind(3, c.index).bind(4, c.completion).bind(5, c.answer);
    completion.bind(6, int64_t{c.correct}).bind(7, int64_t{c.truncated}).run();
  }
  tx.commit();
  return id;
}

void ProbeStore::remove(int64_t probe_id) {
  Statement st(*db_, "DELETE FROM probes WHERE id = ?");
  st.bind(1, probe_id).run();
}

std::vector<ProbeRow> ProbeStore::read(const std::string& where, int64_t key, const std::string& kind) {
  Statement st(*db_,
               "SELECT p.id, p.run_id, p.kind, p.sample_id, p.weights_step, p.settings, p.seconds, p.created_at,"
               " (SELECT count(*) FROM probe_problems q WHERE q.probe_id = p.id),"
               " (SELECT coalesce(sum(samples), 0) FROM probe_problems q WHERE q.probe_id = p.id),"
               " (SELECT coalesce(sum(correct), 0) FROM probe_problems q WHERE q.probe_id = p.id)"
               " FROM probes p WHERE " + where + " AND (? = '' OR p.kind = ?) ORDER BY p.id");
  st.bind(1, key).bind(2, kind).bind(3, kind);
  std::vector<ProbeRow> out;
  while (st.step()) {
    ProbeRow r;
    r.id = st.column_int(0);
    r.run_id = st.column_int(1);
    r.kind = st.column_text(2);
    if (!st.column_is_null(3)) r.sample_id = st.column_int(3);
    r.weights_step = st.column_int(4);
    r.settings_json = st.column_text(5);
    r.seconds = st.column_double(6);
    r.created_at = st.column_double(7);
    r.problems = static_cast<int>(st.column_int(8));
    r.samples = static_cast<int>(st.column_int(9));
    r.correct = static_cast<int>(st.column_int(10));
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<ProbeRow> ProbeStore::probes(int64_t run_id, const std::string& kind) {
  return read("p.run_id = ?", run_id, kind);
}

std::vector<ProbeRow> ProbeStore::resamples_of(int64_t sample_id) {
  return read("p.sample_id = ?", sample_id, "resample");
}

std::vector<ProbeRow> ProbeStore::anchor_maps_of(int64_t sample_id) {
  return read("p.sample_id = ?", sample_id, "anchors");
}

std::optional<ProbeRow> ProbeStore::probe(int64_t probe_id) {
  auto rows = read("p.id = ?", probe_id, "");
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

std::vector<ProbeProblemRow> ProbeStore::problems(int64_t probe_id) {
  Statement st(*db_,
               "SELECT problem, prompt, reference, samples, correct, majority_correct FROM probe_problems"
               " WHERE probe_id = ? ORDER BY problem");
  st.bind(1, probe_id);
  std::vector<ProbeProblemRow> out;
  while (st.step())
    out.push_back({static_cast<int>(st.column_int(0)), st.column_text(1), st.column_text(2),
                   static_cast<int>(st.column_int(3)), static_cast<int>(st.column_int(4)), st.column_int(5) != 0});
  return out;
}

std::vector<ProbeCompletionRow> ProbeStore::completions(int64_t probe_id, std::optional<int> problem) {
  Statement st(*db_,
               "SELECT problem, idx, completion, answer, correct, truncated FROM probe_completions"
               " WHERE probe_id = ? AND (? < 0 OR problem = ?) ORDER BY problem, idx");
  const int64_t which = problem ? *problem : -1;
  st.bind(1, probe_id).bind(2, which).bind(3, which);
  std::vector<ProbeCompletionRow> out;
  while (st.step())
    out.push_back({static_cast<int>(st.column_int(0)), static_cast<int>(st.column_int(1)), st.column_text(2),
                   st.column_text(3), st.column_int(4) != 0, st.column_int(5) != 0});
  return out;
}

}  // namespace aha::db
