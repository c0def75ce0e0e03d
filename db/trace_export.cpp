#include "db/trace_export.h"

#include <cstdio>
#include <map>

#include <nlohmann/json.hpp>

#include "db/probe_store.h"

namespace aha::db {

std::vector<ExportedTrace> collect_traces(RunReader& reader, TagStore& tags, const std::vector<int64_t>& ids) {
  std::map<int64_t, std::string> run_names;
  for (const auto& r : reader.runs()) run_names[r.id] = r.name;
  const auto names = tags.tag_names_of(ids);
  ProbeStore probes(reader.connection().path(), db::Access::ReadOnly);
  std::vector<ExportedTrace> out;
  for (int64_t id : ids) {
    auto row = reader.sample(id);
    if (!row) continue;
    ExportedTrace t{*row, run_names[row->run_id], {}, tags.note(id), {}};
    if (auto it = names.find(id); it != names.end()) t.tags = it->second;
    for (auto& p : probes.resamples_of(id)) t.resamples.push_back({p, probes.completions(p.id)});
    for (auto& p : probes.anchor_maps_of(id)) t.anchor_maps.push_back({p, probes.completions(p.id)});
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<int64_t> samples_with_tag(RunReader& reader, int64_t tag_id, std::optional<int64_t> run_id) {
  SampleFilter f;
  f.tag_id = tag_id;
  f.run_id = run_id;
  std::vector<int64_t> ids;
  PageCursor cursor;
  do {
    auto page = reader.samples(f, SampleOrder::StepThenId, false, 1000, cursor);
    for (const auto& r : page.rows) ids.push_back(r.id);
    cursor = page.next;
  } while (cursor.valid);
  return ids;
}

namespace {
nlohmann::json rewards_of(const SampleRow& s) {
  auto j = nlohmann::json::parse(s.rewards_json, nullptr, false);
  return j.is_discarded() ? nlohmann::json::object() : j;
}

// What a resample asked (prefix, point, seed, samples) and which weights answered it.
nlohmann::json resample_settings(const ExportedResample& r) {
  auto j = nlohmann::json::parse(r.probe.settings_json, nullptr, false);
  if (!j.is_object()) j = nlohmann::json::object();
  j["weights_step"] = r.probe.weights_step;  // 0: the base model
  j["correct"] = r.probe.correct;
  return j;
}

std::string weights_words(int64_t step) {
  return step <= 0 ? std::string("the base model") : "the checkpoint after step " + std::to_string(step);
}

// A stored anchor map as a table: each step's text, effect, importance, the two sides'
// accuracies and how often the content came back (docs/ANCHORS.md).
void write_anchor_map_markdown(std::ostream& out, const std::string& completion, const ExportedResample& m) {
  const auto settings = resample_settings(m);
  out << "\n**Anchor map** (" << (settings.value("adaptive", false) ? "adaptive" : "full") << ", "
      << m.continuations.size() << " continuations, " << weights_words(m.probe.weights_step) << ", seed "
      << settings.value("seed", 0) << "): what resampling each step changes\n\n"
      << "| step | text | effect | importance | kept | resampled away | came back |\n|---|---|---|---|---|---|---|\n";
  if (!settings.contains("steps") || !settings["steps"].is_array()) return;
  char line[256];
  int i = 0;
  try {  // a hand-edited database: say so in the table, not crash
  for (const auto& st : settings["steps"]) {
    ++i;
    if (!st.is_object()) continue;
    const size_t begin = st.value("begin", size_t{0}), end = st.value("end", size_t{0});
    std::string text = begin <= end && end <= completion.size() ? completion.substr(begin, end - begin) : "";
    while (!text.empty() && (text.back() == ' ' || text.back() == '\n')) text.pop_back();
    for (auto& c : text)
      if (c == '|' || c == '\n') c = ' ';
    const int kept = st.value("kept", 0), away = st.value("resampled", 0);
    std::snprintf(line, sizeof line, "| %d | `%s` | %+.2f ± %.2f | ", i, text.c_str(), st.value("effect", 0.0),
                  st.value("effect_half_width", 0.0));
    out << line;
    if (away) {
      std::snprintf(line, sizeof line, "%+.2f ± %.2f | %d/%d | %d/%d | %d/%d |\n", st.value("importance", 0.0),
                    st.value("half_width", 0.0), st.value("kept_correct", 0), kept, st.value("resampled_correct", 0),
                    away, st.value("came_back", 0), away);
    } else {
      std::snprintf(line, sizeof line, "none differed | %d/%d | 0 of %d differed | - |\n", st.value("kept_correct", 0),
                    kept, st.value("rewritten_same", 0));
    }
    out << line;
  }
  } catch (const nlohmann::json::exception&) {
    out << "| | (the stored figures of this map are damaged) | | | | | |\n";
  }
}

// The spans as objects {"begin","end","category"}, whichever form the store kept them in
// (rows [begin,end,category], or the objects of older databases).
nlohmann::json spans_of(const std::string& stored) {
  auto spans = nlohmann::json::parse(stored, nullptr, false);
  if (!spans.is_array()) return nlohmann::json::array();
  for (auto& s : spans)
    if (s.is_array() && s.size() == 3) s = {{"begin", s[0]}, {"end", s[1]}, {"category", s[2]}};
  return spans;
}
}  // namespace

void write_traces_jsonl(std::ostream& out, const std::vector<ExportedTrace>& traces) {
  for (const auto& t : traces) {
    const auto& s = t.sample;
    nlohmann::json j{{"run", t.run_name},       {"step", s.step},
                     {"group", s.group_index},  {"index_in_group", s.index_in_group},
                     {"prompt", s.prompt},      {"completion", s.completion},
                     {"reference", s.reference}, {"rewards", rewards_of(s)},
                     {"reward", s.reward},      {"advantage", s.advantage},
                     {"correct", s.correct},    {"format_ok", s.format_ok},
                     {"tokens", s.token_count}, {"aha_score", s.aha_score},
                     {"aha_spans", spans_of(s.aha_spans_json)},
                     {"real_aha", s.real_aha},  {"language_mixing", s.language_mixing},
                     {"tags", t.tags},          {"note", t.note}};
    if (!s.extra_json.empty()) j["extra"] = nlohmann::json::parse(s.extra_json, nullptr, false);
    if (!t.resamples.empty()) {
      auto& all = j["resamples"] = nlohmann::json::array();
      for (const auto& r : t.resamples) {
        auto one = resample_settings(r);
        auto& cs = one["continuations"] = nlohmann::json::array();
        for (const auto& c : r.continuations)
          cs.push_back({{"text", c.completion}, {"answer", c.answer}, {"correct", c.correct}, {"truncated", c.truncated}});
        all.push_back(std::move(one));
      }
    }
    if (!t.anchor_maps.empty()) {
      auto& all = j["anchor_maps"] = nlohmann::json::array();
      for (const auto& m : t.anchor_maps) {
        auto one = resample_settings(m);
        auto& cs = one["continuations"] = nlohmann::json::array();
        for (const auto& c : m.continuations)
          cs.push_back({{"boundary", c.problem}, {"text", c.completion}, {"answer", c.answer}, {"correct", c.correct},
                        {"truncated", c.truncated}});
        all.push_back(std::move(one));
      }
    }
    out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  }
}

void write_traces_markdown(std::ostream& out, const std::vector<ExportedTrace>& traces) {
  out << "# Selected traces\n";
  for (size_t i = 0; i < traces.size(); ++i) {
    const auto& t = traces[i];
    const auto& s = t.sample;
    out << "\n## Trace " << i + 1 << ": run " << t.run_name << ", step " << s.step << ", group " << s.group_index
        << ", sample " << s.index_in_group << "\n\n";
    out << "**Prompt**\n\n```text\n" << s.prompt << "\n```\n\n";
    out << "**Completion**\n\n```text\n" << s.completion << "\n```\n\n";
    out << "| reward | advantage | correct | tokens |";
    const auto rewards = rewards_of(s);
    for (const auto& [name, v] : rewards.items()) out << ' ' << name << " |";
    out << "\n|---|---|---|---|";
    for (size_t k = 0; k < rewards.size(); ++k) out << "---|";
    out << "\n| " << s.reward << " | " << s.advantage << " | " << (s.correct ? "yes" : "no") << " | " << s.token_count
        << " |";
    for (const auto& [name, v] : rewards.items()) out << ' ' << v.dump() << " |";
    out << "\n";
    if (!t.tags.empty()) {
      out << "\nTags:";
      for (const auto& tag : t.tags) out << ' ' << tag;
      out << "\n";
    }
    if (!t.note.empty()) {
      out << "\n> ";
      for (char c : t.note) out << (c == '\n' ? std::string("\n> ") : std::string(1, c));
      out << "\n";
    }
    for (const auto& r : t.resamples) {
      const auto settings = resample_settings(r);
      const std::string prefix = settings.value("prefix", std::string());
      out << "\n**Resampled** after byte " << settings.value("point_byte", 0) << " of the completion ("
          << (r.probe.weights_step <= 0 ? std::string("the base model")
                                       : "the checkpoint after step " + std::to_string(r.probe.weights_step))
          << ", seed " << settings.value("seed", 0) << "): " << r.probe.correct << " of " << r.continuations.size()
          << " continuations right\n\n```text\n..." << prefix.substr(prefix.size() > 60 ? prefix.size() - 60 : 0)
          << "|\n";
      std::map<std::string, int> counts;  // identical continuations once, with their count
      for (const auto& c : r.continuations) ++counts[c.completion];
      for (const auto& [text, n] : counts) out << n << "x |" << text << "\n";
      out << "```\n";
    }
    for (const auto& m : t.anchor_maps) write_anchor_map_markdown(out, s.completion, m);
  }
}

}  // namespace aha::db
