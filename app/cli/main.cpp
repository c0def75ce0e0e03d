// aha: the headless command line over the engine and the run store.
#include <cstdio>
#include <cstring>
#include <string>

#include <spdlog/spdlog.h>

#include "app/cli/args.h"
#include "app/cli/commands.h"

namespace {

struct Verb {
  const char* name;
  const char* summary;
  int (*run)(int, char**, int);
};

const Verb kVerbs[] = {
    {"train", "run GRPO from a TOML config and store every sample in a run database", aha::cli::cmd_train},
    {"sweep", "train a base config over a grid of values and seeds, resumable after a kill", aha::cli::cmd_sweep},
    {"runs", "list the runs of a run database", aha::cli::cmd_runs},
    {"eval", "sample a model on fresh problems: accuracy, self-check share and its payoff", aha::cli::cmd_eval},
    {"export", "write metric series (CSV) or chosen traces (JSONL, Markdown)", aha::cli::cmd_export},
    {"import", "store a run trained by veRL (rollout dumps) or TRL (trainer state)", aha::cli::cmd_import},
    {"follow", "store a veRL or TRL run's new steps while the job writes them", aha::cli::cmd_follow},
    {"reanalyse", "analyse stored completions again: reflection events, outcomes, real aha, metrics",
     aha::cli::cmd_reanalyse},
    {"lens", "the token lens of a run: entropy over steps, its reward fit, a token's alternatives",
     aha::cli::cmd_lens},
    {"probe", "pass@k of checkpoints against the base model; continuations from a point in a trace", aha::cli::cmd_probe},
    {"report", "is the gain real: a run's probe gain beside its control rewards' gains", aha::cli::cmd_report},
    {"tokenize", "print the token ids of text (standard input or a JSONL file) to debug prompts", aha::cli::cmd_tokenize},
    {"pretrain", "train the built-in tiny base model on the synthetic corpus", aha::cli::cmd_pretrain},
    {"version", "print version, git revision, libtorch version and device", aha::cli::cmd_version},
};

void print_usage(FILE* out) {
  std::fprintf(out,
               "usage: aha <command> [options]\n\n"
               "Aha Studio's headless command line: R1-Zero style GRPO runs on a built-in tiny\n"
               "model or Hugging Face checkpoints, stored in an SQLite run database.\n\n"
               "commands:\n");
  for (const auto& v : kVerbs) std::fprintf(out, "  %-12s %s\n", v.name, v.summary);
  std::fprintf(out, "\n  aha <command> --help   shows the options of one command\n"
                    "  aha --version          same as 'aha version'\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") ||
      !std::strcmp(argv[1], "help")) {
    print_usage(stdout);
    return argc < 2 ? 2 : 0;
  }
  std::string verb = argv[1];
  if (verb == "--version") verb = "version";
  for (const auto& v : kVerbs) {
    if (verb != v.name) continue;
    try {
      return v.run(argc, argv, 2);
    } catch (const aha::cli::UsageError& e) {
      std::fprintf(stderr, "aha %s: %s\n(see 'aha %s --help')\n", v.name, e.what(), v.name);
      return 2;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "aha %s: error: %s\n", v.name, e.what());
      return 1;
    }
  }
  std::fprintf(stderr, "aha: unknown command '%s'\n\n", verb.c_str());
  print_usage(stderr);
  return 2;
}
