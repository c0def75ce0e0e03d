#pragma once
// The answer trajectory of a completion: every value it states, in order, with its span
// and its kind: the result of an equation ("761+853=1594", a column fact "7+8+1=16"), a
// conclusion ("so 1614", "the answer is 47", "所以是1692"), a retraction ("622 was wrong",
// "not 7.40", "不是2010") or the final answer (<answer>, \boxed{}). An equation says
// whether it holds; a conclusion or answer is a candidate for the final answer, right or
// wrong against the reference when one is known. Torch-free, Qt-free.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace aha {

enum class ClaimKind { Equation, Conclusion, Retraction, Answer };
const char* to_string(ClaimKind k);

struct Claim {
  ClaimKind kind = ClaimKind::Equation;
  size_t begin = 0, end = 0;  // bytes of the text: the whole claim
  size_t value_begin = 0;     // bytes: where its value is written
  std::string value;          // as written: "1614", "9.8", "1/2"
  std::string expression;     // an equation's left side, spaces removed ("761+853")
  std::optional<bool> holds;  // an equation: whether every side evaluates to the value
  std::optional<bool> right;  // a candidate against the reference (when known)
  bool worked = false;        // an equation with steps between ("38 × 24 = 760 + 142 = 902")
  bool candidate() const { return kind == ClaimKind::Conclusion || kind == ClaimKind::Answer; }
};

struct AnswerTrajectory {
  std::vector<Claim> claims;  // in text order
  // The running final-answer candidate just before byte `pos`: the last conclusion or
  // answer, else the last equation's result; nothing before any value.
  const Claim* candidate_before(size_t pos) const;
  const Claim* final_answer() const;  // the <answer> (or the last \boxed{})
};

// Judges a final-answer candidate against the problem's reference: true, false, or
// nothing when there is no reference. It is given the candidate's value as written and,
// when the text stated it as an expression ("So 25 + 19 + 3 = 47", an <answer> of
// "25 + 19 + 3"), that expression without spaces (else empty): a numeric reference
// judges the value; Countdown judges the expression by its rule, and says so
// (expressions_are_candidates), so that a stated expression is never judged in its own
// role ("25 + 25 - 3 = 47" holds, and breaks the rule).
class AnswerJudge {
 public:
  using Fn = std::function<std::optional<bool>(std::string_view value, std::string_view expression)>;
  AnswerJudge() = default;
  template <class F, class = std::enable_if_t<std::is_invocable_r_v<std::optional<bool>, F, std::string_view, std::string_view>>>
  AnswerJudge(F fn, bool expressions_are_candidates = false)  // NOLINT: a lambda is a judge
      : fn_(std::move(fn)), expressions_(expressions_are_candidates) {}
  std::optional<bool> operator()(std::string_view value, std::string_view expression = {}) const {
    return fn_ ? fn_(value, expression) : std::nullopt;
  }
  explicit operator bool() const { return static_cast<bool>(fn_); }
  bool expressions_are_candidates() const { return expressions_; }

 private:
  Fn fn_;
  bool expressions_ = false;
};

// The numeric judge: the reference parsed as a number ("1,060", "7.2", "1/2"); nothing
// when it is not one.
AnswerJudge numeric_judge(std::string_view reference);

// `lowered`: the text with ASCII lower-cased, when the caller has it already.
AnswerTrajectory answer_trajectory(std::string_view text, const AnswerJudge& judge = {}, std::string_view lowered = {});

}  // namespace aha
