#pragma once
// One function per `aha` verb; argv[first] is the first argument after the verb.
namespace aha::cli {
int cmd_version(int argc, char** argv, int first);
int cmd_pretrain(int argc, char** argv, int first);
int cmd_train(int argc, char** argv, int first);
int cmd_sweep(int argc, char** argv, int first);
int cmd_runs(int argc, char** argv, int first);
int cmd_eval(int argc, char** argv, int first);
int cmd_export(int argc, char** argv, int first);
int cmd_tokenize(int argc, char** argv, int first);
int cmd_import(int argc, char** argv, int first);
int cmd_follow(int argc, char** argv, int first);
int cmd_reanalyse(int argc, char** argv, int first);
int cmd_lens(int argc, char** argv, int first);
int cmd_probe(int argc, char** argv, int first);
int cmd_report(int argc, char** argv, int first);
}  // namespace aha::cli
