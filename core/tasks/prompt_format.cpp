#include "core/tasks/prompt_format.h"

namespace aha {

const char* const kR1ZeroInstruction =
    "The user asks a question and the assistant answers it. The assistant reasons step by "
    "step first, inside <think> </think>, and then gives only the final answer inside "
    "<answer> </answer>, for example <think> reasoning </think> <answer> 42 </answer>.";

std::string r1_zero_template() {
  return std::string(kR1ZeroInstruction) + "\nUser: {question}\nAssistant: <think>";
}

std::string render_prompt(const std::string& tmpl, const Problem& p) {
  std::string out = tmpl == "r1-zero" ? r1_zero_template() : tmpl;
  const std::string key = "{question}";
  for (size_t pos = out.find(key); pos != std::string::npos; pos = out.find(key, pos + p.question.size()))
    out.replace(pos, key.size(), p.question);
  return out;
}

std::string PromptFormat::render(const Problem& p) const {
  const std::string body = render_prompt(prompt_template, p);
  if (chat_template != "chatml") return body;
  // The assistant turn is opened and starts thinking, as R1-Zero prompts do.
  return "<|im_start|>system\n" + (system_prompt.empty() ? std::string(kR1ZeroInstruction) : system_prompt) +
         "<|im_end|>\n<|im_start|>user\n" + body + "<|im_end|>\n<|im_start|>assistant\n<think>";
}

bool PromptFormat::opens_think() const {
  const Problem probe{"?", "", {}, 0};
  const std::string text = render(probe);
  const std::string tag = "<think>";
  return text.size() >= tag.size() && text.compare(text.size() - tag.size(), tag.size(), tag) == 0;
}

std::vector<int> PromptFormat::stop_ids(const Tokenizer& tok) const {
  std::vector<int> ids = {tok.eos_id()};
  for (const char* t : {"</answer>", "<|im_end|>", "<|endoftext|>"})
    if (auto id = tok.token_id(t); id && *id != tok.eos_id()) ids.push_back(*id);
  return ids;
}

std::string PromptFormat::stop_text(const Tokenizer& tok) const {
  return tok.token_id("</answer>") ? std::string() : std::string("</answer>");
}

std::string PromptFormat::check_tokenizer(const Tokenizer& tok) const {
  if (chat_template == "chatml" && !tok.token_id("<|im_start|>"))
    return "chat_template = \"chatml\" needs a tokenizer with <|im_start|> (Qwen); this one has none, "
           "use chat_template = \"none\"";
  return {};
}

}  // namespace aha
