#pragma once
// Writes chosen traces for others to read: JSONL (one sample per line, for scripts) and
// Markdown (a paper appendix: prompt, completion, rewards, tags, note, the continuations
// resampled from a point in it, and its anchor maps). The trace browser's export and
// `aha export traces` both call this.
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "db/probe_rows.h"
#include "db/run_reader.h"
#include "db/tag_store.h"

namespace aha::db {

struct ExportedResample {
  ProbeRow probe;  // its settings: the prefix continued, the point, the seed
  std::vector<ProbeCompletionRow> continuations;
};

struct ExportedTrace {
  SampleRow sample;
  std::string run_name;
  std::vector<std::string> tags;
  std::string note;
  std::vector<ExportedResample> resamples;
  std::vector<ExportedResample> anchor_maps;  // settings hold each step's figures; continuations by boundary
};

// The samples of `ids` in that order with their run, tags, note, resamples and anchor maps; unknown ids
// are skipped.
std::vector<ExportedTrace> collect_traces(RunReader& reader, TagStore& tags, const std::vector<int64_t>& ids);
// Ids of the samples that carry `tag` (optionally within one run), by step then id.
std::vector<int64_t> samples_with_tag(RunReader& reader, int64_t tag_id, std::optional<int64_t> run_id = {});

void write_traces_jsonl(std::ostream& out, const std::vector<ExportedTrace>& traces);
void write_traces_markdown(std::ostream& out, const std::vector<ExportedTrace>& traces);

}  // namespace aha::db
