#pragma once
// The smallest Parquet reader for the tables other engines log, such as TRL's
// completions/completions_<step>.parquet (written by pandas through pyarrow): flat
// columns of numbers, booleans and text, as pyarrow, DuckDB and arrow-rs write them by
// default. Supported: data pages v1 and v2; PLAIN and dictionary encodings (RLE for
// levels); uncompressed, Snappy, gzip and zstd. Anything else is refused naming the
// file, the column and what it uses. Torch-free.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace aha {

struct ParquetColumn {
  enum class Kind { Number, Text };  // Number: integers, floats and booleans (as 0/1)
  std::string name;
  Kind kind = Kind::Number;
  std::vector<uint8_t> present;    // per row: 0 for a null
  std::vector<double> numbers;     // Number: per row (NaN for a null)
  std::vector<std::string> texts;  // Text: per row ("" for a null)
};

struct ParquetTable {
  int64_t rows = 0;
  std::vector<ParquetColumn> columns;  // the flat ones, in schema order
  std::vector<std::string> skipped;    // "images: nested (a list or struct); not read"

  const ParquetColumn* column(const std::string& name) const;
};

// Reads every flat column of `file`. Throws std::runtime_error naming the file (and the
// column) for a file that is not Parquet, is cut short, or uses what is not supported.
ParquetTable read_parquet(const std::filesystem::path& file);

}  // namespace aha
