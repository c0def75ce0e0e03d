#pragma once
// The per-step metrics that follow from a step's samples alone (reward, accuracy,
// lengths, aha rates, ...), named as TRL logs them. One definition for local runs and
// imported ones, so that both plot the same quantity under the same name. Torch-free.
#include <string>
#include <utility>
#include <vector>

#include "core/analysis/reflection.h"
#include "db/run_sink.h"

namespace aha {

// What a sample keeps of its analysis: score, spans, events with their bits, real aha.
void record_reflection(const Reflection& r, SampleRecord& s);

// `samples` carry group_index (the GRPO group); `reward_functions` names the order of
// the rewards/<name>/mean entries (every sample's per-function rewards use these names).
// Reflection metrics (docs/REFLECTION.md): reflection/<behaviour>_per_response, the
// events of each behaviour per completion; reflection/share_<outcome>, each outcome's
// share of the events that have one; reflection/<outcome>_rate, the share of completions
// with such an event (for a fix: real_aha_rate); accuracy/with_reflection and
// accuracy/without_reflection within the groups that have both (absent without such a
// group); completions/mean_length_{correct,incorrect,truncated} (absent when none);
// completions/mean_terminated_length (TRL's: completions that ended, absent when none);
// pass@group, the share of prompts with at least one right completion among their group
// (pass@G for free during training).
std::vector<std::pair<std::string, double>> sample_metrics(const std::vector<SampleRecord>& samples,
                                                           const std::vector<std::string>& reward_functions);
// The part of sample_metrics that follows from the reflection analysis: aha_rate,
// real_aha_rate, reflection/*, accuracy/with(out)_reflection, lengths by result.
std::vector<std::pair<std::string, double>> reflection_step_metrics(const std::vector<SampleRecord>& samples);
// The token lens's metrics (core/analysis/token_lens.h) over the samples that kept their
// tokens; none when no sample did (imported runs).
std::vector<std::pair<std::string, double>> token_lens_step_metrics(const std::vector<SampleRecord>& samples);

// The aha quality: for each outcome of reflection (fix, confirm, miss, break, ritual),
// the share of a step's completions with an event of it; "aha_quality" names the set in
// the dashboard, figures and `aha export csv`.
inline constexpr const char* kAhaQuality = "aha_quality";
struct OutcomeSeries {
  const char* outcome;
  const char* metric;
};
const std::vector<OutcomeSeries>& aha_quality_series();

}  // namespace aha
