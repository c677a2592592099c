#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "model/schema/diagnostics.hpp"

// Reading JSON documents defensively: size and nesting limits are checked before parsing so
// that no input (binary, truncated, 1e6 nested brackets) can crash or hang the tools.
namespace stacksim::schema {

using json = nlohmann::json;

inline constexpr std::size_t kMaxFileBytes = 64u << 20;
inline constexpr int kMaxNesting = 64;
inline constexpr std::size_t kMaxValues = 4'000'000;  // bounds the parser's memory (~200 MB)

// Parses text (JSON with // and /* */ comments). On failure adds one error naming the
// line and column and returns nullopt.
std::optional<json> parse_json_text(const std::string& text, const std::string& file, Diagnostics& diag);
std::optional<json> load_json_file(const std::string& path, Diagnostics& diag);

// A library's exception text without its tag: "[json.exception.type_error.302] type must be
// string, but is number" -> "type must be string, but is number". Users see the rest.
std::string without_library_prefix(const std::string& what);

// Applies `--set a.b.0.c=value` to a document. The value is read as JSON when it parses as
// JSON, otherwise as a string (so `--set workload.rate=2M/min` works unquoted).
// Missing object keys are created; array indices must exist. Returns false with an error.
bool apply_override(json& doc, const std::string& assignment, const std::string& file, Diagnostics& diag);

}  // namespace stacksim::schema
