#pragma once
// Edits a TOML text in place, as a user wrote it: one key's value changes and every
// comment, blank line and key order stays (the New Run dialog's form edits the Advanced
// tab's text this way, instead of writing the config out anew). Qt-free, torch-free.
#include <string>

namespace aha {

// `text` with `key` in `table` ("" for the top level) set to `literal` (a TOML value as
// written: see toml_string, toml_number). An absent key is added at the end of its table;
// an absent table is appended.
std::string set_toml_value(const std::string& text, const std::string& table, const std::string& key,
                           const std::string& literal);

// The value at `dotted_key` ("loss_type", "task.max_terms") of a TOML text: a string as
// itself, anything else as its literal ("0.2", "true"); "" when absent or unparsable.
std::string toml_value_text(const std::string& text, const std::string& dotted_key);

// TOML literals: a basic string with escapes; a float in its shortest round-trip form
// ("3e-07", "0.2", "1.0"); an integer.
std::string toml_string(const std::string& s);
std::string toml_number(double v);
std::string toml_integer(long long v);

}  // namespace aha
