#pragma once
// The arithmetic written in a chain of thought: numbers as they are written ("1,200",
// "7.40", "-3", "36/5"), and expressions with + - * / and their Unicode forms (× ÷ −),
// evaluated in double precision. What the answer trajectory needs to tell whether
// "761+853=1594" holds. Torch-free, Qt-free.
#include <optional>
#include <string>
#include <string_view>

namespace aha {

// A number written at `pos` (no leading spaces): its text and value. A fraction "a/b" and
// a mixed number "1 1/4" count as one number only when `fractions` is set; a percentage
// "50%" has the value 0.5; "−3" (U+2212) is -3.
struct WrittenNumber {
  size_t begin = 0, end = 0;  // bytes
  std::string text;           // as written, thousands separators dropped
  double value = 0;
  int decimals = 0;           // digits after the point (0 for integers and fractions)
  bool percent = false;       // written with a % sign
};
std::optional<WrittenNumber> number_at(std::string_view text, size_t pos, bool fractions = false);

// The value of an arithmetic expression (numbers, + - * / × ÷ − ·, powers ^ ** ² ³,
// parentheses, spaces), or nothing when `expr` is not one whole expression.
std::optional<double> evaluate(std::string_view expr);

// Whether `value` is what the expression evaluates to: exactly for integers; for a
// decimal written with d digits, within half a unit of its last digit ("1/3 = 0.33").
bool same_number(double computed, const WrittenNumber& stated);

// Whether two written values are the same number ("7.4" and "7.40", "1/2" and "0.5").
bool same_value(std::string_view a, std::string_view b);

// A computed value written back as text: "21.4", "72", "0.1666666667".
std::string format_number(double v);

}  // namespace aha
