#include "core/text/unicode_text.h"

#include <array>
#include <stdexcept>
#include <vector>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

namespace aha::unicode {

namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 when the bytes there are not one.
size_t valid_sequence_length(std::string_view s, size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return 1;
  auto cont = [&](size_t k, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    if (i + k >= s.size()) return false;
    const auto b = static_cast<unsigned char>(s[i + k]);
    return b >= lo && b <= hi;
  };
  if (b0 >= 0xC2 && b0 <= 0xDF) return cont(1) ? 2 : 0;
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    const unsigned char lo = b0 == 0xE0 ? 0xA0 : 0x80, hi = b0 == 0xED ? 0x9F : 0xBF;
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    const unsigned char lo = b0 == 0xF0 ? 0x90 : 0x80, hi = b0 == 0xF4 ? 0x8F : 0xBF;
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

// Bytes of the longest prefix of an invalid sequence that could have started a valid
// one (at least 1): Unicode's "maximal subpart", replaced by a single U+FFFD.
size_t maximal_invalid_subpart(std::string_view s, size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  size_t need = b0 >= 0xC2 && b0 <= 0xDF ? 2 : b0 >= 0xE0 && b0 <= 0xEF ? 3 : b0 >= 0xF0 && b0 <= 0xF4 ? 4 : 1;
  size_t k = 1;
  for (; k < need && i + k < s.size(); ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    unsigned char lo = 0x80, hi = 0xBF;
    if (k == 1) {
      if (b0 == 0xE0) lo = 0xA0;
      if (b0 == 0xED) hi = 0x9F;
      if (b0 == 0xF0) lo = 0x90;
      if (b0 == 0xF4) hi = 0x8F;
    }
    if (b < lo || b > hi) break;
  }
  return k;
}

uint8_t icu_class(char32_t c) {
  const auto cat = U_GET_GC_MASK(static_cast<UChar32>(c));
  uint8_t out = 0;
  if (cat & U_GC_L_MASK) out |= kLetter;
  if (cat & U_GC_N_MASK) out |= kNumber;
  if (u_isUWhiteSpace(static_cast<UChar32>(c))) out |= kSpace;
  return out;
}

// Classes of the Basic Multilingual Plane, looked up once (the pre-tokenizer asks for
// every character, and ICU's property lookup is the slow part).
const std::array<uint8_t, 0x10000>& bmp_classes() {
  static const auto table = [] {
    std::array<uint8_t, 0x10000> t{};
    for (char32_t c = 0; c < 0x10000; ++c) t[c] = icu_class(c);
    return t;
  }();
  return table;
}

void check(UErrorCode status, const char* what) {
  if (U_FAILURE(status)) throw std::runtime_error(std::string("unicode ") + what + ": " + u_errorName(status));
}

}  // namespace

char32_t next_code_point(std::string_view s, size_t& i) {
  const size_t n = valid_sequence_length(s, i);
  if (n == 0) {
    ++i;
    return 0xFFFD;
  }
  const auto* p = reinterpret_cast<const unsigned char*>(s.data() + i);
  i += n;
  switch (n) {
    case 1: return p[0];
    case 2: return (char32_t(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
    case 3: return (char32_t(p[0] & 0x0F) << 12) | (char32_t(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    default:
      return (char32_t(p[0] & 0x07) << 18) | (char32_t(p[1] & 0x3F) << 12) | (char32_t(p[2] & 0x3F) << 6) |
             (p[3] & 0x3F);
  }
}

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

uint8_t char_class(char32_t c) { return c < 0x10000 ? bmp_classes()[c] : icu_class(c); }

std::string nfc(std::string_view text) {
  bool ascii = true;
  for (char ch : text) ascii &= static_cast<unsigned char>(ch) < 0x80;
  if (ascii) return std::string(text);
  UErrorCode status = U_ZERO_ERROR;
  const UNormalizer2* norm = unorm2_getNFCInstance(&status);
  check(status, "NFC instance");
  const std::string valid = repair_utf8(text);
  std::vector<UChar> utf16(valid.size() + 1);
  int32_t len16 = 0;
  u_strFromUTF8(utf16.data(), static_cast<int32_t>(utf16.size()), &len16, valid.data(),
                static_cast<int32_t>(valid.size()), &status);
  check(status, "UTF-8 to UTF-16");
  if (unorm2_quickCheck(norm, utf16.data(), len16, &status) == UNORM_YES && U_SUCCESS(status)) return valid;
  status = U_ZERO_ERROR;
  std::vector<UChar> normalized(static_cast<size_t>(len16) * 3 + 16);
  const int32_t nlen = unorm2_normalize(norm, utf16.data(), len16, normalized.data(),
                                        static_cast<int32_t>(normalized.size()), &status);
  check(status, "NFC");
  std::string out(static_cast<size_t>(nlen) * 3 + 4, '\0');
  int32_t out_len = 0;
  u_strToUTF8(out.data(), static_cast<int32_t>(out.size()), &out_len, normalized.data(), nlen, &status);
  check(status, "UTF-16 to UTF-8");
  out.resize(static_cast<size_t>(out_len));
  return out;
}

std::string repair_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (size_t i = 0; i < bytes.size();) {
    const size_t n = valid_sequence_length(bytes, i);
    if (n > 0) {
      out.append(bytes.substr(i, n));
      i += n;
    } else {
      out += "\xEF\xBF\xBD";
      i += maximal_invalid_subpart(bytes, i);
    }
  }
  return out;
}

size_t byte_of_code_point(std::string_view text, size_t code_point) {
  for (size_t b = 0, seen = 0; b < text.size(); ++b)
    if ((static_cast<unsigned char>(text[b]) & 0xC0) != 0x80 && seen++ == code_point) return b;
  return text.size();
}

}  // namespace aha::unicode
