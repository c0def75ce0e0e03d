#include "db/run_store.h"

#include <charconv>
#include <cstdio>
#include <chrono>
#include <cmath>

#include "db/schema.h"
#include "db/stored_path.h"

#include <spdlog/spdlog.h>

namespace aha::db {

namespace {

// {"accuracy":1.0,"format":0.5}: written directly, since a JSON document per sample cost
// a few percent of an import. Numbers round-trip; JSON has no NaN or infinity (null).
std::string rewards_json(const std::vector<std::pair<std::string, double>>& rewards) {
  std::string out = "{";
  for (const auto& [name, value] : rewards) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (const char c : name) {
      if (c == '"' || c == '\\') {
        out += '\\';
        out += c;
      } else if (static_cast<unsigned char>(c) < 0x20) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "\\u%04x", c);
        out += hex;
      } else {
        out += c;
      }
    }
    out += "\":";
    if (!std::isfinite(value)) {
      out += "null";
      continue;
    }
    char number[32];
    const auto end = std::to_chars(number, number + sizeof number, value).ptr;
    out.append(number, end);
    if (std::string_view(number, end - number).find_first_of(".e") == std::string_view::npos) out += ".0";
  }
  return out + "}";
}

}  // namespace

RunStore::RunStore(const std::string& path) : db_(open_run_database(path)) {
  // The checkpointer copies the WAL into the database on its own thread. The writer
  // checkpoints too, every ~80 MB of WAL, because only the writer can let the WAL start
  // over; by then little is left to copy and fsync.
  db_->exec("PRAGMA wal_autocheckpoint = 20000");
  db_->set_checkpoint_on_close(true);  // the writer: the one connection that may end the WAL
  insert_sample_ = std::make_unique<Statement>(*db_,
      "INSERT INTO samples(id, run_id, step, prompt_id, group_index, index_in_group, completion, token_count, rewards,"
      " reward, advantage, correct, format_ok, truncated, aha_score, aha_spans, real_aha, language_mixing, extra,"
      " aha_events, aha_behaviours, aha_outcomes)"
      " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  insert_tokens_ = std::make_unique<Statement>(*db_, "INSERT INTO sample_tokens(sample_id, tokens) VALUES(?,?)");
  insert_metric_ = std::make_unique<Statement>(*db_,
      "INSERT OR REPLACE INTO metrics(run_id, name, step, value, wall_time) VALUES(?,?,?,?,?)");
  insert_prompt_ = std::make_unique<Statement>(*db_,
      "INSERT INTO prompts(run_id, text, reference) VALUES(?,?,?) ON CONFLICT(run_id, text) DO NOTHING");
  find_prompt_ = std::make_unique<Statement>(*db_, "SELECT id FROM prompts WHERE run_id = ? AND text = ?");
  next_sample_id_ = std::make_unique<Statement>(*db_, kNextSampleIdSql);
  set_next_sample_id_ = std::make_unique<Statement>(*db_, "UPDATE store_meta SET value = ? WHERE key = 'next_sample_id'");
  update_progress_ = std::make_unique<Statement>(*db_, "UPDATE runs SET last_step = ? WHERE id = ? AND last_step < ?");
  checkpointer_ = std::make_unique<WalCheckpointer>(path);
  indexer_ = std::make_unique<SearchIndexer>(path);
}

RunStore::~RunStore() = default;

void RunStore::finish_search_index() { indexer_->finish(); }

int64_t RunStore::begin_run(const RunInfo& info, bool resume) {
  if (const auto why = run_name_problem(info.name); !why.empty())
    throw DbError("database '" + db_->path() + "': cannot " + (resume ? "resume" : "store") + " the run: " + why +
                      (resume ? " (`aha runs rename` gives it a name that can be resumed)" : ""),
                  0);
  prompt_ids_.clear();
  Statement find(*db_, "SELECT id, last_step FROM runs WHERE name = ?");
  find.bind(1, info.name);
  if (find.step()) {
    if (!resume)
      throw DbError("database '" + db_->path() + "' already has a run named '" + info.name +
                        "'; choose another name or resume it", 0);
    const int64_t id = find.column_int(0);
    check_integrity(*db_);  // a resumed run must not grow on a damaged file
    // Locked before it is ours: a second writer that is refused must not touch the run
    // (not even to mark it failed).
    lock_.reset();
    run_id_ = -1;
    lock_ = std::make_unique<RunLock>(db_->path(), id, info.name);
    run_id_ = id;
    // Read after the lock: a writer that held it may have stored more steps.
    last_step_ = db_->scalar_int("SELECT last_step FROM runs WHERE id = " + std::to_string(run_id_));
    if (info.total_steps > 0) {  // `--resume --steps N` trains to N: the run's total says so
      Statement total(*db_, "UPDATE runs SET total_steps = ? WHERE id = ?");
      total.bind(1, info.total_steps).bind(2, run_id_).run();
    }
    metric_packer_.begin_run(run_id_);
    return run_id_;
  }
  if (resume) throw DbError("database '" + db_->path() + "' has no run named '" + info.name + "' to resume", 0);
  check_integrity(*db_);  // a new run must not be written into a damaged file either
  Statement ins(*db_,
      "INSERT INTO runs(name, config_toml, code_version, seed, model, task, total_steps, source, sweep, sweep_values,"
      " status) VALUES(?,?,?,?,?,?,?,?,?,?,'created')");
  ins.bind(1, info.name).bind(2, info.config_toml).bind(3, info.code_version).bind(4, info.seed);
  ins.bind(5, info.model).bind(6, info.task).bind(7, info.total_steps).bind(8, info.source);
  ins.bind(9, info.sweep).bind(10, info.sweep_values.empty() ? std::string("{}") : info.sweep_values).run();
  run_id_ = db_->last_insert_id();
  lock_.reset();
  lock_ = std::make_unique<RunLock>(db_->path(), run_id_, info.name);
  last_step_ = -1;
  metric_packer_.begin_run(run_id_);
  return run_id_;
}

int64_t RunStore::prompt_id(const std::string& text, const std::string& reference) {
  if (auto it = prompt_ids_.find(text); it != prompt_ids_.end()) return it->second;
  insert_prompt_->bind(1, run_id_).bind(2, text).bind(3, reference).run();
  find_prompt_->bind(1, run_id_).bind(2, text);
  find_prompt_->step();
  const int64_t id = find_prompt_->column_int(0);
  find_prompt_->reset();
  // Bounded: long runs see many distinct prompts; the table lookup is the fallback.
  if (prompt_ids_.size() > 100000) prompt_ids_.clear();
  prompt_ids_[text] = id;
  return id;
}

void RunStore::write_step(const StepRecord& step) {
  if (run_id_ < 0) throw DbError("write_step before begin_run", 0);
  // Another program that holds the database's write lock (a long query in the sqlite3
  // shell, a backup) makes the step wait, not fail: it stays in memory and is written once
  // the lock is released. Only after busy_patience_ seconds does the run end as failed.
  const auto start = std::chrono::steady_clock::now();
  double told = 0;
  while (true) {
    try {
      write_step_once(step);
      return;
    } catch (const DbError& e) {
      if (!e.is_busy()) throw;
      const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (waited > busy_patience_)
        throw DbError(std::string(e.what()) + "; gave up on step " + std::to_string(step.step) + " after waiting " +
                          std::to_string(int(waited)) + " s for the program that holds the lock",
                      e.code());
      if (waited >= told) {
        spdlog::warn("database '{}' is locked by another program: step {} waits in memory ({:.0f} s so far; gives up "
                     "after {:.0f} s)",
                     db_->path(), step.step, waited, busy_patience_);
        told = waited + 10;
      }
    }
  }
}

void RunStore::add_metrics(int64_t step, const std::vector<std::pair<std::string, double>>& metrics) {
  if (run_id_ < 0) throw DbError("add_metrics before begin_run", 0);
  Transaction tx(*db_);
  try {
    Statement when(*db_, "SELECT wall_time FROM metrics WHERE run_id = ? AND step = ? LIMIT 1");
    when.bind(1, run_id_).bind(2, step);
    const double wall = when.step() ? when.column_double(0) : 0.0;
    Statement insert(*db_, "INSERT OR IGNORE INTO metrics(run_id, name, step, value, wall_time) VALUES(?,?,?,?,?)");
    for (const auto& [name, value] : metrics) {
      insert.bind(1, run_id_).bind(2, name).bind(3, step).bind(4, value).bind(5, wall).run();
      if (db_->changes() > 0) metric_packer_.stored(name, step);
    }
    tx.commit();
  } catch (...) {
    metric_packer_.forget();
    throw;
  }
}

void RunStore::write_step_once(const StepRecord& step) {
  Transaction tx(*db_);
  try {
    next_sample_id_->step();
    int64_t id = next_sample_id_->column_int(0);
    next_sample_id_->reset();
    for (const auto& s : step.samples) {
      auto& st = *insert_sample_;
      st.bind(1, id++).bind(2, run_id_).bind(3, step.step).bind(4, prompt_id(s.prompt, s.reference));
      st.bind(5, s.group_index).bind(6, s.index_in_group).bind(7, s.completion).bind(8, s.token_count);
      st.bind(9, rewards_json(s.rewards)).bind(10, s.reward).bind(11, s.advantage).bind(12, int(s.correct));
      st.bind(13, int(s.format_ok)).bind(14, int(s.truncated)).bind(15, s.aha_score).bind(16, s.aha_spans);
      st.bind(17, int(s.real_aha)).bind(18, int(s.language_mixing));
      if (s.extra.empty())
        st.bind_null(19);
      else
        st.bind(19, s.extra);
      st.bind(20, s.aha_events).bind(21, s.aha_behaviours).bind(22, s.aha_outcomes);
      st.run();
      if (!s.token_trace.empty())
        insert_tokens_->bind(1, id - 1).bind_blob(2, s.token_trace.data(), s.token_trace.size()).run();
    }
    set_next_sample_id_->bind(1, id).run();
    for (const auto& [name, value] : step.metrics) {
      insert_metric_->bind(1, run_id_).bind(2, name).bind(3, step.step).bind(4, value).bind(5, step.wall_time);
      insert_metric_->run();
      metric_packer_.stored(name, step.step);
    }
    update_progress_->bind(1, step.step).bind(2, run_id_).bind(3, step.step).run();
    tx.commit();
  } catch (...) {
    // The transaction rolls back; cached prompt ids may name rolled-back rows.
    prompt_ids_.clear();
    metric_packer_.forget();
    throw;
  }
  last_step_ = std::max(last_step_, step.step);
  indexer_->notify();
}

void RunStore::set_status(RunStatus status, const std::string& message) {
  if (run_id_ < 0) return;  // no run of ours (begin_run failed): nothing to mark
  const bool running = status == RunStatus::Running;
  const bool ended = status == RunStatus::Finished || status == RunStatus::Stopped || status == RunStatus::Failed;
  std::string sql = "UPDATE runs SET status = ?1, message = ?2";
  if (running) sql += ", started_at = coalesce(started_at, ?3), finished_at = NULL";
  if (ended) sql += ", finished_at = ?3";
  Statement st(*db_, sql + " WHERE id = ?4");
  st.bind(1, to_string(status)).bind(2, message).bind(4, run_id_);
  if (running || ended)
    st.bind(3, std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
  st.run();
}

bool RunStore::has_step(int64_t step) const {
  if (run_id_ < 0 || step > last_step_) return false;
  Statement st(*db_, "SELECT 1 FROM samples WHERE run_id = ? AND step = ? LIMIT 1");
  st.bind(1, run_id_).bind(2, step);
  return st.step();
}

void RunStore::record_checkpoint(int64_t step, const std::string& path) {
  Statement st(*db_, "INSERT INTO checkpoints(run_id, step, path) VALUES(?,?,?)");
  st.bind(1, run_id_).bind(2, step).bind(3, path_to_store(db_->path(), path)).run();
}

}  // namespace aha::db
