#include "core/analysis/trace_steps.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>

namespace aha {

namespace {

bool blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool digit(char c) { return c >= '0' && c <= '9'; }

constexpr std::array<std::string_view, 4> kWideEnds = {"\xE3\x80\x82", "\xEF\xBC\x81", "\xEF\xBC\x9F", "\xEF\xBC\x9B"};
constexpr std::array<std::string_view, 10> kConnectives = {"check", "so",     "wait", "but",           "therefore",
                                                           "thus",  "hence", "hmm",  "alternatively", "verify"};

// The word at `at` opens with a connective (as a whole word, any case).
bool opens_with_connective(std::string_view text, size_t at) {
  for (auto c : kConnectives) {
    if (text.size() - at < c.size()) continue;
    bool same = true;
    for (size_t i = 0; i < c.size() && same; ++i)
      same = std::tolower(static_cast<unsigned char>(text[at + i])) == c[i];
    if (same && (at + c.size() == text.size() || !std::isalpha(static_cast<unsigned char>(text[at + c.size()]))))
      return true;
  }
  return false;
}

// Where a sentence ends at byte `i`: the byte after its end mark, or npos.
size_t sentence_end_at(std::string_view text, size_t i) {
  const char c = text[i];
  if (c == '\n') return i + 1;
  if ((c == '.' || c == '!' || c == '?') && (i + 1 == text.size() || blank(text[i + 1]))) return i + 1;
  for (auto w : kWideEnds)
    if (text.substr(i, w.size()) == w) return i + w.size();
  return std::string_view::npos;
}

}  // namespace

size_t thinking_end(std::string_view text) {
  return std::min({text.find("</think>"), text.find("<answer>"), text.size()});
}

std::vector<TraceStep> trace_steps(std::string_view text) {
  const std::string_view t = text.substr(0, thinking_end(text));
  std::vector<TraceStep> steps;
  size_t start = 0;
  auto cut = [&](size_t at) {
    if (at > start) steps.push_back({start, at});
    start = at;
  };
  char last_word_end = 0;  // the last character of the previous blank-separated word
  bool after_connective = false;  // the previous word is a connective ("check 9+7=16" is one step)
  for (size_t i = 0; i < t.size();) {
    if (const size_t end = sentence_end_at(t, i); end != std::string_view::npos) {
      size_t after = end;
      while (after < t.size() && blank(t[after])) ++after;
      cut(after);
      i = after;
      last_word_end = 0;
      after_connective = false;
      continue;
    }
    if (blank(t[i])) {
      ++i;
      continue;
    }
    // A word starts at i.
    size_t end = i;
    while (end < t.size() && !blank(t[end]) && sentence_end_at(t, end) == std::string_view::npos) ++end;
    const std::string_view word = t.substr(i, end - i);
    const bool after_number = digit(last_word_end) || last_word_end == ')';
    const bool after_latin = after_number || std::isalpha(static_cast<unsigned char>(last_word_end));
    const size_t eq = word.find('=');
    const bool equation = eq != std::string_view::npos && eq > 0;
    if ((after_number && opens_with_connective(t, i)) || (equation && after_latin && !after_connective)) cut(i);
    after_connective = opens_with_connective(t, i);
    last_word_end = t[end - 1];
    i = end;
  }
  cut(t.size());
  return steps;
}

std::string_view first_step(std::string_view text) {
  const auto steps = trace_steps(text);
  return steps.empty() ? text.substr(0, 0) : text.substr(steps[0].begin, steps[0].end - steps[0].begin);
}

bool same_step(std::string_view a, std::string_view b) {
  struct Content {
    std::multiset<std::string> numbers;
    std::set<std::string> words;
  };
  auto read = [](std::string_view s) {
    Content c;
    for (size_t i = 0; i < s.size();) {
      const unsigned char ch = static_cast<unsigned char>(s[i]);
      if (digit(s[i])) {
        std::string n;
        while (i < s.size() && (digit(s[i]) || ((s[i] == ',' || s[i] == '.') && i + 1 < s.size() && digit(s[i + 1]) &&
                                                !n.empty()))) {
          if (s[i] != ',') n += s[i];
          ++i;
        }
        c.numbers.insert(n);
      } else if (std::isalpha(ch)) {
        std::string w;
        while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i])))
          w += static_cast<char>(std::tolower(static_cast<unsigned char>(s[i++])));
        c.words.insert(w);
      } else if (ch >= 0x80) {  // one non-ASCII character, a word of its own
        size_t n = 1;
        while (i + n < s.size() && (static_cast<unsigned char>(s[i + n]) & 0xC0) == 0x80) ++n;
        c.words.insert(std::string(s.substr(i, n)));
        i += n;
      } else {
        if (std::string_view("+-*/=<>^%").find(s[i]) != std::string_view::npos) c.words.insert(std::string(1, s[i]));
        ++i;
      }
    }
    return c;
  };
  const Content x = read(a), y = read(b);
  if (x.numbers != y.numbers) return false;
  if (x.words.empty() && y.words.empty()) return true;
  size_t shared = 0;
  for (const auto& w : x.words) shared += y.words.count(w);
  const size_t either = x.words.size() + y.words.size() - shared;
  return 2 * shared >= either;
}

}  // namespace aha
