#pragma once
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "model/schema/json_file.hpp"
#include "model/stack/distribution.hpp"

// A cursor over one JSON object that knows its file and pointer. Every accessor reports
// a located error when the value is missing or malformed and returns nullopt; `finish()`
// reports keys nobody asked for, with a did-you-mean. This keeps each parser a flat list
// of "read this key as that" and makes all errors uniform.
namespace stacksim::schema {

struct Context {
    std::string file;
    Diagnostics& diag;
};

enum class Need { optional, required };

// No duration in an input file may exceed a year: beyond that it is a typo, and bounded
// values keep every later computation finite.
inline constexpr double kMaxDuration_s = 366 * 86400.0;

class ObjectReader {
public:
    // Reports an error (and becomes invalid) when `node` is not an object.
    ObjectReader(const json& node, std::string pointer, Context& ctx, const char* what = "an object");

    [[nodiscard]] bool valid() const { return node_ != nullptr; }
    [[nodiscard]] const std::string& pointer() const { return pointer_; }
    [[nodiscard]] std::string at(const std::string& key) const { return pointer_join(pointer_, key); }
    [[nodiscard]] Context& context() const { return ctx_; }
    bool has(const std::string& key);  // marks the key as known

    const json* child(const std::string& key, Need need = Need::optional);
    std::optional<std::string> string(const std::string& key, Need need = Need::optional);
    // A name or a reference to one (a service, endpoint, zone, SLO...): a string that is not
    // empty. "" is reported as a missing name instead of silently matching nothing.
    std::optional<std::string> name(const std::string& key, Need need = Need::optional);
    // Counts the keys of this object that are not annotations; reports an empty key ("") as a
    // missing name. For objects keyed by name (services, endpoints, machines, the mix).
    std::size_t named_entries();
    std::optional<std::string> one_of(const std::string& key, const std::vector<std::string>& choices,
                                      Need need = Need::optional);
    std::optional<bool> boolean(const std::string& key, Need need = Need::optional);
    std::optional<long long> integer(const std::string& key, long long min, long long max, Need need = Need::optional);
    std::optional<double> number(const std::string& key, double min, double max, Need need = Need::optional);
    std::optional<double> duration(const std::string& key, Need need = Need::optional, double max_s = kMaxDuration_s);
    std::optional<double> size(const std::string& key, Need need = Need::optional);
    std::optional<double> bandwidth(const std::string& key, Need need = Need::optional);
    std::optional<double> rate(const std::string& key, Need need = Need::optional);
    std::optional<double> price(const std::string& key, Need need = Need::optional);
    // "99.9%" or a number in [0, 1].
    std::optional<double> fraction(const std::string& key, Need need = Need::optional);
    // 42, "250k", "1M" — at most `max`.
    std::optional<double> count(const std::string& key, double max, Need need = Need::optional);
    std::optional<Distribution> distribution(const std::string& key, Need need = Need::optional);

    void error(const std::string& key, const std::string& message);
    void warn(const std::string& key, const std::string& message);
    // Reports unknown keys. Keys starting with "$" or "_" are annotations and always allowed.
    void finish();

private:
    const json* node_;
    std::string pointer_;
    Context& ctx_;
    std::set<std::string> known_;
};

// Reads a distribution at `pointer`: "2ms" (exponential with that mean) or an object
// {"dist": "lognormal", "mean": "2ms", "cv": 0.5}. See docs/file-formats.md.
std::optional<Distribution> read_distribution(const json& node, const std::string& pointer, Context& ctx);

std::string describe(const json& value);

// Keys starting with "$" or "_" are annotations ("_comment": "..."), ignored everywhere,
// including in objects keyed by name (services, endpoints, machines, mix).
inline bool is_annotation(const std::string& key) { return !key.empty() && (key[0] == '$' || key[0] == '_'); }  // short text of a value for "got ..." messages

}  // namespace stacksim::schema
