#pragma once
// How much of a text a model reproduces (the contamination check, core/rl/contamination.h;
// Wu et al. 2025, "Reasoning or Memorization?", arXiv 2507.10532): ROUGE-L and exact match
// of a continuation against the original rest of a text. Torch-free.
#include <string>
#include <string_view>
#include <vector>

namespace aha {

// The units texts are compared in: runs of letters (any script's, by UTF-8 lead bytes),
// each digit alone and each other non-blank character alone, so that "347+285=" is eight
// units and a number half right counts half.
std::vector<std::string> overlap_units(std::string_view text);

// ROUGE-L: the F1 of the longest common subsequence of the two texts' units (precision
// over the candidate's, recall over the reference's); 1 when both are empty.
double rouge_l(std::string_view reference, std::string_view candidate);

// The candidate starts with every unit of the reference, in order (blanks aside).
bool exact_continuation(std::string_view reference, std::string_view candidate);

}  // namespace aha
