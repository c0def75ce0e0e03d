#include "db/schema.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <spdlog/spdlog.h>
#include <sqlite3.h>

namespace aha::db {

namespace {

// Migration N brings a database from user_version N-1 to N. Never edit a released one:
// add the next.
const char* const kMigrations[] = {
    // 1: runs, prompts, samples, metrics, checkpoints.
    R"sql(
    CREATE TABLE runs(
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      config_toml TEXT NOT NULL DEFAULT '',
      code_version TEXT NOT NULL DEFAULT '',
      seed INTEGER NOT NULL DEFAULT 0,
      status TEXT NOT NULL DEFAULT 'created',
      model TEXT NOT NULL DEFAULT '',
      task TEXT NOT NULL DEFAULT '',
      total_steps INTEGER NOT NULL DEFAULT 0,
      last_step INTEGER NOT NULL DEFAULT -1,
      source TEXT NOT NULL DEFAULT 'local',
      message TEXT NOT NULL DEFAULT '',
      created_at REAL NOT NULL DEFAULT ((julianday('now') - 2440587.5) * 86400.0),
      started_at REAL,
      finished_at REAL);
    CREATE TABLE prompts(
      id INTEGER PRIMARY KEY,
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      text TEXT NOT NULL,
      reference TEXT NOT NULL DEFAULT '',
      UNIQUE(run_id, text));
    CREATE TABLE samples(
      id INTEGER PRIMARY KEY,
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      step INTEGER NOT NULL,
      prompt_id INTEGER NOT NULL REFERENCES prompts(id) ON DELETE CASCADE,
      group_index INTEGER NOT NULL,
      index_in_group INTEGER NOT NULL,
      completion TEXT NOT NULL,
      token_count INTEGER NOT NULL,
      rewards TEXT NOT NULL DEFAULT '{}',
      reward REAL NOT NULL,
      advantage REAL NOT NULL DEFAULT 0,
      correct INTEGER NOT NULL DEFAULT 0,
      format_ok INTEGER NOT NULL DEFAULT 0,
      truncated INTEGER NOT NULL DEFAULT 0,
      aha_score REAL NOT NULL DEFAULT 0,
      aha_spans TEXT NOT NULL DEFAULT '[]',
      real_aha INTEGER NOT NULL DEFAULT 0,
      language_mixing INTEGER NOT NULL DEFAULT 0);
    CREATE INDEX samples_by_step ON samples(run_id, step, id);
    CREATE INDEX samples_by_reward ON samples(run_id, reward, id);
    CREATE INDEX samples_by_aha ON samples(run_id, aha_score, id);
    CREATE INDEX samples_by_prompt ON samples(prompt_id, step);
    CREATE TABLE metrics(
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      name TEXT NOT NULL,
      step INTEGER NOT NULL,
      value REAL,
      wall_time REAL NOT NULL,
      PRIMARY KEY(run_id, name, step)) WITHOUT ROWID;
    CREATE TABLE checkpoints(
      id INTEGER PRIMARY KEY,
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      step INTEGER NOT NULL,
      path TEXT NOT NULL,
      created_at REAL NOT NULL DEFAULT ((julianday('now') - 2440587.5) * 86400.0));
    )sql",
    // 2: tags, notes and the full-text index over completions.
    R"sql(
    CREATE TABLE tags(
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      color TEXT NOT NULL DEFAULT '#0072B2',
      builtin INTEGER NOT NULL DEFAULT 0);
    INSERT INTO tags(name, color, builtin) VALUES
      ('aha', '#009E73', 1), ('false-positive', '#999999', 1), ('reward-hacking', '#D55E00', 1),
      ('language-mixing', '#CC79A7', 1), ('interesting', '#0072B2', 1);
    CREATE TABLE sample_tags(
      sample_id INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,
      tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
      PRIMARY KEY(sample_id, tag_id)) WITHOUT ROWID;
    CREATE INDEX sample_tags_by_tag ON sample_tags(tag_id, sample_id);
    CREATE TABLE notes(
      sample_id INTEGER PRIMARY KEY REFERENCES samples(id) ON DELETE CASCADE,
      text TEXT NOT NULL,
      updated_at REAL NOT NULL DEFAULT ((julianday('now') - 2440587.5) * 86400.0));
    -- External content: the text lives once, in samples. No triggers: a trigger makes
    -- every row's INSERT a statement savepoint, at which FTS5 flushes a segment per row
    -- (25x slower). RunStore indexes a whole step in one statement, and
    -- TagStore::delete_run removes a run's entries before its rows.
    CREATE VIRTUAL TABLE samples_fts USING fts5(completion, content='samples', content_rowid='id', detail=full);
    INSERT INTO samples_fts(samples_fts) VALUES('rebuild');
    )sql",
    // v3: the trace browser's filters at a million samples. The step index covers every
    // filtered column, so a filter walks the narrow index in display order and never
    // touches the wide rows (their ~1 KB completions) until the page is read.
    R"sql(
    DROP INDEX samples_by_step;
    CREATE INDEX samples_by_step ON samples(run_id, step, id, correct, reward, token_count, aha_score, real_aha);
    CREATE INDEX samples_by_length ON samples(run_id, token_count, id);
    -- The rare flags in step order: "real aha only" in a run where it is rare must not
    -- walk a million index entries to fill one page.
    CREATE INDEX samples_correct ON samples(run_id, step, id) WHERE correct = 1;
    CREATE INDEX samples_reflective ON samples(run_id, step, id) WHERE aha_score > 0;
    CREATE INDEX samples_real_aha ON samples(run_id, step, id) WHERE real_aha = 1;
    )sql",
    // v4: fields that imported rollouts bring and the schema has no column for (JSON).
    R"sql(
    ALTER TABLE samples ADD COLUMN extra TEXT;
    )sql",
    // v5: the full-text index moves to a file of its own, written by its own thread (see
    // db/search_index.h), and sample ids are never handed out twice, so that an index
    // entry can never name a sample other than its own.
    R"sql(
    DROP TABLE samples_fts;
    CREATE TABLE store_meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;
    INSERT INTO store_meta(key, value) VALUES
      ('instance', lower(hex(randomblob(8)))),
      ('next_sample_id', (SELECT coalesce(max(id), 0) + 1 FROM samples));
    )sql",
    // v6: metric series also packed in chunks (db/metric_chunks.h), written with the rows
    // they copy: a chart of 10,000 steps reads 20 rows instead of 10,000.
    R"sql(
    CREATE TABLE metric_chunks(
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      name TEXT NOT NULL,
      first_step INTEGER NOT NULL,
      last_step INTEGER NOT NULL,
      points BLOB NOT NULL,
      PRIMARY KEY(run_id, name, first_step)) WITHOUT ROWID;
    )sql",
    // v7: reflection events with their behaviour and outcome (docs/REFLECTION.md), as JSON,
    // and one bit per behaviour and per outcome for the trace browser's filters, which the
    // step index covers. NULL events: a sample stored before v7, analysed on demand.
    R"sql(
    ALTER TABLE samples ADD COLUMN aha_events TEXT;
    ALTER TABLE samples ADD COLUMN aha_behaviours INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE samples ADD COLUMN aha_outcomes INTEGER NOT NULL DEFAULT 0;
    DROP INDEX samples_by_step;
    CREATE INDEX samples_by_step ON samples(run_id, step, id, correct, reward, token_count, aha_score, real_aha,
                                            aha_behaviours, aha_outcomes);
    )sql",
    // v8: the token lens: each completion token's id, offset, log-probability and entropy
    // (core/analysis/token_trace.h), for the samples that kept them (not imports, not
    // token_lens = false). A table of its own: read one sample at a time, and the samples'
    // pages stay as dense as before (a 2 KB blob in the row would leave one row a page).
    R"sql(
    CREATE TABLE sample_tokens(
      sample_id INTEGER PRIMARY KEY REFERENCES samples(id) ON DELETE CASCADE,
      tokens BLOB NOT NULL);
    )sql",
    // v9: checkpoint probes (db/probe_store.h): pass@k of some weights on a held-out probe
    // set, and continuations of a stored sample ("resample from here"), with every
    // completion, so that a problem gained or lost between two checkpoints can be read.
    R"sql(
    CREATE TABLE probes(
      id INTEGER PRIMARY KEY,
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      kind TEXT NOT NULL,
      sample_id INTEGER REFERENCES samples(id) ON DELETE CASCADE,
      weights_step INTEGER NOT NULL,
      settings TEXT NOT NULL DEFAULT '{}',
      seconds REAL NOT NULL DEFAULT 0,
      created_at REAL NOT NULL DEFAULT ((julianday('now') - 2440587.5) * 86400.0));
    CREATE INDEX probes_by_run ON probes(run_id, kind, id);
    CREATE INDEX probes_by_sample ON probes(sample_id) WHERE sample_id IS NOT NULL;
    CREATE TABLE probe_problems(
      probe_id INTEGER NOT NULL REFERENCES probes(id) ON DELETE CASCADE,
      problem INTEGER NOT NULL,
      prompt TEXT NOT NULL,
      reference TEXT NOT NULL,
      samples INTEGER NOT NULL,
      correct INTEGER NOT NULL,
      majority_correct INTEGER NOT NULL,
      PRIMARY KEY(probe_id, problem)) WITHOUT ROWID;
    CREATE TABLE probe_completions(
      probe_id INTEGER NOT NULL REFERENCES probes(id) ON DELETE CASCADE,
      problem INTEGER NOT NULL,
      idx INTEGER NOT NULL,
      completion TEXT NOT NULL,
      answer TEXT NOT NULL,
      correct INTEGER NOT NULL,
      truncated INTEGER NOT NULL,
      PRIMARY KEY(probe_id, problem, idx)) WITHOUT ROWID;
    )sql",
    // v10: sweeps (core/run/sweep.h): the sweep a run belongs to and its grid values and
    // seed as a JSON object, so that runs are grouped and compared by a key.
    R"sql(
    ALTER TABLE runs ADD COLUMN sweep TEXT NOT NULL DEFAULT '';
    ALTER TABLE runs ADD COLUMN sweep_values TEXT NOT NULL DEFAULT '{}';
    CREATE INDEX runs_by_sweep ON runs(sweep) WHERE sweep <> '';
    )sql",
    // v11: one step numbering everywhere: step N is the N-th update (TRL's and veRL's
    // global_step), its samples drawn by the weights after N - 1 updates; the base model's
    // weights are step 0. Runs trained here counted from 0 before (imports already from 1);
    // their metric chunks are dropped (charts read the rows; a run that goes on packs them
    // again). Checkpoint folders keep their
    // names: a save's trainer_state.json says which numbering it has (core/rl/grpo_trainer.cpp).
    R"sql(
    CREATE TEMP TABLE local_runs AS SELECT id FROM runs WHERE source = 'local';
    UPDATE samples SET step = step + 1 WHERE run_id IN (SELECT id FROM local_runs);
    -- The key (run_id, name, step) holds at every row: through negative values.
    UPDATE metrics SET step = -step - 2 WHERE run_id IN (SELECT id FROM local_runs);
    UPDATE metrics SET step = -step - 1 WHERE step < 0 AND run_id IN (SELECT id FROM local_runs);
    DELETE FROM metric_chunks WHERE run_id IN (SELECT id FROM local_runs);
    UPDATE checkpoints SET step = step + 1 WHERE run_id IN (SELECT id FROM local_runs);
    UPDATE runs SET last_step = last_step + 1 WHERE source = 'local' AND last_step >= 0;
    UPDATE probes SET weights_step = weights_step + 1;
    DROP TABLE local_runs;
    )sql",
};

constexpr int kVersion = sizeof(kMigrations) / sizeof(kMigrations[0]);

}  // namespace

int current_schema_version() { return kVersion; }

const char* const kNextSampleIdSql =
    "SELECT max(coalesce((SELECT max(id) FROM samples), 0) + 1,"
    " coalesce((SELECT value FROM store_meta WHERE key = 'next_sample_id'), 1))";

void check_integrity(Connection& db) {
  std::string problems;
  try {
    Statement st(db, "PRAGMA quick_check(5)");
    while (st.step())
      if (const std::string line = st.column_text(0); line != "ok") problems += (problems.empty() ? "" : "; ") + line;
  } catch (const DbError& e) {
    problems = e.what();
  }
  if (problems.empty()) return;
  throw DbError("database '" + db.path() + "' is damaged (" + problems + "). Recover what SQLite can still read into "
                    "a new file: sqlite3 '" + db.path() + "' .recover | sqlite3 recovered.aha.db, then use that one",
                SQLITE_CORRUPT);
}

void migrate_to(Connection& db, int version) {
  const int have = static_cast<int>(db.scalar_int("PRAGMA user_version"));
  for (int v = have + 1; v <= version; ++v) {
    if (have > 0)  // an existing database: rebuilding indexes of a large one takes a while
      spdlog::info("database '{}': upgrading to schema version {}...", db.path(), v);
    Transaction tx(db);
    // Read again under the write lock: another connection (a sweep's second run, a
    // second studio) may have made this version since.
    if (db.scalar_int("PRAGMA user_version") >= v) continue;
    db.exec(kMigrations[v - 1]);
    db.exec("PRAGMA user_version = " + std::to_string(v));
    tx.commit();
    if (have > 0) spdlog::info("database '{}': upgraded to schema version {}", db.path(), v);
  }
}

namespace {

// Why `path` cannot be a run database here, in words, before SQLite's "unable to open
// database file" (which says the same for a folder, a missing folder and a read-only one).
void check_database_path(const std::string& path, Access how) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path p(path);
  if (fs::is_directory(p, ec))
    throw DbError("'" + path + "' is a folder, not a database file; give a file in it (e.g. '" +
                      (p / "runs.aha.db").string() + "')",
                  SQLITE_CANTOPEN);
  const bool exists = fs::exists(p, ec);
  if (how != Access::Create) {  // reading or editing never creates a database
    if (!exists) throw DbError("no database at '" + path + "' (check the path, or train or import into it first)", SQLITE_CANTOPEN);
    if (how == Access::ReadOnly) {
      if (fs::file_size(p, ec) == 0) throw DbError("'" + path + "' is empty: not a run database", SQLITE_NOTADB);
      return;
    }
  }
  const fs::path folder = p.has_parent_path() ? p.parent_path() : fs::path(".");
  if (!fs::is_directory(folder, ec))
    throw DbError("cannot create '" + path + "': the folder '" + folder.string() + "' does not exist", SQLITE_CANTOPEN);
  if (access(folder.c_str(), W_OK) != 0)
    throw DbError("cannot write the database '" + path + "': its folder '" + folder.string() +
                      "' is read-only (a run database keeps its journal beside it); copy it to a writable folder",
                  SQLITE_READONLY);
  if (exists && access(p.c_str(), W_OK) != 0)
    throw DbError("cannot write the database '" + path + "': the file is read-only", SQLITE_READONLY);
}

}  // namespace

std::unique_ptr<Connection> open_run_database(const std::string& path, Access how) {
  const bool read_only = how == Access::ReadOnly;
  check_database_path(path, how);
  auto db = std::make_unique<Connection>(path, read_only ? Connection::Mode::ReadOnly : Connection::Mode::ReadWrite);
  db->set_checkpoint_on_close(false);
  db->set_busy_timeout(5000);
  // Reading the schema version is the first access: it fails with SQLITE_NOTADB here.
  const int have = static_cast<int>(db->scalar_int("PRAGMA user_version"));
  if (have > kVersion)
    throw DbError("database '" + path + "' was written by a newer Aha Studio (schema version " + std::to_string(have) +
                      ", this build knows up to " + std::to_string(kVersion) + "); open it with a newer version",
                  0);
  if (!read_only) {
    // Turning a new file to WAL needs it to itself: a second connection making the same new
    // database (a sweep's runs at once) is told "busy" at once, not after the timeout.
    for (int attempt = 0;; ++attempt) {
      try {
        db->exec("PRAGMA journal_mode = WAL");
        break;
      } catch (const DbError& e) {
        if (!e.is_busy() || attempt == 250) throw;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
    // In WAL mode NORMAL keeps every committed transaction across a process crash.
    db->exec("PRAGMA synchronous = NORMAL");
  }
  db->exec("PRAGMA foreign_keys = ON");
  std::error_code ec;
  if (read_only && std::filesystem::file_size(path, ec) < (512u << 20) && !ec) check_integrity(*db);
  if (have < kVersion) {
    if (read_only)
      throw DbError("database '" + path + "' has schema version " + std::to_string(have) +
                        " and must be upgraded; open it once for writing", 0);
    migrate_to(*db, kVersion);
  }
  return db;
}

}  // namespace aha::db
