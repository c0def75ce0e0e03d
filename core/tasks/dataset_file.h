#pragma once
// Problems read from a JSONL or CSV file with a field mapping: question/answer records
// (GSM8K-style "#### 42" answers keep the final number) or Countdown records (numbers
// and target). Torch-free.
#include <optional>
#include <string>
#include <vector>

#include "core/tasks/task.h"

namespace aha {

struct DatasetLoad {
  std::vector<Problem> problems;
  long lines = 0;                   // lines (JSONL) or records (CSV) read
  std::vector<std::string> errors;  // "FILE:LINE: what is wrong", one per skipped line
};

// Reads options.data_file. With on_bad_line = "reject" the first bad line throws
// (naming file and line); with "skip" bad lines are listed in `errors`. No usable
// problem at all throws too.
DatasetLoad load_dataset(const TaskOptions& options);

// "12", "-3.5", "1,234", "$5", "40%", "3/4", "\boxed{7}" -> the value; nullopt otherwise.
std::optional<double> as_number(std::string_view text);
// "... #### 1,234" -> "1234"; other text is returned trimmed.
std::string final_answer_of(std::string_view reference);
// Numbers compare with the relative tolerance (commas, "$", "%", a trailing "." and
// \boxed{} ignored; "3/4" is a number); other text compares trimmed and case-folded.
bool answers_match(std::string_view given, std::string_view reference, double tolerance);

// A record split by a CSV line reader: fields and the line where the record started.
struct CsvRecord {
  std::vector<std::string> fields;
  long line = 0;
};
// RFC 4180: commas, "quoted ""fields""", newlines inside quotes. Throws on an
// unterminated quote, naming the line where it opened.
std::vector<CsvRecord> parse_csv(std::string_view text, const std::string& origin);

}  // namespace aha
