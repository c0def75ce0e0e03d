#include "core/interop/flat_json.h"

#include <algorithm>
#include <charconv>

#include <nlohmann/json.hpp>

#include "core/text/unicode_text.h"

namespace aha {

namespace {

class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}
  bool at_end() const { return p_ >= s_.size(); }
  char peek() const { return p_ < s_.size() ? s_[p_] : '\0'; }
  void space() {
    while (p_ < s_.size() && (s_[p_] == ' ' || s_[p_] == '\t' || s_[p_] == '\n' || s_[p_] == '\r')) ++p_;
  }
  bool eat(char c) {
    if (peek() != c) return false;
    ++p_;
    return true;
  }
  bool word(std::string_view w) {
    if (s_.substr(p_, w.size()) != w) return false;
    p_ += w.size();
    return true;
  }

  // A string after its opening quote, unescaped into `out`; UTF-8 checked as RFC 3629.
  bool string(std::string& out) {
    while (true) {
      const size_t start = p_;  // copy plain runs at once
      while (p_ < s_.size() && s_[p_] != '"' && s_[p_] != '\\' && static_cast<unsigned char>(s_[p_]) >= 0x20 &&
             static_cast<unsigned char>(s_[p_]) < 0x80)
        ++p_;
      out.append(s_.data() + start, p_ - start);
      if (p_ >= s_.size()) return false;
      const auto c = static_cast<unsigned char>(s_[p_]);
      if (c == '"') return ++p_, true;
      if (c < 0x20) return false;
      if (c == '\\') {
        if (!escape(out)) return false;
      } else if (!utf8(out)) {
        return false;
      }
    }
  }

  // A number as JSON writes it.
  bool number(FlatJsonField& f) {
    const size_t start = p_;
    eat('-');
    if (eat('0')) {
    } else if (digits() == 0) {
      return false;
    }
    bool fraction = false;
    if (eat('.')) {
      if (digits() == 0) return false;
      fraction = true;
    }
    if (peek() == 'e' || peek() == 'E') {
      ++p_;
      if (!eat('+')) eat('-');
      if (digits() == 0) return false;
      fraction = true;
    }
    const std::string_view text = s_.substr(start, p_ - start);
    f.kind = FlatJsonField::Kind::Number;
    f.integer = !fraction;
    if (f.integer && text.size() > 18) return false;  // past what int64 and double both hold exactly
    const auto r = std::from_chars(text.data(), text.data() + text.size(), f.number);
    return r.ec == std::errc() && r.ptr == text.data() + text.size();
  }

  // An object or array, skipped whole (strings inside honoured); its raw text.
  bool nested(std::string& out) {
    const size_t start = p_;
    int depth = 0;
    while (p_ < s_.size()) {
      const char c = s_[p_++];
      if (c == '"') {
        while (p_ < s_.size() && s_[p_] != '"') p_ += s_[p_] == '\\' ? 2 : 1;
        if (p_++ >= s_.size()) return false;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth == 0) {
          out.assign(s_.substr(start, p_ - start));
          return true;
        }
      }
    }
    return false;
  }

 private:
  size_t digits() {
    const size_t start = p_;
    while (p_ < s_.size() && s_[p_] >= '0' && s_[p_] <= '9') ++p_;
    return p_ - start;
  }

  bool hex4(uint32_t& v) {
    if (s_.size() - p_ < 4) return false;
    v = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = s_[p_++];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= c - '0';
      else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
      else return false;
    }
    return true;
  }

  bool escape(std::string& out) {
    ++p_;  // the backslash
    if (p_ >= s_.size()) return false;
    const char c = s_[p_++];
    switch (c) {
      case '"': out += '"'; return true;
      case '\\': out += '\\'; return true;
      case '/': out += '/'; return true;
      case 'b': out += '\b'; return true;
      case 'f': out += '\f'; return true;
      case 'n': out += '\n'; return true;
      case 'r': out += '\r'; return true;
      case 't': out += '\t'; return true;
      case 'u': break;
      default: return false;
    }
    uint32_t cp;
    if (!hex4(cp)) return false;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a low surrogate alone
    if (cp >= 0xD800 && cp <= 0xDBFF) {              // a pair makes one code point
      uint32_t low;
      if (!word("\\u") || !hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    unicode::append_utf8(out, cp);
    return true;
  }

  // One multi-byte UTF-8 character, with the ranges RFC 3629 allows.
  bool utf8(std::string& out) {
    const auto b0 = static_cast<unsigned char>(s_[p_]);
    int len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // the second byte's range
    if (b0 >= 0xC2 && b0 <= 0xDF) len = 2;
    else if (b0 == 0xE0) len = 3, lo = 0xA0;
    else if (b0 == 0xED) len = 3, hi = 0x9F;
    else if (b0 >= 0xE1 && b0 <= 0xEF) len = 3;
    else if (b0 == 0xF0) len = 4, lo = 0x90;
    else if (b0 == 0xF4) len = 4, hi = 0x8F;
    else if (b0 >= 0xF1 && b0 <= 0xF3) len = 4;
    else return false;
    if (s_.size() - p_ < static_cast<size_t>(len)) return false;
    for (int k = 1; k < len; ++k) {
      const auto b = static_cast<unsigned char>(s_[p_ + k]);
      if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) return false;
    }
    out.append(s_.data() + p_, len);
    p_ += len;
    return true;
  }

  std::string_view s_;
  size_t p_ = 0;
};

}  // namespace

std::optional<std::vector<FlatJsonField>> read_flat_json_object(std::string_view line) {
  Reader r(line);
  std::vector<FlatJsonField> fields;
  r.space();
  if (!r.eat('{')) return std::nullopt;
  r.space();
  if (!r.eat('}')) {
    while (true) {
      FlatJsonField f;
      if (!r.eat('"') || !r.string(f.key)) return std::nullopt;
      r.space();
      if (!r.eat(':')) return std::nullopt;
      r.space();
      const char c = r.peek();
      bool ok = true;
      if (c == '"') {
        r.eat('"');
        f.kind = FlatJsonField::Kind::String;
        ok = r.string(f.text);
      } else if (c == '{' || c == '[') {
        f.kind = FlatJsonField::Kind::Nested;
        ok = r.nested(f.text) && nlohmann::json::accept(f.text);  // rare: checked by the parser
      } else if (r.word("true") || r.word("false")) {
        f.kind = FlatJsonField::Kind::Bool;
        f.number = c == 't';
      } else if (r.word("null")) {
        f.kind = FlatJsonField::Kind::Null;
      } else {
        ok = r.number(f);
      }
      if (!ok) return std::nullopt;
      fields.push_back(std::move(f));
      r.space();
      if (r.eat('}')) break;
      if (!r.eat(',')) return std::nullopt;
      r.space();
    }
  }
  r.space();
  if (!r.at_end()) return std::nullopt;
  // A repeated key: a parser keeps one of them; leave that choice to the full parser.
  std::vector<std::string_view> keys;
  for (const auto& f : fields) keys.push_back(f.key);
  std::sort(keys.begin(), keys.end());
  if (std::adjacent_find(keys.begin(), keys.end()) != keys.end()) return std::nullopt;
  return fields;
}

}  // namespace aha
