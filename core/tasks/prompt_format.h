#pragma once
// How a problem becomes the prompt text: the prompt template (a string with {question},
// or the named "r1-zero" one), optionally wrapped in a chat template (ChatML for Qwen
// checkpoints). Torch-free.
#include <string>
#include <vector>

#include "core/tasks/task.h"
#include "core/text/tokenizer.h"

namespace aha {

struct PromptFormat {
  std::string prompt_template = "{question}<think>";
  std::string chat_template = "none";  // none | chatml
  std::string system_prompt;           // chatml only; empty = the R1-Zero instruction

  std::string render(const Problem& p) const;
  // Whether the prompt already opens <think> (the completion then starts inside it).
  bool opens_think() const;
  // Ids that end a completion: end of sequence, </answer> and the chat's end-of-turn
  // when each is one token of `tok`.
  std::vector<int> stop_ids(const Tokenizer& tok) const;
  // The stop that must be matched as text: "</answer>" when `tok` has no single token
  // for it (byte-level BPE), else empty.
  std::string stop_text(const Tokenizer& tok) const;
  // Empty when `tok` can encode this format; otherwise what to change.
  std::string check_tokenizer(const Tokenizer& tok) const;
};

// The plain R1-Zero instruction, and the full "r1-zero" prompt template.
extern const char* const kR1ZeroInstruction;
std::string r1_zero_template();

// Expands "{question}" in the template ("r1-zero" names the built-in one).
std::string render_prompt(const std::string& prompt_template, const Problem& p);

}  // namespace aha
