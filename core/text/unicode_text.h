#pragma once
// The few Unicode facts byte-level BPE needs: UTF-8 decoding, the classes \p{L}, \p{N}
// and \s of the pre-tokenizer regex, NFC normalization, and lossy UTF-8 repair.
// Character data comes from ICU (libicu), so it follows the Unicode version ICU ships.
#include <cstdint>
#include <string>
#include <string_view>

namespace aha::unicode {

enum CharClass : uint8_t { kLetter = 1, kNumber = 2, kSpace = 4 };

// The code point starting at s[i]; advances i past it. A malformed byte decodes as
// U+FFFD and advances by one.
char32_t next_code_point(std::string_view s, size_t& i);
void append_utf8(std::string& out, char32_t c);
// kLetter (general category L*), kNumber (N*), kSpace (White_Space), or 0.
uint8_t char_class(char32_t c);
// NFC form of UTF-8 text (returns it unchanged when it is already NFC, e.g. ASCII).
std::string nfc(std::string_view text);
// The byte at which code point `code_point` of UTF-8 `text` starts (the text's size past
// its end): stored offsets are in code points, strings are bytes.
size_t byte_of_code_point(std::string_view text, size_t code_point);
// Valid UTF-8: each maximal invalid subsequence becomes U+FFFD (as Rust's from_utf8_lossy).
std::string repair_utf8(std::string_view bytes);

}  // namespace aha::unicode
