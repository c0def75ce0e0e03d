#include "core/analysis/reflection_lexicon.h"

#include <algorithm>
#include <functional>
#include <stdexcept>

namespace aha {
namespace {

using Cat = ReflectionCategory;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_word(char c) {  // ASCII letters and digits (std::isalnum in the C locale, without the call)
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

LexiconEntry entry(std::string phrase, Cat cat, std::vector<std::string> pre = {}, std::vector<std::string> post = {},
                   std::vector<std::string> not_post = {}, std::vector<std::string> not_pre = {}) {
  return {std::move(phrase), cat, std::move(pre), std::move(post), std::move(not_post), std::move(not_pre)};
}

// Whether `ctx` is written at `pos`: the first byte decides most cases without a memcmp.
bool written_at(std::string_view text, size_t pos, std::string_view ctx) {
  return pos <= text.size() && text.size() - pos >= ctx.size() && (ctx.empty() || text[pos] == ctx[0]) &&
         text.substr(pos, ctx.size()) == ctx;
}

bool preceded(std::string_view text, size_t pos, const std::string& ctx) {
  if (ctx.size() == 1 && (ctx[0] == '^' || ctx[0] == '#')) {
    size_t p = pos;
    while (p > 0 && (text[p - 1] == ' ' || text[p - 1] == '\t')) --p;
    if (ctx[0] == '#') return p > 0 && is_digit(text[p - 1]);
    return p == 0 || text[p - 1] == '\n' || text[p - 1] == '>';
  }
  return pos >= ctx.size() && written_at(text, pos - ctx.size(), ctx);
}

bool followed(std::string_view text, size_t pos, const std::string& ctx) {
  if (ctx.size() == 1 && ctx[0] == '#') {
    size_t p = pos;
    while (p < text.size() && (text[p] == ' ' || text[p] == '$')) ++p;
    return p < text.size() && is_digit(text[p]);
  }
  if (ctx.size() == 1 && ctx[0] == '$') return pos == text.size() || text[pos] == '\n' || text[pos] == '<';
  return written_at(text, pos, ctx);
}

template <class Test>
bool any_matches(const std::vector<std::string>& list, const Test& f) {  // (a template: no std::function per call)
  return std::any_of(list.begin(), list.end(), f);
}

}  // namespace

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

const char* to_string(ReflectionCategory c) {
  switch (c) {
    case Cat::Verification: return "verification";
    case Cat::Backtracking: return "backtracking";
    case Cat::Subgoal: return "subgoal";
    case Cat::BackwardChaining: return "backward_chaining";
    case Cat::Restart: return "restart";
  }
  return "?";
}

ReflectionCategory reflection_category_from_string(const std::string& s) {
  if (s == "verification") return Cat::Verification;
  if (s == "backtracking") return Cat::Backtracking;
  if (s == "subgoal") return Cat::Subgoal;
  if (s == "backward_chaining") return Cat::BackwardChaining;
  if (s == "restart") return Cat::Restart;
  throw std::invalid_argument("unknown reflection category '" + s +
                              "' (known: verification, backtracking, subgoal, backward_chaining, restart)");
}

std::vector<LexiconEntry> default_reflection_lexicon() {
  const std::vector<std::string> starts = {"^", ". ", "! ", "? ", ", ", "... ", "… "};
  const std::vector<std::string> sentence_starts = {"^", ". ", "! ", "? ", "\n", "。", "："};
  const std::vector<std::string> checked_things = {
      "#", ":", " again", " it", " this", " that", " my ", " our ", " the answer", " the result", " the sum",
      " the calculation", " the work", " the solution", " the math", " each", " whether the answer", " by "};
  const std::vector<std::string> not_checks = {" it out", " in", " out", " the box", " your", " the weather",
                                               " the mail", " the oven", " the door", " the time"};
  // A name ("Mr. Hmm"), an article or a length before the word: a noun, not a reflection.
  const std::vector<std::string> names_and_nouns = {"mr. ", "mrs. ", "ms. ", "dr. ", "miss ", "the ", "a ", "-minute ",
                                                    "-hour ", "-second ", "-day ", "minute ", "hour ", "long ", "short ",
                                                    "his ", "her ", "their ", "our ", "your ", "of "};
  // After "Hmm": a pause of thought, not a name at the head of a sentence ("Hmm the cat").
  const std::vector<std::string> after_hmm = {",", ".", "…", "!", "?", " -", " —", " so", " wait", " let", " that",
                                              " this", " i ", " i'", " maybe", " no", " but", " actually", " ok",
                                              " hold", " now", " the answer", " the result", " the sum", " is", " $"};
  // After 检查一下 / 换一种方法: what is checked or how; "检查一下作业" is a story's chore.
  const std::vector<std::string> zh_checked = {"：", ":", "，", ",", "。", "答案", "结果", "计算", "这个", "上面", "前面",
                                               "刚才", "一下", "每", "第", "$"};
  return {
      // Verification: checking a result, not a box.
      entry("check", Cat::Verification, {"let me ", "let's ", "let us ", "i'll ", "i will ", "i should ", "we can ", "now "},
            {}, not_checks),
      entry("check", Cat::Verification, {}, checked_things, not_checks),
      entry("double-check", Cat::Verification), entry("double check", Cat::Verification),
      entry("double-checking", Cat::Verification), entry("rechecking", Cat::Verification),
      entry("确认一下", Cat::Verification), entry("再算一遍", Cat::Verification), entry("再验证", Cat::Verification),
      entry("re-check", Cat::Verification), entry("recheck", Cat::Verification),
      entry("sanity check", Cat::Verification),
      entry("verify", Cat::Verification, {"let me ", "let's ", "let us ", "to ", "i'll ", "i will ", "we can ", "now "}, {},
            {" your", " the email", " the identity", " account", " their", " his ", " her ", " its ", " email",
             " my email", " the phone", " identity", " age"}),
      entry("verify", Cat::Verification, {}, {":", " the answer", " the result", " this", " that"}),
      entry("re-read", Cat::Verification, {"let me ", "let's ", "i'll "}), entry("reread", Cat::Verification, {"let me ", "let's ", "i'll "}),
      entry("verifying", Cat::Verification, {}, {":", "#", " the answer", " the result", " this", " that"}),
      entry("checking", Cat::Verification, {}, {":", "#", " the answer", " the result", " again", " my ", " our "}),
      entry("recompute", Cat::Verification, {"let me ", "let's ", "i'll ", "i will "}),
      entry("recalculate", Cat::Verification, {"let me ", "let's ", "i'll ", "i will "}),
      entry("let me confirm", Cat::Verification), entry("let's confirm", Cat::Verification),
      entry("plugging back", Cat::Verification), entry("plug it back", Cat::Verification),
      entry("plugging it back", Cat::Verification), entry("substituting back", Cat::Verification),
      entry("让我检查", Cat::Verification), entry("检查一下", Cat::Verification, {}, zh_checked),
      entry("再检查", Cat::Verification),
      entry("验证一下", Cat::Verification), entry("让我验证", Cat::Verification),
      entry("验算", Cat::Verification, {}, {}, {"#"}),  // "验算 2 分钟": the time a story spends on it
      entry("重新检查", Cat::Verification), entry("核对一下", Cat::Verification),
      // Backtracking: stopping and doubting what was just said.
      entry("wait", Cat::Backtracking, {}, {",", " a moment", " a second", " a minute", "...", "…", " -", " —"}, {},
            names_and_nouns),
      entry("wait", Cat::Backtracking, starts, {".", "!", " no", " that", " this", " i ", " let", " what", " actually", " hmm"}),
      entry("hmm", Cat::Backtracking, {}, after_hmm, {}, names_and_nouns),
      entry("hmmm", Cat::Backtracking, {}, after_hmm, {}, names_and_nouns),
      entry("hold on", Cat::Backtracking, {}, {",", ".", "!", " -", " —", " a second", " a moment"}),
      entry("made an error", Cat::Backtracking), entry("doesn't seem right", Cat::Backtracking),
      entry("doesn't look right", Cat::Backtracking), entry("can't be right", Cat::Backtracking),
      entry("cannot be right", Cat::Backtracking), entry("messed up", Cat::Backtracking),
      entry("有问题", Cat::Backtracking, {}, {}, {"吗"}),
      entry("does not seem right", Cat::Backtracking), entry("that's not correct", Cat::Backtracking),
      entry("actually", Cat::Backtracking, starts, {","}), entry("actually", Cat::Backtracking, {"no ", "no, "}),
      entry("on second thought", Cat::Backtracking),
      entry("that's not right", Cat::Backtracking), entry("that is not right", Cat::Backtracking),
      entry("that's wrong", Cat::Backtracking), entry("that is wrong", Cat::Backtracking),
      entry("this is wrong", Cat::Backtracking), entry("that's incorrect", Cat::Backtracking),
      entry("that is incorrect", Cat::Backtracking), entry("made a mistake", Cat::Backtracking),
      entry("my mistake", Cat::Backtracking), entry("was wrong", Cat::Backtracking, {"#", "i ", "that "}),
      entry("oops", Cat::Backtracking), entry("reconsider", Cat::Backtracking), entry("re-evaluate", Cat::Backtracking),
      entry("reevaluate", Cat::Backtracking), entry("re-examine", Cat::Backtracking), entry("rethink", Cat::Backtracking),
      entry("等等", Cat::Backtracking, {"^", "。", "！", "？", "，", " ", "\n"}, {"，", ",", "！", "!", "…"}),
      // "不对的有 4 个", "判断不对的": the wrong ones of the story, not a doubt.
      entry("等一下", Cat::Backtracking), entry("不对", Cat::Backtracking, {}, {}, {"称", "劲", "的"}),
      entry("算错", Cat::Backtracking), entry("我错了", Cat::Backtracking), entry("再想想", Cat::Backtracking),
      entry("重新考虑", Cat::Backtracking), entry("重新思考", Cat::Backtracking),
      // Restart: dropping the attempt and beginning again.
      entry("start over", Cat::Restart), entry("start again", Cat::Restart), entry("begin again", Cat::Restart),
      entry("try again", Cat::Restart, {"let me ", "let's ", "let us ", "i'll ", "i will "}),
      entry("another approach", Cat::Restart), entry("different approach", Cat::Restart),
      entry("another way", Cat::Restart, {"try ", "let's try ", "let me try ", "use ", "there is "}),
      entry("let me redo", Cat::Restart), entry("let's redo", Cat::Restart),
      entry("重新计算", Cat::Restart), entry("重新开始", Cat::Restart),
      entry("换一种方法", Cat::Restart, {}, {"：", ":", "，", ",", "来", "算", "计算", "试", "解", "验", "想", "思考", "看", "做"}),
      entry("让我重新", Cat::Restart),
      entry("alternatively", Cat::Restart, sentence_starts, {","}),
      // Subgoal setting: an intermediate goal or a plan, stated before it is carried out.
      entry("first", Cat::Subgoal, starts,
            {", let's", ", let me", ", we need", ", we'll", ", we must", ", i'll", ", i need", " let's", " we need",
             " i need", ", find", ", compute", ", calculate", ", work out", ", figure out", ", determine"}),
      entry("let's first", Cat::Subgoal), entry("let me first", Cat::Subgoal), entry("we first need", Cat::Subgoal),
      entry("let's start by", Cat::Subgoal), entry("let me start by", Cat::Subgoal), entry("the goal is to", Cat::Subgoal),
      entry("our goal is", Cat::Subgoal), entry("next, let's", Cat::Subgoal), entry("next, we need", Cat::Subgoal),
      entry("we need to find", Cat::Subgoal, starts), entry("we need the", Cat::Subgoal, sentence_starts),
      entry("we need a", Cat::Subgoal, sentence_starts), entry("接下来求", Cat::Subgoal), entry("需要先求", Cat::Subgoal),
      entry("we need to first", Cat::Subgoal), entry("break this into", Cat::Subgoal),
      entry("break this down", Cat::Subgoal), entry("break it down", Cat::Subgoal),
      entry("break the problem", Cat::Subgoal), entry("break it into", Cat::Subgoal),
      // (at a sentence's start: "let me double-check step 2:" checks it)
      entry("step 1:", Cat::Subgoal, sentence_starts), entry("step 2:", Cat::Subgoal, sentence_starts),
      entry("step 3:", Cat::Subgoal, sentence_starts), entry("step 4:", Cat::Subgoal, sentence_starts),
      entry("step 5:", Cat::Subgoal, sentence_starts), entry("step 6:", Cat::Subgoal, sentence_starts),
      entry("首先，我们求", Cat::Subgoal), entry("首先，求", Cat::Subgoal), entry("首先求", Cat::Subgoal),
      entry("我们先求", Cat::Subgoal), entry("先求出", Cat::Subgoal), entry("再求", Cat::Subgoal),
      entry("第一步", Cat::Subgoal), entry("第二步", Cat::Subgoal), entry("第三步", Cat::Subgoal),
      entry("第四步", Cat::Subgoal), entry("分两步", Cat::Subgoal), entry("分几步", Cat::Subgoal),
      // Backward chaining: from the goal back to what would reach it.
      entry("working backwards", Cat::BackwardChaining), entry("working backward", Cat::BackwardChaining),
      entry("work backwards", Cat::BackwardChaining), entry("work backward", Cat::BackwardChaining),
      entry("reasoning backwards", Cat::BackwardChaining), entry("starting from the target", Cat::BackwardChaining),
      entry("start from the target", Cat::BackwardChaining), entry("反过来推", Cat::BackwardChaining),
      entry("to get", Cat::BackwardChaining, sentence_starts, {"#"}),
      entry("to reach", Cat::BackwardChaining, sentence_starts, {"#"}),
      entry("to make", Cat::BackwardChaining, sentence_starts, {"#"}),
      entry("要得到", Cat::BackwardChaining), entry("为了得到", Cat::BackwardChaining), entry("倒推", Cat::BackwardChaining),
      entry("反推", Cat::BackwardChaining), entry("要凑出", Cat::BackwardChaining),
  };
}

namespace {

std::vector<LexiconEntry> checked_and_lowered(std::vector<LexiconEntry> lexicon) {
  for (auto& e : lexicon) {
    if (e.phrase.empty()) throw std::invalid_argument("reflection lexicon: an entry has an empty phrase");
    e.phrase = lower_ascii(e.phrase);
    for (auto* list : {&e.preceded_by, &e.followed_by, &e.not_followed_by, &e.not_preceded_by})
      for (auto& s : *list) s = lower_ascii(s);
  }
  return lexicon;
}

std::vector<std::string_view> phrases_of(const std::vector<LexiconEntry>& lexicon) {
  std::vector<std::string_view> out;
  for (const auto& e : lexicon) out.push_back(e.phrase);
  return out;
}

}  // namespace

PhraseMatcher::PhraseMatcher(std::vector<LexiconEntry> lexicon)
    : lexicon_(checked_and_lowered(std::move(lexicon))), index_(phrases_of(lexicon_)) {}

std::vector<PhraseHit> PhraseMatcher::find(std::string_view t) const {
  std::vector<PhraseHit> hits;
  for (size_t p = 0; p < t.size(); ++p) {
    // Most bytes start no phrase; most others are inside a word, where a phrase that
    // starts with a letter cannot begin.
    if (!index_.may_start(t[p]) || (p > 0 && is_word(t[p - 1]) && is_word(t[p]))) continue;
    index_.for_each_match(t, p, [&](size_t index) {
      const auto& ent = lexicon_[index];
      const size_t q = p + ent.phrase.size();
      if (is_word(ent.phrase.back()) && q < t.size() && is_word(t[q])) return;
      auto pre = [&](const std::string& c) { return preceded(t, p, c); };
      auto post = [&](const std::string& c) { return followed(t, q, c); };
      if (!ent.preceded_by.empty() && !any_matches(ent.preceded_by, pre)) return;
      if (!ent.followed_by.empty() && !any_matches(ent.followed_by, post)) return;
      if (any_matches(ent.not_followed_by, post) || any_matches(ent.not_preceded_by, pre)) return;
      hits.push_back({p, q, ent.category});
    });
  }
  std::sort(hits.begin(), hits.end(),
            [](const PhraseHit& a, const PhraseHit& b) { return a.begin != b.begin ? a.begin < b.begin : a.end > b.end; });
  std::vector<PhraseHit> kept;
  for (const auto& h : hits)
    if (kept.empty() || h.begin >= kept.back().end) kept.push_back(h);
  return kept;
}

}  // namespace aha
