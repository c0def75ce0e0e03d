// aha probe resample: continuations of a stored completion from a point in its text.
#include <cstdio>
#include <filesystem>

#include "app/cli/args.h"
#include "app/cli/probe_commands.h"
#include "core/rl/resample.h"
#include "core/run/continuations.h"
#include "core/run/probe_records.h"
#include "db/probe_store.h"
#include "db/run_reader.h"

namespace aha::cli {

namespace {

void print_stats(const char* what, const ContinuationStats& st) {
  std::printf("%s: accuracy %.3f (%d/%d right, %d answered, %d cut at the length limit)\n", what,
              st.samples ? double(st.correct) / st.samples : 0.0, st.correct, st.samples, st.answered,
              st.truncated);
  std::printf("  reflection after the point: %d of %d (%d with a fix, the real aha); events:", st.reflective,
              st.samples, st.fixed);
  for (int o = 0; o < kReflectionOutcomes; ++o)
    if (st.outcomes[o]) std::printf(" %s %d", to_string(static_cast<ReflectionOutcome>(o)), st.outcomes[o]);
  std::printf("\n");
}

}  // namespace

int probe_resample(const Args& args) {
  args.allow_only({"db", "sample", "before", "occurrence", "insert", "samples", "seed", "weights", "help"});
  db::ProbeStore store(args.require("db"));  // first: it upgrades an older schema
  db::RunReader reader(args.require("db"), db::Access::ReadOnly);
  const auto found = sample_option(reader, args);
  const auto* sample = &found.sample;
  const auto* run = &found.run;
  const RunConfig& cfg = found.config;
  const int64_t id = sample->id;
  const std::string before = args.require("before");
  const int occurrence = args.get_int("occurrence", 1);
  size_t at = std::string::npos;
  for (int k = 0, from = 0; k < occurrence; ++k, from = static_cast<int>(at) + 1)
    if ((at = sample->completion.find(before, from)) == std::string::npos) break;
  if (at == std::string::npos)
    throw UsageError("--before: \"" + before + "\" occurs fewer than " + std::to_string(occurrence) +
                     " time(s) in sample " + std::to_string(id) + "'s completion");
  std::vector<WeightsOnDisk> stored;
  for (const auto& [step, path] : reader.checkpoints(run->id)) stored.push_back({step, path});
  ResampleRequest request;
  request.run = cfg;
  request.weights = probe_weights(args.get("weights", "nearest"), cfg, run->name, stored, sample->step);
  request.prompt = sample->prompt;
  request.prefix = sample->completion.substr(0, at) + args.get("insert", "");
  request.samples = args.get_int("samples", 64);
  request.seed = static_cast<uint64_t>(args.get_int("seed", 1));
  const bool opens = cfg.prompt_format().opens_think();
  const ReflectionDetector detector(cfg.lexicon());

  std::printf("sample %lld of run '%s' (step %lld), continued from before \"%s\" (character %zu)%s\n",
              static_cast<long long>(id), run->name.c_str(), static_cast<long long>(sample->step), before.c_str(),
              at, args.has("insert") ? (" with \"" + args.get("insert") + "\" inserted").c_str() : "");
  const std::string tail = request.prefix.size() > 60 ? "..." + request.prefix.substr(request.prefix.size() - 60)
                                                      : request.prefix;
  std::printf("prefix: %s|\n", tail.c_str());
  const auto result = resample_from(request);
  TokenAlternatives where;  // for the words on the weights used
  where.weights = request.weights;
  where.sampled_by = sample->step - 1;
  std::printf("weights: %s (%s), %s\n\n", request.weights.describe().c_str(), request.weights.path.c_str(),
              where.distance().c_str());
  print_stats("original", judge_continuations(sample->completion.substr(0, at), at, {sample->completion.substr(at)},
                                              {sample->truncated}, sample->reference, opens, detector));
  char label[96];
  std::snprintf(label, sizeof label, "%d continuations (seed %llu, %.1f s)", request.samples,
                static_cast<unsigned long long>(request.seed), result.seconds);
  print_stats(label, judge_continuations(request.prefix, at, result.continuations, result.truncated, sample->reference,
                                         opens, detector));
  const auto record = resample_record(run->id, id, request, at, result, sample->reference);
  std::printf("kept with the sample as probe %lld\n",
              static_cast<long long>(store.add(record.probe, record.problems, record.completions)));
  std::printf("\nthe first three:\n");
  for (size_t i = 0; i < std::min<size_t>(3, result.continuations.size()); ++i)
    std::printf("  |%s\n", result.continuations[i].c_str());
  return 0;
}


}  // namespace aha::cli
