#include "core/text/pretokenizer.h"

#include "core/text/unicode_text.h"

namespace aha {

namespace {

constexpr std::string_view kPatternHead = R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|)";
constexpr std::string_view kPatternTail = R"(| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

char32_t ascii_lower(char32_t c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }
bool is_newline(char32_t c) { return c == '\r' || c == '\n'; }

}  // namespace

std::optional<PreTokenizer> PreTokenizer::from_regex(std::string_view pattern) {
  if (pattern.substr(0, kPatternHead.size()) != kPatternHead) return std::nullopt;
  pattern.remove_prefix(kPatternHead.size());
  if (pattern.size() < kPatternTail.size() || pattern.substr(pattern.size() - kPatternTail.size()) != kPatternTail)
    return std::nullopt;
  pattern.remove_suffix(kPatternTail.size());
  if (pattern == R"(\p{N})") return PreTokenizer(1);
  if (pattern == R"(\p{N}{1,3})") return PreTokenizer(3);
  return std::nullopt;
}

void PreTokenizer::split(std::string_view text, std::vector<std::string_view>& out) const {
  using namespace unicode;
  // Code points, their classes and byte offsets (offset[n] = text.size()).
  thread_local std::vector<char32_t> cp;
  thread_local std::vector<uint8_t> cls;
  thread_local std::vector<size_t> offset;
  cp.clear(), cls.clear(), offset.clear();
  for (size_t i = 0; i < text.size();) {
    offset.push_back(i);
    const char32_t c = next_code_point(text, i);
    cp.push_back(c);
    cls.push_back(char_class(c));
  }
  const size_t n = cp.size();
  offset.push_back(text.size());

  auto letter = [&](size_t k) { return k < n && (cls[k] & kLetter); };
  auto number = [&](size_t k) { return k < n && (cls[k] & kNumber); };
  auto space = [&](size_t k) { return k < n && (cls[k] & kSpace); };
  auto other = [&](size_t k) { return k < n && cls[k] == 0; };

  auto match = [&](size_t i) -> size_t {
    const char32_t c = cp[i];
    // (?i:'s|'t|'re|'ve|'m|'ll|'d)
    if (c == '\'' && i + 1 < n) {
      const char32_t a = ascii_lower(cp[i + 1]);
      if (a == 's' || a == 't' || a == 'm' || a == 'd') return i + 2;
      if (i + 2 < n) {
        const char32_t b = ascii_lower(cp[i + 2]);
        if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return i + 3;
      }
    }
    // [^\r\n\p{L}\p{N}]?\p{L}+
    size_t j = i;
    if (!is_newline(c) && !letter(i) && !number(i) && letter(i + 1)) j = i + 1;
    if (letter(j)) {
      while (letter(j)) ++j;
      return j;
    }
    // \p{N}{1,D}
    if (number(i)) {
      j = i + 1;
      while (number(j) && j - i < static_cast<size_t>(max_digits_)) ++j;
      return j;
    }
    //  ?[^\s\p{L}\p{N}]+[\r\n]*
    j = (c == ' ' && other(i + 1)) ? i + 1 : i;
    if (other(j)) {
      while (other(j)) ++j;
      while (j < n && is_newline(cp[j])) ++j;
      return j;
    }
    // Only whitespace is left here. \s*[\r\n]+ ends after the run's last newline.
    size_t end = i;
    while (space(end)) ++end;
    for (size_t k = end; k > i; --k)
      if (is_newline(cp[k - 1])) return k;
    // \s+(?!\S) gives back the run's last space when a non-space follows; \s+ otherwise.
    if (end < n && end - i >= 2) return end - 1;
    return end;
  };

  for (size_t i = 0; i < n;) {
    const size_t j = match(i);
    out.push_back(text.substr(offset[i], offset[j] - offset[i]));
    i = j;
  }
}

}  // namespace aha
