#include "core/analysis/text_overlap.h"

#include <algorithm>
#include <cctype>

namespace aha {

std::vector<std::string> overlap_units(std::string_view text) {
  std::vector<std::string> units;
  const auto letter = [](unsigned char c) { return std::isalpha(c) || c >= 0x80; };  // ASCII letters, any UTF-8 byte
  size_t i = 0;
  while (i < text.size()) {
    const unsigned char c = text[i];
    if (std::isspace(c)) {
      ++i;
    } else if (letter(c)) {
      size_t j = i;
      while (j < text.size() && letter(static_cast<unsigned char>(text[j]))) ++j;
      units.emplace_back(text.substr(i, j - i));
      i = j;
    } else {
      units.emplace_back(1, char(c));
      ++i;
    }
  }
  return units;
}

double rouge_l(std::string_view reference, std::string_view candidate) {
  const auto r = overlap_units(reference), c = overlap_units(candidate);
  if (r.empty() && c.empty()) return 1.0;
  if (r.empty() || c.empty()) return 0.0;
  std::vector<int> prev(c.size() + 1, 0), row(c.size() + 1, 0);  // LCS by rows
  for (size_t i = 1; i <= r.size(); ++i) {
    for (size_t j = 1; j <= c.size(); ++j)
      row[j] = r[i - 1] == c[j - 1] ? prev[j - 1] + 1 : std::max(prev[j], row[j - 1]);
    std::swap(prev, row);
  }
  const double lcs = prev[c.size()];
  if (lcs == 0) return 0.0;
  const double precision = lcs / c.size(), recall = lcs / r.size();
  return 2 * precision * recall / (precision + recall);
}

bool exact_continuation(std::string_view reference, std::string_view candidate) {
  const auto r = overlap_units(reference), c = overlap_units(candidate);
  return c.size() >= r.size() && std::equal(r.begin(), r.end(), c.begin());
}

}  // namespace aha
