#pragma once
#include <string>
#include <vector>

// Problems found in input files, each with its exact location: `file:/json/pointer: message`.
namespace stacksim::schema {

struct Diagnostic {
    enum class Severity { error, warning } severity = Severity::error;
    std::string file;
    std::string pointer;  // RFC 6901 JSON pointer ("" = whole document)
    std::string message;
    [[nodiscard]] std::string format() const;
};

class Diagnostics {
public:
    // Past this many problems only the count grows: a generated file with a million mistakes
    // must not print gigabytes or exhaust memory. format() says how many were left out.
    static constexpr std::size_t kMaxKept = 1000;

    void error(std::string file, std::string pointer, std::string message);
    void warning(std::string file, std::string pointer, std::string message);
    [[nodiscard]] bool has_errors() const { return errors_ > 0; }
    [[nodiscard]] std::size_t error_count() const { return errors_; }
    [[nodiscard]] const std::vector<Diagnostic>& all() const { return items_; }
    [[nodiscard]] std::string format() const;  // one per line, errors and warnings in input order
    // True when any error's pointer and message contain both substrings (for tests).
    [[nodiscard]] bool contains(const std::string& pointer, const std::string& message_part) const;

private:
    void add(Diagnostic d);
    std::vector<Diagnostic> items_;
    std::size_t errors_ = 0;
    std::size_t dropped_ = 0;
};

// Escapes one reference token of a JSON pointer ("~" -> "~0", "/" -> "~1").
std::string pointer_token(const std::string& key);
std::string pointer_join(const std::string& base, const std::string& key);
std::string pointer_join(const std::string& base, std::size_t index);

// The candidate closest to `word` by edit distance, or "" when nothing is close enough.
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);
// " (did you mean \"x\"?)" or "".
std::string suggestion(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace stacksim::schema
