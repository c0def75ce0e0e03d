#pragma once
// The run database's schema and its migrations (PRAGMA user_version).
#include <memory>
#include <string>

#include "db/sqlite.h"

namespace aha::db {

// The schema version this build writes.
int current_schema_version();

// How a run database is opened. Create: the writers (training, imports) and the studio's
// File > New. Existing: readers and editors (tags, rename, delete, probes, reanalyse):
// a missing file is an error, never a new empty database. ReadOnly: never writes; the
// one-shot readers (runs, exports, lens, probes, chart export) use it, and a file under
// 512 MB is checked for damage first (~1 s per GB), so that none reads a damaged one
// without saying so.
enum class Access { Create, Existing, ReadOnly };

// Opens `path` as a run database: WAL, foreign keys on, migrated to the current
// version. Refuses (DbError) a file that is not SQLite or was written by a newer app.
// The connection never checkpoints or deletes the WAL when it closes (only the run
// store, the writer, lets SQLite do that: RunStore's constructor).
std::unique_ptr<Connection> open_run_database(const std::string& path, Access access = Access::Create);

// The id the next sample gets: never one handed out before, even if its sample was
// deleted (store_meta.next_sample_id, schema v5), so a search index entry cannot name
// another sample. One row, one column.
extern const char* const kNextSampleIdSql;

// PRAGMA quick_check over the whole file; throws DbError naming the damage and how to
// recover what SQLite can still read. Costs a read of the file (about 1 s per GB).
void check_integrity(Connection& db);

// Applies migrations up to `version` only (tests build databases of older versions).
void migrate_to(Connection& db, int version);

}  // namespace aha::db
