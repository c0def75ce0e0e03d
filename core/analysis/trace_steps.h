#pragma once
// A chain of thought cut into steps, the units an anchor map (docs/ANCHORS.md) resamples:
// sentences, and in equation-style text ("879+457=1236 check 9+7=16 7+5+1=13 so 1336")
// each equation and each clause opened by a connective after a number. Two steps are the
// same when they state the same numbers and mostly the same words. Torch-free.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace aha {

struct TraceStep {
  size_t begin = 0, end = 0;  // bytes of the text, end exclusive; trailing blanks included
};

// The steps of the thinking part of `text` (up to its first "</think>" or "<answer>"),
// covering it without gaps. A step ends after . ! ? (before a blank or the end), 。！？；
// or a line break; a new one starts at an equation ("=" after a word's first character)
// after a word ending in a Latin letter, a digit or ")", unless that word is a connective
// ("check 9+7=16" is one step), and at a connective (check,
// so, wait, but, therefore, thus, hence, hmm, alternatively, verify) after a word ending
// in a digit or ")".
std::vector<TraceStep> trace_steps(std::string_view text);

// Where the thinking part of `text` ends (its first "</think>" or "<answer>", else its end).
size_t thinking_end(std::string_view text);

// "Differs in meaning", as anchor maps use it: false when both state the same numbers
// (as a multiset, "2,327" read as 2327) and their words and operators overlap by at least
// half (Jaccard of the sets; letters lowercased, each non-ASCII character a word).
bool same_step(std::string_view a, std::string_view b);

// The first step of a text (all of it when it has no step break); its thinking part only.
std::string_view first_step(std::string_view text);

}  // namespace aha
