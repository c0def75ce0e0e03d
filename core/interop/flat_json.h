#pragma once
// The top-level fields of a one-line JSON object, read without building a document: a
// rollout dump line is a dozen fields around two long strings, and a document for it
// costs more than the reflection analysis of the sample. Anything this reader does not
// take exactly as a JSON parser would (invalid JSON included) gives nullopt, and the
// caller parses the line with nlohmann::json, for the same result or its error message.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aha {

struct FlatJsonField {
  enum class Kind { String, Number, Bool, Null, Nested };
  std::string key;
  Kind kind = Kind::Null;
  std::string text;     // String: unescaped; Nested: the raw JSON of the object or array
  double number = 0;    // Number (and Bool as 0/1)
  bool integer = false; // Number written without fraction or exponent, within int64
};

// Fields in the order written. nullopt for invalid JSON, a value that is not an object,
// a repeated key, or an integer too long to read exactly.
std::optional<std::vector<FlatJsonField>> read_flat_json_object(std::string_view line);

}  // namespace aha
