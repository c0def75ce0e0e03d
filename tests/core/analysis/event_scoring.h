#pragma once
// Scores the reflection detector's events against a labelled set (docs/REFLECTION.md):
// precision and recall per behaviour and for each outcome, matching a predicted event to
// a labelled one when its phrase overlaps the labelled anchor.
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "core/analysis/arithmetic.h"
#include "core/analysis/reflection.h"
#include "core/tasks/countdown_task.h"

namespace aha::test {

struct Tally {
  int tp = 0, fp = 0, fn = 0;
  double precision() const { return tp + fp ? double(tp) / (tp + fp) : 1.0; }
  double recall() const { return tp + fn ? double(tp) / (tp + fn) : 1.0; }
};

struct EventScores {
  int traces = 0, labelled = 0, predicted = 0;
  std::map<std::string, Tally> behaviour, outcome;
  Tally real_aha;  // per trace: some fix
  std::vector<std::string> misses;  // "id: what differs", for the report
};

// The task's judge for a labelled trace: Countdown's rule (the trace's numbers and
// target, judged by the task itself), a number, or an expression whose value the
// answer's expression must reach.
inline AnswerJudge judge_for(const nlohmann::json& trace) {
  if (trace.value("task", "") == "countdown") {
    Problem p;
    p.numbers = trace.at("numbers").get<std::vector<int>>();
    p.target = trace.at("target").get<int>();
    return AnswerJudge(
        [p](std::string_view value, std::string_view expression) -> std::optional<bool> {
          return CountdownTask(TaskOptions{}).is_correct(p, expression.empty() ? value : expression);
        },
        /*expressions_are_candidates=*/true);
  }
  const auto& reference = trace.at("reference");
  if (!reference.is_string()) return {};
  const std::string ref = reference;
  if (auto numeric = numeric_judge(ref)) return numeric;
  const auto target = evaluate(ref);
  if (!target) return {};
  return [want = *target](std::string_view v, std::string_view) -> std::optional<bool> {
    const auto got = evaluate(v);
    return got && std::abs(*got - want) < 1e-9;
  };
}

inline int chars_before(const std::string& s, size_t byte) {
  int n = 0;
  for (size_t i = 0; i < byte && i < s.size(); ++i) n += (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80;
  return n;
}

inline EventScores score_events(const std::string& path, const ReflectionDetector& detector = ReflectionDetector()) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  EventScores s;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    const auto j = nlohmann::json::parse(line);
    const std::string text = j.at("text");
    const std::string id = j.value("id", std::to_string(s.traces + 1));
    ++s.traces;
    const auto a0 = text.find("<answer>"), a1 = text.find("</answer>");
    const std::string answer = a0 != std::string::npos && a1 != std::string::npos ? text.substr(a0 + 8, a1 - a0 - 8) : "";
    const auto got = detector.analyse(text, answer, judge_for(j)).events;
    struct Want {
      int begin, end;
      std::string behaviour, outcome;
    };
    std::vector<Want> want;
    for (const auto& e : j.at("events")) {
      const std::string anchor = e.at("anchor");
      size_t at = std::string::npos;
      for (int n = 0; n < e.at("n").get<int>(); ++n) at = text.find(anchor, at == std::string::npos ? 0 : at + 1);
      if (at == std::string::npos) throw std::runtime_error(path + ": " + id + ": anchor '" + anchor + "' not found");
      want.push_back({chars_before(text, at), chars_before(text, at + anchor.size()), e.at("behaviour"), e.at("outcome")});
    }
    s.labelled += want.size();
    s.predicted += got.size();
    std::vector<int> match(got.size(), -1);
    std::vector<bool> taken(want.size(), false);
    for (size_t g = 0; g < got.size(); ++g)
      for (size_t w = 0; w < want.size(); ++w)
        if (!taken[w] && int(got[g].begin) < want[w].end && want[w].begin < int(got[g].end)) {
          match[g] = static_cast<int>(w), taken[w] = true;
          break;
        }
    std::ostringstream diff;
    for (size_t g = 0; g < got.size(); ++g) {
      const std::string b = to_string(got[g].behaviour), o = to_string(got[g].outcome);
      const Want* w = match[g] >= 0 ? &want[match[g]] : nullptr;
      if (w && w->behaviour == b) ++s.behaviour[b].tp;
      else ++s.behaviour[b].fp;
      if (w && w->behaviour != b) ++s.behaviour[w->behaviour].fn;
      if (w && w->outcome == o) ++s.outcome[o].tp;
      else ++s.outcome[o].fp;
      if (w && w->outcome != o) ++s.outcome[w->outcome].fn;
      if (!w || w->behaviour != b || w->outcome != o)
        diff << " [" << text.substr(0, 0) << got[g].begin << " got " << b << "/" << o << " " << got[g].before << "->"
             << got[g].after << (w ? " want " + w->behaviour + "/" + w->outcome : std::string(" unlabelled")) << "]";
    }
    for (size_t w = 0; w < want.size(); ++w)
      if (!taken[w]) {
        ++s.behaviour[want[w].behaviour].fn, ++s.outcome[want[w].outcome].fn;
        diff << " [" << want[w].begin << " missed " << want[w].behaviour << "/" << want[w].outcome << "]";
      }
    bool want_aha = false, got_aha = false;
    for (const auto& w : want) want_aha |= w.outcome == "fix";
    for (const auto& g : got) got_aha |= g.outcome == ReflectionOutcome::Fix;
    if (want_aha && got_aha) ++s.real_aha.tp;
    if (!want_aha && got_aha) ++s.real_aha.fp;
    if (want_aha && !got_aha) ++s.real_aha.fn;
    if (!diff.str().empty()) s.misses.push_back(id + ":" + diff.str());
  }
  return s;
}

}  // namespace aha::test
