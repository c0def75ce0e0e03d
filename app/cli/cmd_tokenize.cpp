#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "core/run/run_config.h"
#include "core/text/tokenizer.h"

namespace aha::cli {

namespace {

constexpr const char* kUsage =
    "usage: aha tokenize --tokenizer DIR [--tokens]\n"
    "       aha tokenize --tokenizer DIR --jsonl FILE [--out FILE]\n\n"
    "Encodes text with the tokenizer.json in DIR (a Hugging Face model directory, or\n"
    "builtin:tiny-arithmetic) to debug prompts and templates.\n\n"
    "  (no --jsonl)   reads all of standard input and prints its ids on one line;\n"
    "                 --tokens prints one id per line with the text it stands for\n"
    "  --jsonl FILE   reads lines of {\"text\": ...} and writes lines of\n"
    "                 {\"text\": ..., \"ids\": [...]} to --out (default standard output);\n"
    "                 a bad line is reported with its number and skipped (exit status 1)\n";

int tokenize_jsonl(const Tokenizer& tok, const std::string& path, const std::string& out_path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open '" + path + "'");
  std::ofstream file;
  if (!out_path.empty()) {
    file.open(out_path);
    if (!file) throw std::runtime_error("cannot write '" + out_path + "'");
  }
  std::ostream& out = out_path.empty() ? std::cout : file;
  std::string line;
  long line_no = 0, bad = 0, done = 0, bytes = 0;
  const auto t0 = std::chrono::steady_clock::now();
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    nlohmann::ordered_json j;  // keeps the line's own fields in their order, "ids" last
    try {
      j = nlohmann::ordered_json::parse(line);
    } catch (const nlohmann::json::exception& e) {
      std::fprintf(stderr, "%s:%ld: not JSON (%s); line skipped\n", path.c_str(), line_no, e.what());
      ++bad;
      continue;
    }
    if (!j.is_object() || !j.contains("text") || !j["text"].is_string()) {
      std::fprintf(stderr, "%s:%ld: expected an object with a string \"text\"; line skipped\n", path.c_str(), line_no);
      ++bad;
      continue;
    }
    const auto text = j["text"].get<std::string>();
    j["ids"] = tok.encode(text);
    out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    bytes += static_cast<long>(text.size());
    ++done;
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::fprintf(stderr, "%ld lines encoded (%.1f MB/s), %ld skipped\n", done, bytes / 1e6 / std::max(s, 1e-9), bad);
  return bad > 0 ? 1 : 0;
}

}  // namespace

int cmd_tokenize(int argc, char** argv, int first) {
  Args args(argc, argv, first, {"help", "tokens"});
  if (args.has("help")) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  args.allow_only({"tokenizer", "jsonl", "out", "tokens", "help"});
  const auto tok = load_tokenizer(resolve_model_path(args.require("tokenizer")));
  if (args.has("jsonl")) return tokenize_jsonl(*tok, args.get("jsonl"), args.get("out"));
  if (args.has("out")) throw UsageError("--out goes with --jsonl");

  std::stringstream buffer;
  buffer << std::cin.rdbuf();
  const auto ids = tok->encode(buffer.str());
  if (args.has("tokens")) {
    for (int id : ids) std::printf("%d\t%s\n", id, nlohmann::json(tok->decode({id})).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  } else {
    for (size_t i = 0; i < ids.size(); ++i) std::printf(i ? " %d" : "%d", ids[i]);
    std::printf("\n");
  }
  return 0;
}

}  // namespace aha::cli
