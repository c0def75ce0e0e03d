#pragma once
// The reflection ("aha") detector: finds where a chain of thought stops, checks itself,
// backtracks or restarts, and whether a stated value was revised. A lexicon of phrases
// with context rules (so "wait time" and "check the box" are not reflection) plus
// structural signals read from the numbers around each phrase. Torch-free, Qt-free.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace aha {

enum class ReflectionCategory { Verification, Backtracking, Restart };
const char* to_string(ReflectionCategory c);
ReflectionCategory reflection_category_from_string(const std::string& s);  // throws on unknown

// One phrase of the lexicon. Matching ignores ASCII case and, for phrases that begin or
// end with a letter or digit, requires a word boundary there. Context lists hold literal
// strings plus two marks: "#" is a digit (after optional spaces), "^" (preceded_by only)
// is the start of a line or of the text. A match counts when some preceded_by entry
// matches (or the list is empty), some followed_by entry matches (or it is empty), and
// no not_followed_by entry matches.
struct LexiconEntry {
  std::string phrase;
  ReflectionCategory category = ReflectionCategory::Backtracking;
  std::vector<std::string> preceded_by, followed_by, not_followed_by;
};

// English and Chinese phrases with the context rules that keep near misses out.
std::vector<LexiconEntry> default_reflection_lexicon();

// Offsets are in characters (Unicode code points) of the analysed text, end exclusive.
struct ReflectionSpan {
  int begin = 0, end = 0;
  ReflectionCategory category = ReflectionCategory::Verification;
};

// A value stated before a reflective phrase and a different one concluded after it.
struct Revision {
  std::string from, to;
};

struct Reflection {
  double score = 0;  // 0 = none; rises towards 1 with more and stronger signals
  std::vector<ReflectionSpan> spans;
  std::vector<Revision> revisions;
  std::string first_answer;  // the first answer the trace states, when it states one early
  bool language_mixing = false;
  bool reflective() const { return !spans.empty(); }
  bool revised() const { return !revisions.empty(); }
};

class ReflectionDetector {
 public:
  explicit ReflectionDetector(std::vector<LexiconEntry> lexicon = default_reflection_lexicon());
  // `final_answer` (the <answer> content) lets the detector notice a trace whose final
  // answer differs from the first answer it stated.
  Reflection analyse(std::string_view text, std::string_view final_answer = {}) const;

 private:
  std::vector<LexiconEntry> lexicon_;
  // Entries by the first byte of their phrase: one pass over the text finds every
  // phrase (a find() per phrase scanned each text ~100 times).
  std::vector<std::vector<int>> by_first_byte_;
};

// The "real aha": a revision that ends in a right final answer, and did not start from a
// first answer that was already right.
bool is_real_aha(const Reflection& r, bool final_correct, const std::function<bool(std::string_view)>& is_correct);

// Several writing systems in one trace (R1-Zero's language mixing); single letters and
// common math names (x, sin, log) do not count as a language.
bool has_language_mixing(std::string_view text);

// [{"begin":..,"end":..,"category":".."}], the form the run store keeps.
std::string spans_to_json(const std::vector<ReflectionSpan>& spans);

}  // namespace aha
