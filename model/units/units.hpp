#pragma once
#include <string>
#include <string_view>
#include <variant>

// Quantities as a person writes them: "250ms", "2GiB", "10Gbps", "1M/min", "$0.192/h", "99.9%".
// Every parser returns either the value in SI base units or a message saying what was expected.
namespace stacksim::units {

struct ParseError {
    std::string expected;  // e.g. "a duration such as \"250ms\" or \"1.5s\""
};

template <class T>
class Parsed {
public:
    Parsed(T value) : v_(value) {}                 // NOLINT(google-explicit-constructor)
    Parsed(ParseError e) : v_(std::move(e)) {}     // NOLINT(google-explicit-constructor)
    [[nodiscard]] bool ok() const { return v_.index() == 0; }
    [[nodiscard]] T value() const { return std::get<0>(v_); }
    [[nodiscard]] const std::string& expected() const { return std::get<1>(v_).expected; }

private:
    std::variant<T, ParseError> v_;
};

Parsed<double> parse_duration_s(std::string_view text);    // ns, us, µs, ms, s, min, h, d, w
Parsed<double> parse_size_bytes(std::string_view text);    // B, KB, MB, GB, TB, KiB, MiB, GiB, TiB
Parsed<double> parse_bandwidth_bps(std::string_view text); // bps, Kbps, Mbps, Gbps, Tbps, B/s, KB/s, MB/s, GB/s, MiB/s, GiB/s
Parsed<double> parse_rate_per_s(std::string_view text);    // "16667rps", "1M/min", "120/s", "5k/h", "1000rpm"
Parsed<double> parse_price_per_h(std::string_view text);   // "$0.192/h", "$140/month" (730 h)
Parsed<double> parse_fraction(std::string_view text);      // "99.9%" -> 0.999
Parsed<double> parse_count(std::string_view text);         // "1M", "250k", "1e6", "42"

// Human-readable forms used in tables and reports.
std::string format_duration(double seconds);
std::string format_rate(double per_second);
std::string format_bytes(double bytes);

}  // namespace stacksim::units
