#pragma once
// Reflection events and their outcomes (docs/REFLECTION.md): each phrase of the lexicon
// opens an event with its behaviour; the answer trajectory around it says what the event
// did to the value it turned to: fixed it (wrong becomes right: the real aha), broke it,
// missed the error, confirmed a right value by a real check, or announced an error or a
// check and changed nothing (a ritual). Torch-free, Qt-free.
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/analysis/answer_trajectory.h"
#include "core/analysis/reflection_lexicon.h"

namespace aha {

enum class ReflectionOutcome { None, Confirm, Fix, Break, Miss, Ritual };
constexpr int kReflectionOutcomes = 6;
const char* to_string(ReflectionOutcome o);
ReflectionOutcome reflection_outcome_from_string(const std::string& s);  // throws on unknown

struct ReflectionEvent {
  size_t begin = 0, end = 0;  // the opening phrase (bytes; characters once stored)
  ReflectionCategory behaviour = ReflectionCategory::Verification;
  ReflectionOutcome outcome = ReflectionOutcome::None;  // the text's verdict
  std::string before, after;  // the subject and the value after, as written ("" = none)
  bool checked = false;       // a computation was carried out before the event concluded
  size_t settled = 0;  // where the event has said its value after (as begin/end); not stored
  // The role its values were judged in: the expression they claim to equal, or empty for
  // the problem's final answer (docs/REFLECTION.md); not stored.
  std::string role;
  // The model's verdict (early answering: its forced answer just before the event and
  // just after it, judged by the task): None until judged; and those two answers.
  ReflectionOutcome model = ReflectionOutcome::None;
  std::string model_before, model_after;
  // Whether the model's verdict is the text's: the same outcome, or for a ritual (which
  // changes nothing) an answer that did not change either.
  bool model_agrees() const;
};

// The model's verdict from its two forced answers: wrong then right is a fix, right then
// wrong a break, right twice a confirm, wrong twice a miss; None when either is unknown.
ReflectionOutcome model_verdict(std::optional<bool> before_right, std::optional<bool> after_right);

// Events of `text` from its phrases, in order. `judge` tells whether a value is the right
// final answer (empty: unknown), for values stated in that role.
std::vector<ReflectionEvent> reflection_events(std::string_view text, const std::vector<PhraseHit>& phrases,
                                               const AnswerTrajectory& trajectory, const AnswerJudge& judge);

// Events per behaviour and per outcome, as a completion's counts.
struct EventCounts {
  std::array<int, kReflectionCategories> behaviour{};
  std::array<int, kReflectionOutcomes> outcome{};
  std::array<int, kReflectionOutcomes> model{};  // the model's verdicts (None: not judged)
  int agree = 0;  // events the model judged whose verdict is the text's
  int of(ReflectionCategory c) const { return behaviour[static_cast<int>(c)]; }
  int of(ReflectionOutcome o) const { return outcome[static_cast<int>(o)]; }
  int of_model(ReflectionOutcome o) const { return model[static_cast<int>(o)]; }
  int behaviour_bits() const;  // bit i: some event of behaviour i
  int outcome_bits() const;    // bit i: some event of outcome i
};
EventCounts count_events(const std::vector<ReflectionEvent>& events);
// The same counts read from a stored events text (either form) without building the
// events (the per-step metrics of an import count a million samples' events).
EventCounts count_events_json(std::string_view json);

// One row per event, [begin,end,"behaviour","outcome","before","after"] and, once the
// model has judged it, its verdict and its two forced answers after them; offsets in characters: the form
// the run store keeps; and back (reading the objects {"begin":..,"end":..,"behaviour":..,
// ...} that databases before it hold, too).
std::string events_to_json(const std::vector<ReflectionEvent>& events);
std::vector<ReflectionEvent> events_from_json(std::string_view json);  // empty on bad input

}  // namespace aha
