// Importing veRL rollout dumps with reflection detection on, target >= 20,000 samples/s.
// Run by hand:  build/tests/bench/bench_import [samples=100000] [dir=/tmp/aha-verl-bench]
// Writes the dumps (steps of 1024 samples: 128 prompts x 8, ~700-byte completions with
// checks and "wait" revisions in a share of them), then times, in one run:
//   the whole import into a new database, then parse + group + detect alone (into memory)
//   and the store alone (writing those steps); both up to search seeing every sample.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "core/run/memory_sink.h"
#include "core/interop/verl_import.h"
#include "db/run_store.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

static double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

int main(int argc, char** argv) {
  const long n = argc > 1 ? std::atol(argv[1]) : 100000;
  const fs::path dir = argc > 2 ? argv[2] : "/tmp/aha-verl-bench";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::mt19937_64 rng(3);
  const int per_step = 1024, group = 8;
  const long steps = (n + per_step - 1) / per_step;
  for (long s = 1; s <= steps; ++s) {
    std::ofstream out(dir / (std::to_string(s) + ".jsonl"));
    int a = 0, b = 0, c = 0;
    for (int i = 0; i < per_step; ++i) {
      if (i % group == 0) a = rng() % 900 + 100, b = rng() % 900 + 100, c = rng() % 900 + 100;  // rollout.n = 8
      const std::string q = std::to_string(a) + "+" + std::to_string(b) + "+" + std::to_string(c) + "=";
      std::string o;
      while (o.size() < 600) {
        o += "First " + std::to_string(a) + "+" + std::to_string(b) + "=" + std::to_string(a + b) + ", then add " +
             std::to_string(c) + " to get " + std::to_string(a + b + c) + ". ";
        if (rng() % 4 == 0) o += "Wait, let me check the carry: " + std::to_string(rng() % 10) + "+" + std::to_string(rng() % 10) + ". ";
        if (rng() % 6 == 0) o += "Hmm, that doesn't seem right, recompute. ";
      }
      o += "</think><answer>" + std::to_string(a + b + c) + "</answer>";
      const bool right = rng() % 2;
      nlohmann::json j = {{"input", "<|im_start|>user\n" + q + "<|im_end|>\n<|im_start|>assistant\n<think>"},
                          {"output", o},        {"gts", std::to_string(a + b + c)},
                          {"score", right ? 1.1 : 0.1}, {"step", s},
                          {"accuracy", right ? 1.0 : 0.0}, {"format", 1.0}};
      out << j.dump() << "\n";
    }
  }
  const long total = steps * per_step;
  aha::RolloutStepBuilder builder(aha::default_reflection_lexicon(), nullptr);
  auto quiet = [](const std::string& m) { std::fprintf(stderr, "%s\n", m.c_str()); };

  // The whole import first, then its parts alone.
  const std::string db = (dir / "import.db").string();
  for (const char* suffix : {"", "-wal", "-shm", ".fts", ".fts-wal", ".fts-shm"}) fs::remove(db + suffix);
  ::sync();  // the dumps' writeback done: each phase starts on a quiet disk
  auto t = Clock::now();
  {
    aha::db::RunStore store(db);
    aha::RunInfo info;
    info.name = "bench";
    info.source = "verl";
    store.begin_run(info, false);
    aha::VerlIngest(dir, store, builder, quiet).poll(0);
    store.finish_search_index();  // done when search sees it all, as `aha import` waits
  }
  const double import_s = since(t);

  aha::MemorySink memory;
  memory.begin_run({}, false);
  ::sync();
  t = Clock::now();
  aha::VerlIngest(dir, memory, builder, quiet).poll(0);
  const double parse_s = since(t);

  // The store alone: the same steps, already built, written to a fresh database.
  const std::string store_db = (dir / "store-only.db").string();
  ::sync();
  t = Clock::now();
  {
    aha::db::RunStore store(store_db);
    aha::RunInfo info;
    info.name = "store-only";
    store.begin_run(info, false);
    for (const auto& step : memory.steps) store.write_step(step);
    store.finish_search_index();
  }
  const double store_s = since(t);

  std::printf("%ld samples in %ld step files\n", total, steps);
  std::printf("%-46s%6.1f s  %8.0f samples/s\n", "parse + group + detect (memory, two threads):", parse_s, total / parse_s);
  std::printf("%-46s%6.1f s  %8.0f samples/s  (%.2fx the 20,000/s target)\n", "whole import into SQLite:", import_s,
              total / import_s, total / import_s / 20000);
  std::printf("%-46s%6.1f s  %8.0f samples/s\n", "store alone (steps prebuilt):", store_s, total / store_s);
  std::printf("(four threads on the machine's cores: two readers with detection, the writer, the search indexer)\n");
}
