#include "core/analysis/reflection_events.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <numeric>
#include <cmath>
#include <optional>
#include <stdexcept>

#include "core/analysis/arithmetic.h"

namespace aha {
namespace {

using Cat = ReflectionCategory;
using Out = ReflectionOutcome;

constexpr size_t kNamedWithin = 40;  // bytes after the phrase where "X was wrong" names the subject

// The role a value is judged in: the expression it claims to equal, or (empty) the final
// answer of the problem.
struct Judged {
  const AnswerTrajectory& tr;
  const AnswerJudge& judge;
  std::vector<std::string_view> roles;  // per claim (views of the claims' expressions)

  Judged(const AnswerTrajectory& t, const AnswerJudge& j) : tr(t), judge(j) {
    roles.reserve(tr.claims.size());
    for (const auto& c : tr.claims) roles.push_back(c.expression);
  }

  // Whether `value` is right in the role `role`; nothing when that cannot be told.
  std::optional<bool> right(const std::string& value, std::string_view role, size_t before) const {
    const auto n = number_at(value, 0, true);
    if (!role.empty()) {
      const auto v = evaluate(role);
      if (!v || !n || n->end != value.size()) return std::nullopt;
      return same_number(*v, *n);
    }
    if (judge) return judge(value, {});
    // No reference: the last equation before that states this value gives its role.
    for (size_t i = tr.claims.size(); i-- > 0;) {
      const auto& c = tr.claims[i];
      if (c.end <= before && c.kind == ClaimKind::Equation && same_value(c.value, value)) return c.holds;
    }
    return std::nullopt;
  }

  // In the running answer's role: whether `value` (stated as `expression`, or "") leads
  // to the right final answer when it stands in the place of claim `from`'s value: right
  // when the judge says it is right itself, else when the text's later steps, computed
  // again from it, reach a right final answer. Nothing when they do not reach the final
  // answer (a later step was corrected too) or there is no judge.
  std::optional<bool> leads_right(size_t from, std::string_view value, std::string_view expression) const {
    if (!judge) return std::nullopt;
    const auto verdict = judge(value, expression);
    if (verdict == true || judge.expressions_are_candidates()) return verdict;
    const auto v = number_at(value, 0, true);
    if (!v || v->end != value.size()) return verdict;
    if (const auto reached = final_answer_from(from, v->value)) return judge(format_number(*reached), {});
    return std::nullopt;
  }

  // The final answer the text reaches from claim `from` when its value is `value`: each
  // later equation that uses that value (or one computed from it) computed again, in
  // order; nothing when the final answer does not depend on it.
  std::optional<double> final_answer_from(size_t from, double value) const {
    const Claim* last = tr.final_answer();
    for (size_t j = tr.claims.size(); !last && j-- > from;)
      if (tr.claims[j].candidate()) last = &tr.claims[j];
    const auto start = number_at(tr.claims[from].value, 0, true);
    if (!last || !start) return std::nullopt;
    std::vector<std::pair<double, double>> moved = {{start->value, value}};  // (as written, as it would be)
    auto moved_to = [&](double written) -> std::optional<double> {
      for (auto it = moved.rbegin(); it != moved.rend(); ++it)
        if (std::abs(it->first - written) <= 1e-9 * std::max(1.0, std::abs(written))) return it->second;
      return std::nullopt;
    };
    for (size_t j = from + 1; j < tr.claims.size() && &tr.claims[j] != last; ++j) {
      const auto& c = tr.claims[j];
      if (c.expression.empty() || c.kind == ClaimKind::Retraction) continue;
      // The expression with every number that moved written as its new value.
      std::string again;
      bool changed = false;
      for (size_t p = 0; p < c.expression.size();) {
        const bool starts = c.expression[p] >= '0' && c.expression[p] <= '9' &&
                            (p == 0 || !(c.expression[p - 1] >= '0' && c.expression[p - 1] <= '9') );
        const auto n = starts ? number_at(c.expression, p) : std::nullopt;
        if (!n) {
          again += c.expression[p++];
          continue;
        }
        if (const auto to = moved_to(n->value)) {
          again += "(" + format_number(*to) + ")";
          changed = true;
        } else {
          again.append(c.expression, p, n->end - p);
        }
        p = n->end;
      }
      const auto written = number_at(c.value, 0, true);
      if (!changed || !written) continue;
      if (const auto v = evaluate(again)) moved.emplace_back(written->value, *v);
    }
    const auto final_value = number_at(last->value, 0, true);
    return final_value ? moved_to(final_value->value) : std::nullopt;
  }
};

// Whether the equation `expression` computes the subject's quantity again, in another way
// ("27+9" after "27+8", "600÷24" after "600×24", "6/36" after "6/12"): another expression
// of as many numbers that shares one with the subject's, and does not use the subject's
// value (that is a check by substitution: "3 × 9 + 7" after "x = 27 / 3 = 9"). Partial
// sums of a check ("9 + 6" of "9 + 6 + 5 + 1") have fewer numbers.
bool revises(std::string_view role, std::string_view expression, std::string_view subject) {
  if (role.empty() || expression.empty() || role == expression) return false;
  auto numbers = [](std::string_view e) {
    std::vector<double> out;
    for (size_t p = 0; p < e.size(); ++p)
      if (e[p] >= '0' && e[p] <= '9' && (p == 0 || !(e[p - 1] >= '0' && e[p - 1] <= '9') && e[p - 1] != '.'))
        if (const auto n = number_at(e, p)) out.push_back(n->value), p = n->end - 1;
    return out;
  };
  const auto a = numbers(role), b = numbers(expression);
  const auto value = number_at(subject, 0, true);
  if (a.size() != b.size() || (value && std::find(b.begin(), b.end(), value->value) != b.end())) return false;
  for (double x : a)
    if (std::find(b.begin(), b.end(), x) != b.end()) return true;
  return false;
}

// Countdown: an expression of the whole answer (a conclusion, the <answer>, an equation of
// three numbers or more) is a candidate, judged by the task's rule; a step of two numbers
// ("35 * 2 = 70") keeps its own role.
bool whole_candidate(const Claim& c) {
  if (c.expression.empty()) return false;
  if (c.kind == ClaimKind::Conclusion || c.kind == ClaimKind::Answer) return true;
  int numbers = 0;
  for (size_t p = 0; p < c.expression.size(); ++p)
    numbers += c.expression[p] >= '0' && c.expression[p] <= '9' &&
               (p == 0 || !(c.expression[p - 1] >= '0' && c.expression[p - 1] <= '9'));
  return numbers >= 3;
}

// Whether claim `i`'s value is a number that an earlier claim's expression uses.
bool operand_before(const std::vector<Claim>& claims, size_t i) {
  const auto v = number_at(claims[i].value, 0, true);
  if (!v) return false;
  for (size_t j = 0; j < i; ++j) {
    const auto& e = claims[j].expression;
    for (size_t p = 0; p < e.size(); ++p)
      if (e[p] >= '0' && e[p] <= '9' && (p == 0 || !(e[p - 1] >= '0' && e[p - 1] <= '9') && e[p - 1] != '.'))
        if (const auto n = number_at(e, p)) {
          if (n->value == v->value) return true;
          p = n->end - 1;
        }
  }
  return false;
}

// "wait, 622 was wrong", "Hmm, let me recompute", "Let me verify by substituting back":
// a phrase that follows the previous one closely, in the same clause, continues its event,
// and says best what the event does.
bool continues_phrase(std::string_view text, const PhraseHit& previous, const PhraseHit& next) {
  // (one sentence: "Hmm, two pipes together should be faster ..., so 9 hours can't be right.")
  if (next.begin < previous.end || next.begin - previous.end > 120) return false;
  for (size_t p = previous.end; p < next.begin; ++p) {
    const char c = text[p];
    if (c == '\n' || c == ':' || c == ';' || c == '!' || c == '?' || c == '=' ||
        (c == '.' && !(p + 1 < text.size() && text[p + 1] == '.')))
      return false;
  }
  return true;
}

// Appends a JSON string: the values are written numbers or an answer's text.
void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\', out += c;
    else if (static_cast<unsigned char>(c) < 0x20) out += ' ';
    else out += c;
  }
  out += '"';
}

// The first byte of the number an equation starts with ("330" of "330+438=688").
std::string first_operand(std::string_view text, const Claim& c) {
  auto n = number_at(text, c.begin);
  return n ? n->text : c.value;
}

}  // namespace

const char* to_string(ReflectionOutcome o) {
  switch (o) {
    case Out::None: return "none";
    case Out::Confirm: return "confirm";
    case Out::Fix: return "fix";
    case Out::Break: return "break";
    case Out::Miss: return "miss";
    case Out::Ritual: return "ritual";
  }
  return "?";
}

ReflectionOutcome reflection_outcome_from_string(const std::string& s) {
  for (int i = 0; i < kReflectionOutcomes; ++i)
    if (s == to_string(static_cast<Out>(i))) return static_cast<Out>(i);
  throw std::invalid_argument("unknown reflection outcome '" + s + "' (known: none, confirm, fix, break, miss, ritual)");
}

std::vector<ReflectionEvent> reflection_events(std::string_view text, const std::vector<PhraseHit>& phrases,
                                               const AnswerTrajectory& tr, const AnswerJudge& judge) {
  // Events from phrases: a phrase that continues the previous one joins its event.
  struct Opening {
    PhraseHit first;  // where the event is anchored
    Cat behaviour;
    size_t body;  // where its text starts, after its last phrase
  };
  std::vector<Opening> openings;
  for (size_t h = 0; h < phrases.size(); ++h) {
    if (h > 0 && continues_phrase(text, phrases[h - 1], phrases[h])) {
      auto& o = openings.back();
      o.body = phrases[h].end;
      if (o.behaviour != Cat::Subgoal && o.behaviour != Cat::BackwardChaining) o.behaviour = phrases[h].category;
      continue;
    }
    openings.push_back({phrases[h], phrases[h].category, phrases[h].end});
  }

  Judged judged(tr, judge);
  const auto& claims = tr.claims;
  const size_t think_end = std::min(text.find("</think>"), text.size());
  std::vector<ReflectionEvent> events;
  for (size_t h = 0; h < openings.size(); ++h) {
    const auto& o = openings[h];
    ReflectionEvent& e = events.emplace_back();
    e.begin = o.first.begin;
    e.end = o.first.end;
    e.behaviour = o.behaviour;
    e.settled = e.end;
    if (o.behaviour == Cat::Subgoal || o.behaviour == Cat::BackwardChaining) continue;
    // The event's text: to the next event, the end of its paragraph or of the thinking.
    size_t region_end = h + 1 < openings.size() ? openings[h + 1].first.begin : text.size();
    region_end = std::min(region_end, text.find("\n\n", o.body));
    if (o.first.begin < think_end) region_end = std::min(region_end, think_end);
    region_end = std::max(region_end, o.body);

    // The subject: the value "X was wrong" names, else the last value stated before.
    // Named: "X was wrong" around the phrase, or "not X" in its clause ("Wait, (-2)^2 = 4,
    // not -4.").
    std::optional<size_t> subject, named, stating;
    for (size_t i = 0; i < claims.size(); ++i) {
      const auto& c = claims[i];
      if (c.kind == ClaimKind::Retraction && c.begin <= o.first.begin && o.first.begin < c.end) named = i;
      if (c.value_begin < o.first.end) continue;
      if (named || c.value_begin >= o.body + kNamedWithin || c.begin >= region_end ||
          text.substr(o.body, c.begin - o.body).find_first_of(".\n;") != std::string_view::npos)
        break;
      if (c.kind == ClaimKind::Retraction) named = i;
    }
    std::string_view role;
    if (named) {
      subject = named;
      for (size_t i = *named; i-- > 0;)  // the claim that stated the named value gives its role
        if (claims[i].kind != ClaimKind::Retraction && claims[i].end <= o.first.begin &&
            same_value(claims[i].value, claims[*named].value)) {
          stating = i;
          role = judged.roles[i];
          break;
        }
    } else {
      for (size_t i = claims.size(); i-- > 0;)
        if (claims[i].end <= o.first.begin && claims[i].kind != ClaimKind::Retraction) {
          subject = stating = i;
          role = judged.roles[i];
          break;
        }
    }
    if (!subject) continue;  // a reflection before any value: outcome none
    const bool countdown_subject = judge.expressions_are_candidates() && stating && whole_candidate(claims[*stating]);
    const std::string before = claims[*subject].value;
    e.before = before;

    // The value after: the event's first conclusion or restatement of the subject's
    // equation (for a doubt or a restart, also a recomputation that reaches the subject's
    // value again), or (doubts and restarts) the next value the text goes on with.
    std::optional<size_t> after_claim;
    // A doubt or a restart that names no value ("Wait, the problem says 3 juices.") goes
    // on with a new computation: its value after is where the line it starts ends up.
    // Not where the text goes straight on with a value in the subject's place, as the
    // built-in model does ("wait, was wrong 1156 1156+46=1292": an equation that shares
    // no number with the subject's, no sentence between).
    bool computes_anew = !named && o.behaviour != Cat::Verification;
    if (computes_anew) {
      size_t line_end = region_end;
      for (size_t i = 0; i < claims.size(); ++i) {
        const auto& c = claims[i];
        if (c.begin < o.body || c.kind == ClaimKind::Retraction) continue;
        if (c.value_begin >= line_end) break;
        if (!after_claim) {
          const auto between = text.substr(o.body, c.begin - o.body);
          const bool sentence = between.find_first_of(".:\n") != std::string_view::npos ||
                                between.find("\xE3\x80\x82") != std::string_view::npos ||   // 。
                                between.find("\xEF\xBC\x9A") != std::string_view::npos;     // ：
          if (c.kind == ClaimKind::Equation && !sentence && !role.empty() && !revises(role, c.expression, before)) {
            computes_anew = false;
            break;
          }
          line_end = std::min(region_end, text.find('\n', c.value_begin));
        }
        if (!countdown_subject || whole_candidate(c) || !after_claim) after_claim = i;
      }
    }
    for (size_t i = 0; i < claims.size() && !after_claim; ++i) {
      const auto& c = claims[i];
      if (c.begin < o.body || c.value_begin >= region_end || (named && i == *named)) continue;
      if (countdown_subject) {  // the next whole candidate: its steps are not one
        if (whole_candidate(c)) after_claim = i;
        continue;
      }
      const bool restated = c.kind == ClaimKind::Equation && !role.empty() && c.expression == role;
      const bool recomputed =
          c.kind == ClaimKind::Equation && o.behaviour != Cat::Verification && same_value(c.value, before);
      if (c.kind == ClaimKind::Conclusion || restated || recomputed) after_claim = i;
    }
    // Without a conclusion: an equation that computes the subject's quantity another way
    // (a number read again, another operation: "27+8 = 35. Wait, ... 27+9 = 36"), not
    // one that gives back a number the text started from (a check by the inverse
    // operation: "682 − 450 = 232, 232 ÷ 4 = 58").
    for (size_t i = 0; i < claims.size() && !after_claim && !countdown_subject; ++i) {
      const auto& c = claims[i];
      if (c.kind == ClaimKind::Equation && c.begin >= o.body && c.value_begin < region_end &&
          revises(role, c.expression, before) && !operand_before(claims, i))
        after_claim = i;
    }
    // settled: where the value after has been said (the model's answer is forced there);
    // an <answer> is the text's own answer: the thinking's end.
    std::string after;
    size_t after_pos = region_end;
    e.settled = region_end;
    if (after_claim) {
      after = claims[*after_claim].value;
      after_pos = claims[*after_claim].begin;
      e.settled = claims[*after_claim].kind == ClaimKind::Answer ? std::min(after_pos, think_end) : claims[*after_claim].end;
      if (judged.roles[*after_claim].empty()) judged.roles[*after_claim] = role;  // it concludes the subject's role
    } else if (o.behaviour != Cat::Verification) {
      for (size_t i = 0; i < claims.size(); ++i) {
        const auto& c = claims[i];
        if (c.begin < o.body || (named && i == *named) || c.kind == ClaimKind::Retraction) continue;
        after = c.kind == ClaimKind::Equation ? first_operand(text, c) : c.value;
        after_pos = c.begin;
        e.settled = c.kind == ClaimKind::Answer ? std::min(c.begin, think_end)
                    : c.kind == ClaimKind::Equation ? (number_at(text, c.begin) ? number_at(text, c.begin)->end : c.end)
                                                    : c.end;
        break;
      }
    }
    e.after = after;

    // Checked: a computation before the conclusion, other than the subject restated.
    for (size_t i = 0; i < claims.size(); ++i) {
      const auto& c = claims[i];
      if (c.kind != ClaimKind::Equation || c.begin < o.body || c.begin >= after_pos) continue;
      if (c.expression == role && same_value(c.value, before) && !c.worked) continue;
      e.checked = true;
      break;
    }
    // A conclusion that is itself a computation: "= 760 + 142 = 902", or another way to the value.
    if (after_claim && !claims[*after_claim].expression.empty() &&
        (claims[*after_claim].worked || claims[*after_claim].expression != role))
      e.checked = true;

    bool changed = !after.empty() && !same_value(after, before);
    // The role of the running answer (docs/REFLECTION.md) where the event computes
    // something else in the subject's place, where the subject was stated without an
    // expression, or where it is a candidate expression (Countdown): right when it leads
    // to the right final answer.
    const Claim* then = after_claim ? &claims[*after_claim] : nullptr;
    const bool candidate_expression = countdown_subject && then && whole_candidate(*then);
    // Countdown's candidates all reach the target: what changes is the expression.
    if (candidate_expression && then && !then->expression.empty() && !role.empty()) changed = then->expression != role;
    const bool running = judge && (candidate_expression || role.empty() || (computes_anew && then) ||
                                   (then && !then->expression.empty() && then->expression != role));
    auto subject_right = !running ? judged.right(before, role, o.first.begin)
                                  : judged.leads_right(then ? *after_claim : *subject, before, role);
    if (running && !subject_right) {
      // The final answer does not hang on it: an arithmetic slip is judged as arithmetic,
      // anything else as a final answer.
      subject_right = judged.right(before, role, o.first.begin);
      if (subject_right != false) subject_right = judge(before, role);
    }
    if (!running) e.role = role;
    if (!changed) {
      e.outcome = !e.checked ? Out::Ritual : subject_right == false ? Out::Miss : Out::Confirm;
      continue;
    }
    auto after_right = running && then ? judged.leads_right(*after_claim, after, then->expression)
                                       : judged.right(after, running ? std::string_view() : role, after_pos);
    if (running && then && !after_right)  // as the subject: a slip corrected is judged as arithmetic
      after_right = judged.right(before, role, o.first.begin) == false ? judged.right(after, then->expression, after_pos)
                                                                       : judge(after, then->expression);
    if (after_right == true) e.outcome = subject_right == true ? Out::Confirm : Out::Fix;
    else if (after_right == false) e.outcome = subject_right == true ? Out::Break : Out::Miss;
  }
  return events;
}

namespace {
bool agrees(Out text, Out model) {
  return model != Out::None && (model == text || (text == Out::Ritual && (model == Out::Confirm || model == Out::Miss)));
}
}  // namespace

bool ReflectionEvent::model_agrees() const { return agrees(outcome, model); }

ReflectionOutcome model_verdict(std::optional<bool> before_right, std::optional<bool> after_right) {
  if (!before_right || !after_right) return Out::None;
  if (*before_right) return *after_right ? Out::Confirm : Out::Break;
  return *after_right ? Out::Fix : Out::Miss;
}

EventCounts count_events(const std::vector<ReflectionEvent>& events) {
  EventCounts c;
  for (const auto& e : events) {
    ++c.behaviour[static_cast<int>(e.behaviour)];
    ++c.outcome[static_cast<int>(e.outcome)];
    ++c.model[static_cast<int>(e.model)];
    c.agree += e.model_agrees();
  }
  return c;
}

int EventCounts::behaviour_bits() const {
  int bits = 0;
  for (int i = 0; i < kReflectionCategories; ++i) bits |= behaviour[i] > 0 ? 1 << i : 0;
  return bits;
}

int EventCounts::outcome_bits() const {
  int bits = 0;
  for (int i = 0; i < kReflectionOutcomes; ++i) bits |= outcome[i] > 0 ? 1 << i : 0;
  return bits;
}

namespace {

template <size_t N>
int index_of(std::string_view name, const std::array<std::string_view, N>& names) {
  for (size_t i = 0; i < N; ++i)
    if (name == names[i]) return static_cast<int>(i);
  return -1;
}

// The names once, as views: the per-step metrics count the events of every sample.
const std::array<std::string_view, kReflectionCategories>& behaviour_names() {
  static const auto n = [] {
    std::array<std::string_view, kReflectionCategories> n;
    for (int i = 0; i < kReflectionCategories; ++i) n[i] = to_string(static_cast<Cat>(i));
    return n;
  }();
  return n;
}
const std::array<std::string_view, kReflectionOutcomes>& outcome_names() {
  static const auto n = [] {
    std::array<std::string_view, kReflectionOutcomes> n;
    for (int i = 0; i < kReflectionOutcomes; ++i) n[i] = to_string(static_cast<Out>(i));
    return n;
  }();
  return n;
}

// The end of the JSON string that opens at `at` (its closing quote), escapes skipped.
size_t string_end(std::string_view json, size_t at) {
  for (size_t p = at + 1; p < json.size(); ++p) {
    if (json[p] == '\\') ++p;
    else if (json[p] == '"') return p;
  }
  return json.size();
}

}  // namespace

EventCounts count_events_json(std::string_view json) {
  EventCounts c;
  const size_t first = json.find_first_not_of(" [");
  if (first != std::string_view::npos && json[first] == '{') {  // objects: stored before the rows form
    auto count = [&](std::string_view key, const auto& names, auto& into) {
      for (size_t at = json.find(key); at != std::string_view::npos; at = json.find(key, at + key.size())) {
        const size_t from = at + key.size();
        if (const int i = index_of(json.substr(from, json.find('"', from) - from), names); i >= 0) ++into[i];
      }
    };
    count("\"behaviour\":\"", behaviour_names(), c.behaviour);
    count("\"outcome\":\"", outcome_names(), c.outcome);
    return c;
  }
  // Rows [begin,end,"behaviour","outcome","before","after"(,"model")]: a row's first,
  // second and fifth strings.
  int strings_in_row = 0, text_outcome = -1;
  for (size_t p = 0; p < json.size(); ++p) {
    if (json[p] == '[') {
      strings_in_row = 0;
    } else if (json[p] == '"') {
      const size_t e = string_end(json, p);
      const auto text = json.substr(p + 1, e - p - 1);
      if (strings_in_row == 0) {
        if (const int i = index_of(text, behaviour_names()); i >= 0) ++c.behaviour[i];
      } else if (strings_in_row == 1) {
        text_outcome = index_of(text, outcome_names());
        if (text_outcome >= 0) ++c.outcome[text_outcome];
      } else if (strings_in_row == 4) {
        if (const int i = index_of(text, outcome_names()); i > 0)
          ++c.model[i], c.agree += text_outcome >= 0 && agrees(static_cast<Out>(text_outcome), static_cast<Out>(i));
      }
      ++strings_in_row;
      p = e;
    }
  }
  c.model[0] = std::accumulate(c.behaviour.begin(), c.behaviour.end(), 0) -
               std::accumulate(c.model.begin() + 1, c.model.end(), 0);
  return c;
}

std::string events_to_json(const std::vector<ReflectionEvent>& events) {
  // Written directly (no JSON document per sample: an import writes a million of them),
  // as rows rather than objects: the keys were half of a run database's event bytes.
  std::string out = "[";
  out.reserve(48 * events.size() + 2);
  for (size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    if (i) out += ',';
    out.append("[").append(std::to_string(e.begin)).append(",").append(std::to_string(e.end));
    out.append(",\"").append(to_string(e.behaviour)).append("\",\"").append(to_string(e.outcome));
    out.append("\",");
    append_json_string(out, e.before);
    out += ',';
    append_json_string(out, e.after);
    if (e.model != Out::None) {
      out.append(",\"").append(to_string(e.model)).append("\",");
      append_json_string(out, e.model_before);
      out += ',';
      append_json_string(out, e.model_after);
    }
    out += ']';
  }
  out += ']';
  return out;
}

std::vector<ReflectionEvent> events_from_json(std::string_view json) {
  std::vector<ReflectionEvent> out;
  const auto j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_array()) return out;
  try {
    for (const auto& x : j) {
      ReflectionEvent e;
      if (x.is_array()) {  // [begin, end, behaviour, outcome, before, after]
        e.begin = x.at(0).get<size_t>();
        e.end = x.at(1).get<size_t>();
        e.behaviour = reflection_category_from_string(x.at(2).get<std::string>());
        e.outcome = reflection_outcome_from_string(x.at(3).get<std::string>());
        e.before = x.at(4).get<std::string>();
        e.after = x.at(5).get<std::string>();
        if (x.size() > 6) e.model = reflection_outcome_from_string(x.at(6).get<std::string>());
        if (x.size() > 8) e.model_before = x.at(7).get<std::string>(), e.model_after = x.at(8).get<std::string>();
      } else {  // an object: the form stored before
        e.begin = x.at("begin").get<size_t>();
        e.end = x.at("end").get<size_t>();
        e.behaviour = reflection_category_from_string(x.at("behaviour").get<std::string>());
        e.outcome = reflection_outcome_from_string(x.at("outcome").get<std::string>());
        e.before = x.value("before", "");
        e.after = x.value("after", "");
      }
      out.push_back(std::move(e));
    }
  } catch (const std::exception&) {
    return {};
  }
  return out;
}

}  // namespace aha
