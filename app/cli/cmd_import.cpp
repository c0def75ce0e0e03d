// aha import / aha follow: runs trained elsewhere (veRL rollout dumps, TRL trainer
// state) into the run database, once or while the job writes them.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <thread>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "app/cli/interrupt.h"
#include "core/run/run_config.h"
#include "core/interop/generic_import.h"
#include "core/interop/run_follower.h"
#include "db/run_reader.h"
#include "db/run_store.h"
#include "db/tag_store.h"

namespace aha::cli {

namespace {

constexpr const char* kUsage =
    "usage: aha %s verl --dir ROLLOUT_DIR --db FILE --run NAME [options]\n"
    "       aha %s trl  --dir OUTPUT_DIR  --db FILE --run NAME [options]\n\n"
    "%s\n\n"
    "  verl: the trainer.rollout_data_dir of a veRL job, one <step>.jsonl per step\n"
    "        (input, output, score, step, gts; reward extras from veRL 0.8, uid from\n"
    "        0.9). Samples are grouped by uid, else by prompt, within a step; an answer\n"
    "        is judged against gts by our rules (a Countdown gts {\"nums\", \"target\"} as\n"
    "        Countdown) unless the dump has an accuracy field; then reflection detection\n"
    "        and metrics. A metrics.jsonl beside them (veRL's file logger) joins each step.\n"
    "  trl:  the output_dir of a TRL job: completions/completions_<step>.parquet (written\n"
    "        with log_completions = True: samples, rewards, TRL's advantages) and\n"
    "        trainer_state.json's log_history (metrics; TRL writes it at save_steps).\n\n"
    "options:\n"
    "  --config FILE     the run config this job was launched from (stored with the run)\n"
    "  --tokenizer DIR   count completion tokens with this tokenizer (veRL; default:\n"
    "                    UTF-8 bytes / 4)\n"
    "%s"
    "Steps already in the run are skipped, so importing again only adds new steps.\n";

constexpr const char* kFileUsage =
    "       aha import file --file F.jsonl|F.csv --db FILE --run NAME [mapping]\n"
    "  completions logged any other way; mapping (defaults in brackets):\n"
    "  --prompt-field [prompt] --completion-field [completion] --reference-field NAME\n"
    "  --score-field [reward] (the total) --reward-field NAME (per function; repeat)\n"
    "  --step-field [step] (absent: step 1) --group-field NAME (GRPO group; default: by prompt)\n"
    "  Other fields are kept as extra data; a bad record is reported with its line.\n";

constexpr const char* kFollowOptions =
    "  --poll SECONDS    how often to look for new steps (default 1)\n"
    "  --settle SECONDS  the newest step file counts as finished once unchanged this\n"
    "                    long (default 2; a later step's file finishes it at once)\n"
    "  --idle-exit SECONDS  stop after this long without a new step (default: never;\n"
    "                    Ctrl-C stops)\n";

struct Session {
  RunFollower::Metrics reward_weights;  // TRL: which completions columns are rewards
  std::unique_ptr<db::RunStore> store;
  std::unique_ptr<Tokenizer> tokenizer;
  std::unique_ptr<RolloutStepBuilder> builder;
};

Session open_session(const Args& args, const std::string& engine) {
  Session s;
  RunInfo info;
  info.name = args.require("run");
  if (const auto why = run_name_problem(info.name); !why.empty()) throw std::invalid_argument("--run: " + why);
  info.source = engine;
  info.task = engine + " import";
  RunConfig cfg;
  if (args.has("config")) {
    cfg = RunConfig::load(args.get("config"));
    info.config_toml = cfg.to_toml();
    info.seed = cfg.seed;
    info.model = cfg.model;
    info.task = cfg.task.name;
    info.total_steps = cfg.max_steps;
    for (size_t i = 0; i < cfg.reward_funcs.size(); ++i) s.reward_weights.emplace_back(cfg.reward_funcs[i], cfg.reward_weights[i]);
  }
  info.code_version = engine;
  s.store = std::make_unique<db::RunStore>(args.require("db"));
  bool exists = false;
  {
    db::RunReader reader(args.require("db"));
    exists = reader.run_by_name(info.name).has_value();
  }
  s.store->begin_run(info, /*resume=*/exists);
  // Running while it imports: a killed import then shows as interrupted, not as created.
  s.store->set_status(RunStatus::Running, "importing");
  if (exists) std::printf("run '%s' exists (last step %lld): adding the steps it does not have\n", info.name.c_str(),
                          static_cast<long long>(s.store->last_step()));
  if (args.has("tokenizer")) s.tokenizer = load_tokenizer(resolve_model_path(args.get("tokenizer")));
  // veRL dumps have no group id: with the run's config its G splits repeated prompts.
  s.builder = std::make_unique<RolloutStepBuilder>(cfg.lexicon(), s.tokenizer.get(), cfg.scale_rewards != "none",
                                                   args.has("config") ? cfg.num_generations : 0);
  return s;
}

// Messages quote what they read: a control byte from a garbage file is shown, not sent to
// the terminal.
bool db_has_run(const Args& args) {
  if (!std::filesystem::exists(args.require("db"))) return false;
  return db::RunReader(args.require("db")).run_by_name(args.require("run")).has_value();
}

int lines_reported = 0;  // so that "the lines above say why" is said only when there are some

std::string why_nothing(const std::string& input) {
  return lines_reported > 0 ? "the lines above say why" : "'" + input + "' holds no record";
}

void report_line(const std::string& message) {
  ++lines_reported;
  std::string safe;
  for (const unsigned char c : message) {
    if ((c < 0x20 && c != '\t') || c == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      safe += hex;
    } else {
      safe += static_cast<char>(c);
    }
  }
  std::fprintf(stderr, "%s\n", safe.c_str());
}

// Full-text search trails the writer on a thread of its own: the command ends when search
// sees every step it stored. An index that cannot be written costs search, not the data.
void finish_search_index(db::RunStore& store) {
  try {
    store.finish_search_index();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "warning: %s\n", e.what());
  }
}

GenericMapping generic_mapping(const Args& args) {
  GenericMapping m;
  m.prompt = args.get("prompt-field", m.prompt);
  m.completion = args.get("completion-field", m.completion);
  m.reference = args.get("reference-field", m.reference);
  m.score = args.get("score-field", m.score);
  m.rewards = args.all("reward-field");
  m.step = args.get("step-field", m.step);
  m.group = args.get("group-field", m.group);
  return m;
}

// aha import file: JSONL or CSV with a field mapping; the steps the run does not have.
int import_file(std::map<int64_t, std::vector<RolloutSample>> steps, Session& s) {
  int written = 0;
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  for (auto& [step, samples] : steps) {
    if (s.store->has_step(step)) continue;
    s.store->write_step(s.builder->build(step, std::move(samples), now));
    ++written;
  }
  return written;
}

std::string engine_of(const Args& args, const char* verb) {
  if (args.positional().size() != 1 || (args.positional()[0] != "verl" && args.positional()[0] != "trl"))
    throw UsageError(std::string("say which engine wrote the run: aha ") + verb + " verl ... or aha " + verb + " trl ...");
  return args.positional()[0];
}

}  // namespace

int cmd_import(int argc, char** argv, int first) {
  Args args(argc, argv, first, {"help"});
  if (args.has("help")) {
    std::printf(kUsage, "import", "import", "Imports a run trained by veRL or TRL, once.", "");
    std::fputs(kFileUsage, stdout);
    return 0;
  }
  args.allow_only({"dir", "db", "run", "config", "tokenizer", "help", "file", "prompt-field", "completion-field",
                   "reference-field", "score-field", "reward-field", "step-field", "group-field"});
  const std::string engine = args.positional().size() == 1 && args.positional()[0] == "file" ? "file"
                                                                                             : engine_of(args, "import");
  // What there is to import, known before a run is made: no empty run for bad input.
  std::map<int64_t, std::vector<RolloutSample>> records;
  if (engine == "file") {
    const std::string file = args.require("file");
    records = read_generic_rollouts(file, generic_mapping(args), report_line);
    if (records.empty())
      throw std::runtime_error(file + ": no usable record (" + why_nothing(file) + "); nothing imported");
  } else if (engine == "verl" && std::filesystem::is_directory(args.require("dir")) &&
             list_verl_step_files(args.require("dir")).empty()) {
    throw std::runtime_error("'" + args.require("dir") + "' holds no veRL step file (<step>.jsonl, written by "
                             "trainer.rollout_data_dir); nothing imported");
  }
  const bool existed = db_has_run(args);
  Session s = open_session(args, engine);
  const auto t0 = std::chrono::steady_clock::now();
  int steps = 0;
  std::filesystem::path pending;
  if (engine == "file") {
    steps = import_file(std::move(records), s);
  } else {
    RunFollower follower(engine, args.require("dir"), *s.store, *s.builder, report_line, s.reward_weights);
    steps = follower.poll(0.0);
    pending = follower.pending();
    if (!pending.empty())
      std::printf("%s, the newest step file, is not finished: it does not end with a newline (still being written, "
                  "or cut short) or metrics.jsonl has no line for it yet; import again later, or use aha follow\n",
                  pending.string().c_str());
  }
  finish_search_index(*s.store);
  if (!existed && s.store->last_step() < 0 && pending.empty()) {  // bad lines only: no empty run left behind
    const int64_t id = s.store->run_id();
    s.store.reset();
    db::TagStore(args.require("db")).delete_run(id);
    const std::string input = args.get("dir", args.get("file"));
    throw std::runtime_error("nothing imported from '" + input + "' (" + why_nothing(input) + "); no run was made");
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  db::RunReader reader(args.require("db"));
  const auto run = reader.require_run(args.require("run"));
  const long samples = static_cast<long>(reader.connection().scalar_int(
      "SELECT count(*) FROM samples WHERE run_id = " + std::to_string(run.id)));
  std::printf("imported %d steps into run '%s' (now %ld samples, last step %lld) in %.1f s\n", steps,
              run.name.c_str(), samples, static_cast<long long>(s.store->last_step()), secs);
  if (pending.empty())
    s.store->set_status(RunStatus::Finished, "imported from " + engine);
  else
    s.store->set_status(RunStatus::Stopped, "imported from " + engine + "; " + pending.filename().string() +
                                                " was still being written");
  return 0;
}

int cmd_follow(int argc, char** argv, int first) {
  Args args(argc, argv, first, {"help"});
  if (args.has("help")) {
    std::printf(kUsage, "follow", "follow",
                "Follows a veRL or TRL job while it writes: new steps are stored as they appear.", kFollowOptions);
    return 0;
  }
  args.allow_only({"dir", "db", "run", "config", "tokenizer", "poll", "settle", "idle-exit", "help"});
  const std::string engine = engine_of(args, "follow");
  const double poll_s = args.get_real("poll", 1.0), settle = args.get_real("settle", 2.0);
  const double idle_exit = args.get_real("idle-exit", -1);
  Session s = open_session(args, engine);
  s.store->set_status(RunStatus::Running, "following " + args.require("dir"));
  install_interrupt_handler();
  RunFollower follower(engine, args.require("dir"), *s.store, *s.builder, report_line, s.reward_weights);
  auto last_new = std::chrono::steady_clock::now();
  std::printf("following %s (Ctrl-C stops)\n", args.require("dir").c_str());
  std::fflush(stdout);
  while (!interrupt_requested()) {
    if (const int n = follower.poll(settle); n > 0) {
      std::printf("stored %d step(s), last step %lld\n", n, static_cast<long long>(s.store->last_step()));
      std::fflush(stdout);
      last_new = std::chrono::steady_clock::now();
    } else if (idle_exit >= 0 &&
               std::chrono::duration<double>(std::chrono::steady_clock::now() - last_new).count() > idle_exit) {
      break;
    }
    for (double slept = 0; slept < poll_s && !interrupt_requested(); slept += 0.05)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  finish_search_index(*s.store);
  s.store->set_status(RunStatus::Stopped, "follow ended");
  std::printf("follow ended at step %lld\n", static_cast<long long>(s.store->last_step()));
  return 0;
}

}  // namespace aha::cli
