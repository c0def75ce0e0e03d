#pragma once
// The reflection lexicon: the phrases that open a reflection event, each with its
// behaviour (after Gandhi et al. 2025, "Cognitive Behaviors that Enable Self-Improving
// Reasoners") and the context rules that keep everyday uses out ("check the box", "wait
// time", "the first prize"), and the matcher that finds them in a text. Torch-free.
#include <string>
#include <string_view>
#include <vector>

#include "core/analysis/prefix_index.h"

namespace aha {

// What a reflection does (docs/REFLECTION.md): checks a stated result, doubts or drops it,
// sets an intermediate goal, reasons back from the goal, or starts over.
enum class ReflectionCategory { Verification, Backtracking, Subgoal, BackwardChaining, Restart };
const char* to_string(ReflectionCategory c);
ReflectionCategory reflection_category_from_string(const std::string& s);  // throws on unknown
constexpr int kReflectionCategories = 5;

// One phrase of the lexicon. Matching ignores ASCII case and, for phrases that begin or
// end with a letter or digit, requires a word boundary there. Context lists hold literal
// strings plus two marks: "#" is a digit (after optional spaces and a currency sign),
// "^" (preceded_by only) is the start of a line or of the text. A match counts when some
// preceded_by entry matches (or the list is empty), some followed_by entry matches (or it
// is empty), and no not_followed_by or not_preceded_by entry matches ("the 20-minute
// wait", "Mr. Hmm": the word in its everyday sense).
struct LexiconEntry {
  std::string phrase;
  ReflectionCategory category = ReflectionCategory::Backtracking;
  std::vector<std::string> preceded_by, followed_by, not_followed_by, not_preceded_by;
};

// English and Chinese phrases with the context rules that keep near misses out.
std::vector<LexiconEntry> default_reflection_lexicon();

// A phrase found in a text, in bytes of that text.
struct PhraseHit {
  size_t begin = 0, end = 0;
  ReflectionCategory category = ReflectionCategory::Verification;
};

class PhraseMatcher {
 public:
  explicit PhraseMatcher(std::vector<LexiconEntry> lexicon);  // throws on an empty phrase
  // The phrases in `lowered` (the text with ASCII lower-cased), in order, without
  // overlaps: of overlapping matches ("double-check" and "check") the earliest, longest.
  std::vector<PhraseHit> find(std::string_view lowered) const;

 private:
  std::vector<LexiconEntry> lexicon_;
  // Entries by the first two bytes of their phrase: one pass over the text finds every
  // phrase (a find() per phrase scanned each text ~100 times), testing at each position
  // only the phrases that start with its bytes.
  PrefixIndex index_;
};

std::string lower_ascii(std::string_view s);

}  // namespace aha
