#include "core/interop/verl_import.h"

#include <algorithm>
#include <chrono>
#include <deque>
#include <fstream>
#include <future>
#include <optional>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/interop/flat_json.h"

namespace aha {

namespace fs = std::filesystem;

namespace {

// The GRPO group of a v1 dump's "uid": veRL >= 0.9 keys each sample
// "{prompt uuid}_{session}_{index}", so the group is what precedes the last two fields; a
// uid without them (one per group) is the group itself.
std::string group_of_uid(const std::string& uid) {
  const auto last = uid.rfind('_');
  const auto second = last == std::string::npos || last == 0 ? std::string::npos : uid.rfind('_', last - 1);
  return second == std::string::npos || second == 0 ? uid : uid.substr(0, second);
}

// The line through a JSON document: every line the fast reader leaves, with the error
// message for a bad one.
RolloutSample parse_verl_document(const std::string& line, int64_t* step) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(line);
  } catch (const nlohmann::json::parse_error& e) {
    throw std::runtime_error(std::string("not JSON (") + e.what() + ")");
  }
  if (!j.is_object()) throw std::runtime_error("not a JSON object");
  auto text = [&](const char* key) {
    const auto it = j.find(key);
    if (it == j.end()) throw std::runtime_error(std::string("no \"") + key + "\" field");
    if (!it->is_string()) throw std::runtime_error(std::string("\"") + key + "\" is not text");
    return std::move(it->get_ref<std::string&>());  // the document is dropped after this
  };
  RolloutSample s;
  s.prompt = text("input");
  s.completion = text("output");
  const auto score = j.find("score");
  if (score == j.end() || !score->is_number()) throw std::runtime_error("no numeric \"score\" field");
  s.score = score->get<double>();
  if (const auto st = j.find("step"); step && st != j.end() && st->is_number_integer()) *step = st->get<int64_t>();
  nlohmann::json extra = nlohmann::json::object();
  for (auto& [key, v] : j.items()) {
    if (key == "input" || key == "output" || key == "score" || key == "step") continue;
    if (key == "gts") {  // null: no reference (not the text "null")
      s.reference = v.is_string() ? v.get<std::string>() : v.is_null() ? std::string() : v.dump();
    } else if (key == "reward") {  // a validation dump's copy of the score, not a reward function
      extra[key] = v;
    } else if (key == "uid" && v.is_string()) {
      s.group = group_of_uid(v.get<std::string>());
      extra[key] = v;
    } else if ((key == "acc" || key == "accuracy") && (v.is_boolean() || v.is_number())) {
      s.correct = v.is_boolean() ? v.get<bool>() : v.get<double>() > 0.5;
      s.rewards.emplace_back(key, v.is_boolean() ? double(v.get<bool>()) : v.get<double>());
    } else if (v.is_number() || v.is_boolean()) {
      s.rewards.emplace_back(key, v.is_boolean() ? double(v.get<bool>()) : v.get<double>());
    } else {
      extra[key] = v;  // kept, never an error
    }
  }
  if (!extra.empty()) s.extra = extra.dump();
  return s;
}

// The same sample from the line's fields without a document, or nullopt where the
// document path would decide differently (or report an error).
std::optional<RolloutSample> parse_verl_fields(const std::string& line, int64_t* step) {
  auto fields = read_flat_json_object(line);
  if (!fields) return std::nullopt;
  // The document path visits fields in key order (its objects are sorted maps).
  std::sort(fields->begin(), fields->end(), [](const auto& a, const auto& b) { return a.key < b.key; });
  using Kind = FlatJsonField::Kind;
  RolloutSample s;
  bool input = false, output = false, score = false;
  nlohmann::json extra = nlohmann::json::object();
  for (auto& f : *fields) {
    const bool numeric = f.kind == Kind::Number || f.kind == Kind::Bool;
    if (f.key == "input" || f.key == "output") {
      if (f.kind != Kind::String) return std::nullopt;
      (f.key == "input" ? input : output) = true;
      (f.key == "input" ? s.prompt : s.completion) = std::move(f.text);
    } else if (f.key == "score") {
      if (f.kind != Kind::Number) return std::nullopt;
      s.score = f.number, score = true;
    } else if (f.key == "step") {
      if (step && f.kind == Kind::Number && f.integer) *step = static_cast<int64_t>(f.number);
    } else if (f.key == "gts") {
      if (f.kind == Kind::String) s.reference = std::move(f.text);
      else if (f.kind != Kind::Null) return std::nullopt;  // written as the document writes it
    } else if (f.key == "uid" && f.kind == Kind::String) {
      s.group = group_of_uid(f.text);
      extra[f.key] = std::move(f.text);
    } else if (f.key == "reward" || !numeric) {
      if (f.kind == Kind::String) extra[f.key] = std::move(f.text);
      else if (f.kind == Kind::Null) extra[f.key] = nullptr;
      else if (f.kind == Kind::Nested) extra[f.key] = nlohmann::json::parse(f.text);  // valid: checked by the reader
      else return std::nullopt;  // a number kept as extra: the document's way
    } else {
      if (f.key == "acc" || f.key == "accuracy") s.correct = f.kind == Kind::Bool ? f.number != 0 : f.number > 0.5;
      s.rewards.emplace_back(f.key, f.number);
    }
  }
  if (!input || !output || !score) return std::nullopt;
  if (!extra.empty()) s.extra = extra.dump();
  return s;
}

}  // namespace

RolloutSample parse_verl_line(const std::string& line, int64_t* step) {
  if (auto s = parse_verl_fields(line, step)) return std::move(*s);
  return parse_verl_document(line, step);
}

std::pair<int64_t, std::vector<std::pair<std::string, double>>> parse_verl_metrics_line(const std::string& line) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(line);
  } catch (const nlohmann::json::parse_error& e) {
    throw std::runtime_error(std::string("not JSON (") + e.what() + ")");
  }
  if (!j.is_object() || !j.contains("step") || !j["step"].is_number_integer() || !j.contains("data") ||
      !j["data"].is_object())
    throw std::runtime_error("not a veRL file-logger line ({\"step\": N, \"data\": {...}})");
  static const std::map<std::string, std::string> ours = {
      {"actor/entropy", "entropy"},   {"actor/pg_clipfrac", "clip_ratio/region_mean"},   {"actor/grad_norm", "grad_norm"},
      {"actor/lr", "learning_rate"}, {"actor/kl_loss", "kl"},              {"actor/pg_loss", "loss"},
      {"timing_s/step", "step_time"}};
  std::vector<std::pair<std::string, double>> metrics;
  for (const auto& [key, v] : j["data"].items()) {
    if (!v.is_number()) continue;
    metrics.emplace_back(key, v.get<double>());
    if (const auto it = ours.find(key); it != ours.end()) metrics.emplace_back(it->second, v.get<double>());
  }
  return {j["step"].get<int64_t>(), std::move(metrics)};
}

std::vector<VerlStepFile> list_verl_step_files(const fs::path& dir, std::vector<VerlStepFile>* doubles) {
  std::vector<VerlStepFile> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const auto name = entry.path().filename().string();
    if (entry.path().extension() != ".jsonl") continue;
    const auto stem = entry.path().stem().string();
    if (stem.empty() || stem.find_first_not_of("0123456789") != std::string::npos || stem.size() > 15) continue;
    out.push_back({std::stoll(stem), entry.path()});
  }
  if (ec) throw std::runtime_error("cannot list rollout directory '" + dir.string() + "': " + ec.message());
  // By step, the shortest name (veRL's, without leading zeros) first.
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    const auto la = a.path.filename().string().size(), lb = b.path.filename().string().size();
    return a.step != b.step ? a.step < b.step : la != lb ? la < lb : a.path < b.path;
  });
  std::vector<VerlStepFile> kept;
  for (auto& f : out) {
    if (!kept.empty() && kept.back().step == f.step) {
      if (doubles) doubles->push_back(std::move(f));
    } else {
      kept.push_back(std::move(f));
    }
  }
  return kept;
}

VerlIngest::VerlIngest(fs::path dir, RunSink& sink, const RolloutStepBuilder& builder, Report report)
    : dir_(std::move(dir)), sink_(sink), builder_(builder), report_(std::move(report)) {
  if (!fs::is_directory(dir_))
    throw std::runtime_error("'" + dir_.string() + "' is not a directory (veRL's trainer.rollout_data_dir)");
}

namespace {

// Whether a step file is finished: its last byte is a newline (veRL ends every line with
// one) and, for the newest file, it has not changed for `settle_seconds`. Files copied in
// from elsewhere may arrive in any order, so one with a later step beside it may still be
// growing; once it has not changed for the settle time it is read whatever it holds (a
// cut last line is reported and skipped).
bool finished(const VerlStepFile& f, bool newest, double settle_seconds) {
  std::error_code ec;
  const auto age = fs::file_time_type::clock::now() - fs::last_write_time(f.path, ec);
  const bool settled = settle_seconds <= 0 || (!ec && age >= std::chrono::duration<double>(settle_seconds));
  std::ifstream in(f.path, std::ios::binary | std::ios::ate);
  if (!in || in.tellg() <= 0) return !newest && settled;
  in.seekg(-1, std::ios::end);
  const bool whole_lines = in.get() == '\n';
  return newest ? whole_lines && settled : whole_lines || settled;
}

}  // namespace

StepRecord VerlIngest::read_step(const VerlStepFile& f) const {
  std::ifstream in(f.path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::vector<RolloutSample> samples;
  std::string line;
  long lines = 0;
  for (long line_no = 1; std::getline(buffer, line); ++line_no) {
    lines = line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    try {
      samples.push_back(parse_verl_line(line));
    } catch (const std::exception& e) {
      const bool cut = buffer.eof();  // the last line, without its newline
      report_(f.path.string() + ":" + std::to_string(line_no) + ": " +
              (cut ? std::string("the last line is cut short") : e.what()) + "; line skipped");
    }
  }
  if (samples.empty())
    report_(f.path.string() + ": no rollout in " + std::to_string(lines) + " line(s)" +
            (lines == 0 ? " (an empty file)" : "") + "; step " + std::to_string(f.step) + " skipped");
  std::error_code ec;
  const auto mtime = fs::last_write_time(f.path, ec);
  const double wall =
      ec ? 0 : std::chrono::duration<double>(fs::file_time_type::clock::to_sys(mtime).time_since_epoch()).count();
  return builder_.build(f.step, std::move(samples), wall);
}

std::filesystem::path VerlIngest::pending() const {
  const auto files = list_verl_step_files(dir_);
  if (files.empty() || sink_.has_step(files.back().step) || skipped_.count(files.back().step)) return {};
  return files.back().path;
}

void VerlIngest::read_new_metrics() {
  const fs::path file = dir_ / "metrics.jsonl";
  std::ifstream in(file, std::ios::binary);
  if (!in) return;
  has_metrics_file_ = true;
  // veRL's file logger opens the file with "wb" when a job resumes: a file shorter than
  // what was read, or one that no longer starts as it did, is read again from its start
  // (lines of steps stored already are passed over).
  std::string head(kMetricsHeadBytes, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  in.clear();  // a file shorter than the head
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  const bool rewritten = size < metrics_read_ || head.compare(0, metrics_head_.size(), metrics_head_) != 0;
  if (rewritten && metrics_read_ > 0) {
    report_(file.string() + ": rewritten (veRL starts it again when a job resumes); read again from its start");
    metrics_read_ = 0, metrics_lines_ = 0;
  }
  in.seekg(metrics_read_);
  std::string line;
  while (std::getline(in, line)) {
    if (in.eof()) break;  // no newline yet: the logger is writing it
    metrics_read_ += static_cast<std::streamoff>(line.size() + 1);
    ++metrics_lines_;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    try {
      auto [step, metrics] = parse_verl_metrics_line(line);
      if (!sink_.has_step(step)) metrics_[step] = std::move(metrics);
    } catch (const std::exception& e) {
      report_(file.string() + ":" + std::to_string(metrics_lines_) + ": " + e.what() + "; line skipped");
    }
  }
  metrics_head_ = head.substr(0, static_cast<size_t>(std::min<std::streamoff>(metrics_read_, head.size())));
}

int VerlIngest::poll(double settle_seconds) {
  read_new_metrics();
  std::vector<VerlStepFile> doubles;
  const auto files = list_verl_step_files(dir_, &doubles);
  for (const auto& d : doubles)
    if (doubles_reported_.insert(d.path).second)
      report_(d.path.string() + ": a second file of step " + std::to_string(d.step) +
              " (veRL writes one, named " + std::to_string(d.step) + ".jsonl); not imported: move it away");
  std::vector<VerlStepFile> ready;  // the finished files not stored yet, in step order
  for (size_t i = 0; i < files.size(); ++i) {
    if (sink_.has_step(files[i].step) || skipped_.count(files[i].step)) continue;  // never re-read
    const bool newest = i + 1 == files.size();
    if (!finished(files[i], newest, settle_seconds)) continue;
    if (newest && has_metrics_file_ && !metrics_.count(files[i].step)) break;  // its metrics line comes next
    ready.push_back(files[i]);
  }
  // Parsing and detection of the next steps overlap the store's write of this one: two
  // readers ahead, so that a core the writer and the search indexer leave idle parses.
  constexpr size_t kAhead = 2;
  std::deque<std::future<StepRecord>> next;
  auto read_ahead = [&](size_t i) {
    if (i < ready.size()) next.push_back(std::async(std::launch::async, [this, &ready, i] { return read_step(ready[i]); }));
  };
  for (size_t i = 0; i < kAhead; ++i) read_ahead(i);
  int written = 0;
  for (size_t i = 0; i < ready.size(); ++i) {
    StepRecord step = next.front().get();
    next.pop_front();
    read_ahead(i + kAhead);
    if (step.samples.empty()) {  // reported by read_step
      skipped_.insert(step.step);
      continue;
    }
    if (auto m = metrics_.find(step.step); m != metrics_.end()) {  // what the samples measure wins
      add_missing_metrics(step.metrics, m->second);
      metrics_.erase(m);
    }
    try {
      sink_.write_step(step);
      ++written;
    } catch (...) {
      for (auto& f : next) f.wait();  // the readers use `ready`: let them finish first
      throw;
    }
  }
  return written;
}

}  // namespace aha
