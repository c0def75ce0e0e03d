// Run store at scale: insert N samples (~1 KB completion each, FTS included) in steps of
// 96 (12 prompts x 8; a million samples make the 10,000 steps that the metric-series
// target reads), then time the studio's reads. The writer's rate and the rate until full-text search
// sees every sample (its index trails the writer on a second thread) are both reported.
// The completions come from a pool generated beforehand, so that the timing is the store's.
// The ceiling this machine allows is measured in the same run: the CPU time the writer and
// the indexer spend per sample, and the index rebuilt from scratch by one thread alone.
// Usage:
//   build/tests/bench/bench_store [samples=1000000] [db=/tmp/aha-bench.db]
// Experiments: BENCH_STEP=N samples per step (transaction), BENCH_SQL="PRAGMA ..." run
// on the writer after opening, BENCH_TOKENS=1 stores a token lens blob with each sample
// (its token_count tokens; the same samples otherwise).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>

#include <sys/resource.h>
#include <time.h>

#include "core/analysis/token_trace.h"
#include "db/run_reader.h"
#include "db/run_store.h"
#include "db/schema.h"
#include "db/search_index.h"

using Clock = std::chrono::steady_clock;
static double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

static double thread_cpu_s() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) + double(t.tv_nsec) / 1e9;
}

static double process_cpu_s() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto s = [](timeval t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

static double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int main(int argc, char** argv) {
  const int64_t n = argc > 1 ? std::atoll(argv[1]) : 1000000;
  const std::string path = argc > 2 ? argv[2] : "/tmp/aha-bench.db";
  for (const char* suffix : {"", "-wal", "-shm", ".fts", ".fts-wal", ".fts-shm"}) std::filesystem::remove(path + suffix);

  // A vocabulary of pseudo-words, so the full-text index sees realistic token variety.
  std::mt19937_64 rng(1);
  std::vector<std::string> words;
  for (int i = 0; i < 5000; ++i) {
    std::string w;
    const int len = 2 + rng() % 8;
    for (int k = 0; k < len; ++k) w += char('a' + rng() % 26);
    words.push_back(w);
  }
  const char* reflective[] = {"wait, let me check", "hmm", "let me verify", "so the answer is"};
  std::vector<std::string> pool(20000);
  for (auto& out : pool)
    while (out.size() < 1000) {
      if (rng() % 40 == 0) out += reflective[rng() % 4];
      else out += words[rng() % words.size()];
      out += ' ';
    }
  // Token lens blobs of 150-349 tokens (the token counts below), made beforehand too.
  const bool with_tokens = std::getenv("BENCH_TOKENS") && std::string(std::getenv("BENCH_TOKENS")) == "1";
  std::vector<std::string> blobs(200);
  for (size_t b = 0; b < blobs.size(); ++b) {
    aha::TokenTrace t;
    std::exponential_distribution<float> nats(4.0f);
    for (size_t i = 0; i < 150 + b; ++i) {
      t.ids.push_back(static_cast<int32_t>(rng() % 151000));
      t.begins.push_back(static_cast<uint32_t>(i * 5));
      t.logprobs.push_back(-nats(rng));
      t.entropies.push_back(nats(rng));
    }
    blobs[b] = aha::encode_token_trace(t);
  }
  std::vector<std::string> prompts(5000);
  for (size_t i = 0; i < prompts.size(); ++i) prompts[i] = "question " + std::to_string(i);

  const int per_step = std::getenv("BENCH_STEP") ? std::atoi(std::getenv("BENCH_STEP")) : 96, group = 8;
  const int64_t steps = (n + per_step - 1) / per_step;
  auto t0 = Clock::now();
  const double thread_cpu0 = thread_cpu_s(), process_cpu0 = process_cpu_s();
  double write_s = 0, writer_cpu_s = 0, process_cpu = 0;
  {
    aha::db::RunStore store(path);
    if (const char* extra = std::getenv("BENCH_SQL")) store.connection().exec(extra);  // tuning experiments
    aha::RunInfo info;
    info.name = "bench";
    store.begin_run(info, false);
    aha::StepRecord rec;
    rec.samples.resize(per_step);
    for (int64_t s = 0; s < steps; ++s) {
      rec.step = s;
      rec.wall_time = 1e9 + s;
      rec.metrics = {{"reward", double(rng() % 100) / 100}, {"kl", 0.01}, {"completions/mean_length", 200}};
      for (int i = 0; i < per_step; ++i) {
        auto& r = rec.samples[i];
        r.step = s;
        r.group_index = i / group;
        r.index_in_group = i % group;
        if (r.index_in_group == 0) r.prompt = prompts[rng() % prompts.size()];  // one prompt per group
        else r.prompt = rec.samples[i - 1].prompt;
        r.completion = pool[rng() % pool.size()];
        const size_t blob = rng() % blobs.size();
        r.token_count = 150 + static_cast<int>(blob);
        if (with_tokens) r.token_trace = blobs[blob];
        r.reward = double(rng() % 3);
        r.rewards = {{"accuracy", r.reward > 1}, {"format", 1}};
        r.aha_score = rng() % 10 == 0 ? 1.0 : 0.0;
      }
      store.write_step(rec);
    }
    write_s = ms_since(t0) / 1000;
    writer_cpu_s = thread_cpu_s() - thread_cpu0;
    store.finish_search_index();
    process_cpu = process_cpu_s() - process_cpu0;
  }
  const double insert_s = ms_since(t0) / 1000;
  const double total = double(steps * per_step);
  const double bytes = std::filesystem::file_size(path), index_bytes = std::filesystem::file_size(path + ".fts");
  std::printf("stored %.0f samples in %.1f s: %.0f samples/s (the writer)\n", total, write_s, total / write_s);
  std::printf("searchable after %.1f s: %.0f samples/s (FTS included)\n", insert_s, total / insert_s);
  std::printf("%.0f bytes/sample: %.0f in the database, %.0f in its search index (%.2f GB in all)\n",
              (bytes + index_bytes) / total, bytes / total, index_bytes / total, (bytes + index_bytes) / 1e9);

  // The indexer alone: the same index rebuilt by one thread with nothing else running.
  for (const char* suffix : {".fts", ".fts-wal", ".fts-shm"}) std::filesystem::remove(path + suffix);
  const auto t1 = Clock::now();
  const double index_cpu0 = thread_cpu_s();
  {
    aha::db::SearchIndex index(path);
    while (index.index_batch() > 0) {
    }
  }
  const double alone_s = ms_since(t1) / 1000, alone_cpu_us = (thread_cpu_s() - index_cpu0) / total * 1e6;

  // SQLite's own cost for the rows and their indexes, the floor of any writer: the same
  // rows copied into an empty database by one statement, with no binding and no JSON.
  const std::string floor_path = path + ".rows-floor";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(floor_path + suffix);
  double rows_floor_us = 0;
  {
    auto copy = aha::db::open_run_database(floor_path);
    copy->exec("PRAGMA foreign_keys = OFF");
    aha::db::Statement(*copy, "ATTACH DATABASE ? AS source").bind(1, path).run();
    const double cpu0 = thread_cpu_s();
    copy->exec("BEGIN; INSERT INTO runs SELECT * FROM source.runs; INSERT INTO prompts SELECT * FROM source.prompts;"
               " INSERT INTO samples SELECT * FROM source.samples; COMMIT");
    rows_floor_us = (thread_cpu_s() - cpu0) / total * 1e6;
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(floor_path + suffix);

  const double writer_us = writer_cpu_s / total * 1e6, indexer_us = (process_cpu - writer_cpu_s) / total * 1e6;
  std::printf("CPU per sample: the writer %.1f us, the indexer %.1f us; both cores busy %.0f%% of the time\n",
              writer_us, indexer_us, 100 * process_cpu / (2 * insert_s));
  std::printf("the indexer alone on one core: %.0f samples/s (%.1f us of CPU per sample)\n", total / alone_s,
              alone_cpu_us);
  std::printf("SQLite alone inserting the same rows and their indexes (INSERT..SELECT): %.1f us of CPU per sample\n",
              rows_floor_us);
  // SQLite lets one writer at a time into a file; two cores give two seconds of CPU a second.
  const double one_index = total / alone_s;
  std::printf("ceilings here, samples/s:\n");
  std::printf("  one index file (the indexer alone on one core): %.0f\n", one_index);
  std::printf("  two cores fully busy, this writer, the index split over both: %.0f\n", 2e6 / (writer_us + alone_cpu_us));
  std::printf("  the same with a writer that costs only SQLite's own work: %.0f\n", 2e6 / (rows_floor_us + alone_cpu_us));
  std::printf("  the same with the indexer's cost beside the writer (checkpoints, shared caches): %.0f\n",
              2e6 / (rows_floor_us + indexer_us));
  std::printf("the store reached %.2f of the one-index ceiling\n", total / insert_s / one_index);

  aha::db::RunReader reader(path);
  const int64_t run = reader.runs().at(0).id;
  std::vector<double> page_ms, fts_ms, series_ms;
  for (int i = 0; i < 50; ++i) {
    aha::db::SampleFilter f;
    f.run_id = run;
    const int64_t from = rng() % steps;
    f.step_min = from;
    f.step_max = from + 1000;
    aha::db::PageCursor cursor{true, double(from), int64_t(rng() % (steps * per_step))};
    auto t = Clock::now();
    auto page = reader.samples(f, aha::db::SampleOrder::StepThenId, false, 100, cursor);
    page_ms.push_back(ms_since(t));

    aha::db::SampleFilter q;
    q.run_id = run;
    q.text_query = words[rng() % words.size()];
    t = Clock::now();
    auto hits = reader.samples(q, aha::db::SampleOrder::StepThenId, false, 100);
    fts_ms.push_back(ms_since(t));

    t = Clock::now();
    auto series = reader.metric_series(run, "reward", std::max<int64_t>(-1, steps - 10001));
    if (series.size() != size_t(std::min<int64_t>(steps, 10000))) std::abort();
    series_ms.push_back(ms_since(t));
  }
  std::printf("page of 100 at a random position (run + step range): median %.2f ms\n", median(page_ms));
  std::printf("full-text query for a word, first 100 hits: median %.2f ms\n", median(fts_ms));
  std::printf("metric series, %lld steps: median %.2f ms\n", static_cast<long long>(std::min<int64_t>(steps, 10000)),
              median(series_ms));
}
