#pragma once
// Thrift's compact protocol, read into a generic tree: Parquet's footer and page headers
// are Thrift structs in it. Reading every field generically keeps the Parquet reader to
// the few field ids it uses, and skips the ones newer writers add. Torch-free.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aha::thrift {

struct Value;
using Struct = std::map<int16_t, Value>;  // field id -> value

struct Value {
  enum class Kind { Int, Double, Binary, List, Struct, Bool } kind = Kind::Int;
  int64_t i = 0;  // Int and Bool
  double d = 0;
  std::string bytes;
  std::vector<Value> list;
  std::shared_ptr<Struct> fields;

  // Accessors that throw naming what was expected.
  const Struct& as_struct() const;
};

// Field accessors: nullopt / nullptr when the field is absent; throw when present with
// another kind.
std::optional<int64_t> get_int(const Struct& s, int16_t id);
const std::string* get_binary(const Struct& s, int16_t id);
const std::vector<Value>* get_list(const Struct& s, int16_t id);
const Struct* get_struct(const Struct& s, int16_t id);

// A ULEB128 varint at `pos` (Thrift's and Parquet's), `pos` moved past it; throws when it
// runs past `data` or past 10 bytes.
uint64_t read_varint(std::string_view data, size_t& pos);

// Reads one struct starting at `pos` of `data`; on return `pos` is just past it. Throws
// std::runtime_error on truncated or malformed input (never reads past `data`).
Struct read_struct(std::string_view data, size_t& pos);

}  // namespace aha::thrift
