#pragma once
// Correctness from a stored reference alone, for samples another engine scored: a run
// imported from veRL or TRL keeps the problem only as its ground truth text.
#include <string_view>

#include "core/analysis/answer_trajectory.h"

namespace aha {

// A Countdown ground truth as veRL and our launch scripts write it, JSON
// {"nums": [...], "target": N} ("numbers" is read too), judges an equation with those
// numbers, each at most once; any other reference is compared as an answer
// (answers_match: numbers within 1e-6, else text). Empty reference: no judge.
AnswerJudge reference_judge(std::string_view reference);

}  // namespace aha
