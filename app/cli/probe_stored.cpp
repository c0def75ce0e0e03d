// aha probe list / show / diff: the probes kept in a database, read back.
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>

#include "app/cli/args.h"
#include "app/cli/probe_commands.h"
#include "core/run/probe_records.h"
#include "db/probe_store.h"
#include "db/run_reader.h"

namespace aha::cli {

namespace {

// The first line of a text, cut to `width` characters (bytes; the prompts are ASCII).
std::string line_of(const std::string& text, size_t width) {
  std::string s = text.substr(0, text.find('\n'));
  return s.size() > width ? s.substr(0, width - 3) + "..." : s;
}

db::ProbeRow require_probe(db::ProbeStore& store, const Args& args, const std::string& key) {
  const std::string value = args.require(key);
  char* end = nullptr;
  const long long id = std::strtoll(value.c_str(), &end, 10);
  if (value.empty() || *end) throw UsageError("--" + key + ": '" + value + "' is not a probe id (see aha probe list)");
  auto probe = store.probe(id);
  if (!probe) throw UsageError("--" + key + ": no probe " + value + " in this database (see aha probe list)");
  return *probe;
}

}  // namespace

int probe_list(const Args& args) {
  args.allow_only({"db", "run", "sample", "help"});
  db::RunReader reader(args.require("db"), db::Access::ReadOnly);
  db::ProbeStore store(args.require("db"), db::Access::ReadOnly);
  std::vector<db::ProbeRow> rows;
  if (args.has("sample")) {
    rows = store.resamples_of(std::stoll(args.require("sample")));
  } else if (args.has("run")) {
    rows = store.probes(reader.require_run(args.get("run")).id);
  } else {
    for (const auto& r : reader.runs())
      for (auto& p : store.probes(r.id)) rows.push_back(std::move(p));
  }
  std::map<int64_t, std::string> names;
  for (const auto& r : reader.runs()) names[r.id] = r.name;
  if (rows.empty()) {
    std::printf("no probes stored%s: aha probe passk or aha probe resample makes them\n",
                args.has("run") || args.has("sample") ? " there" : " in this database");
    return 0;
  }
  std::printf("%5s  %-8s  %-16s  %-30s  %-22s  %8s  %7s  %s\n", "id", "kind", "run", "weights", "what", "right",
              "seconds", "when (UTC)");
  for (const auto& p : rows) {
    char what[64], when[32];
    if (const auto set = passk_settings(p); p.kind == "passk" && !set.file.empty())
      std::snprintf(what, sizeof what, "%d x %d, %s", p.problems, set.samples,
                    std::filesystem::path(set.file).filename().c_str());
    else if (p.kind == "passk")
      std::snprintf(what, sizeof what, "%d x %d, seed %llu", p.problems, set.samples,
                    static_cast<unsigned long long>(set.seed));
    else
      std::snprintf(what, sizeof what, "sample %lld x %d", static_cast<long long>(p.sample_id.value_or(0)), p.samples);
    const std::time_t t = static_cast<std::time_t>(p.created_at);
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M", std::gmtime(&t));
    std::printf("%5lld  %-8s  %-16s  %-30s  %-22s  %8.4f  %7.1f  %s\n", static_cast<long long>(p.id), p.kind.c_str(),
                names[p.run_id].c_str(), weights_label(p.weights_step).c_str(), what,
                p.samples ? double(p.correct) / p.samples : 0.0, p.seconds, when);
  }
  return 0;
}

int probe_show(const Args& args) {
  args.allow_only({"db", "probe", "problem", "help"});
  db::ProbeStore store(args.require("db"), db::Access::ReadOnly);
  const auto probe = require_probe(store, args, "probe");
  const auto problems = store.problems(probe.id);
  std::printf("probe %lld (%s) of %s: %d completions, %d right\n", static_cast<long long>(probe.id),
              probe.kind.c_str(), weights_label(probe.weights_step).c_str(), probe.samples, probe.correct);
  if (probe.kind == "resample") {
    const auto stored = stored_resample(probe, store.completions(probe.id));
    const std::string tail = stored.prefix.size() > 80 ? "..." + stored.prefix.substr(stored.prefix.size() - 80)
                                                       : stored.prefix;
    std::printf("continuing sample %lld from: %s|\n\n", static_cast<long long>(probe.sample_id.value_or(0)),
                tail.c_str());
  }
  if (!args.has("problem") && probe.kind == "passk") {
    std::printf("\n%7s  %9s  %5s  %-10s  %s\n", "problem", "right", "maj", "reference", "prompt");
    for (const auto& p : problems)
      std::printf("%7d  %4d/%-4d  %5s  %-10s  %s\n", p.problem, p.correct, p.samples, p.majority_correct ? "yes" : "no",
                  p.reference.c_str(), line_of(p.prompt, 60).c_str());
    std::printf("\nthe completions of one: --problem N\n");
    return 0;
  }
  const int which = args.get_int("problem", 0);
  if (which < 0 || which >= static_cast<int>(problems.size()))
    throw UsageError("--problem " + std::to_string(which) + ": probe " + std::to_string(probe.id) + " has problems 0.." +
                     std::to_string(static_cast<int>(problems.size()) - 1));
  const auto& p = problems[which];
  std::printf("problem %d, reference %s: %d of %d right\nprompt: %s\n\n", p.problem, p.reference.c_str(), p.correct,
              p.samples, line_of(p.prompt, 200).c_str());
  for (const auto& c : store.completions(probe.id, which))
    std::printf("[%3d] %-5s %s%s\n", c.index, c.correct ? "right" : "wrong", line_of(c.completion, 200).c_str(),
                c.truncated ? " (cut at the length limit)" : "");
  return 0;
}

int probe_diff(const Args& args) {
  args.allow_only({"db", "from", "to", "help"});
  db::ProbeStore store(args.require("db"), db::Access::ReadOnly);
  const auto from = require_probe(store, args, "from"), to = require_probe(store, args, "to");
  if (from.kind != "passk" || to.kind != "passk") throw UsageError("--from and --to must be pass@k probes");
  const auto before = probe_problems(store.problems(from.id)), after = probe_problems(store.problems(to.id));
  SolvedDifference d;
  try {
    d = solved_difference(before, after);
  } catch (const std::invalid_argument& e) {
    throw UsageError("probes " + std::to_string(from.id) + " (seed " + std::to_string(passk_settings(from).seed) +
                     ") and " + std::to_string(to.id) + " (seed " + std::to_string(passk_settings(to).seed) + "): " +
                     e.what());
  }
  std::printf("probe %lld (%s) -> probe %lld (%s), %zu problems: %zu gained, %zu lost\n",
              static_cast<long long>(from.id), weights_label(from.weights_step).c_str(), static_cast<long long>(to.id),
              weights_label(to.weights_step).c_str(), before.size(), d.gained.size(), d.lost.size());
  // Each with a right completion from the probe that solved it.
  auto list = [&](const char* title, const std::vector<int>& which, const db::ProbeRow& solver) {
    std::printf("\n%s:\n", title);
    if (which.empty()) std::printf("  none\n");
    for (int i : which) {
      std::printf("  problem %d (reference %s): %d/%d -> %d/%d  %s\n", i, before[i].reference.c_str(),
                  before[i].correct, before[i].samples, after[i].correct, after[i].samples,
                  line_of(before[i].prompt, 50).c_str());
      for (const auto& c : store.completions(solver.id, i))
        if (c.correct) {
          std::printf("    right: %s\n", line_of(c.completion, 100).c_str());
          break;
        }
    }
  };
  list("gained (solved by some sample only after)", d.gained, to);
  list("lost (solved by some sample only before)", d.lost, from);
  std::printf("\nall completions of a problem: aha probe show --db FILE --probe ID --problem N\n");
  return 0;
}

}  // namespace aha::cli
