#include "model/units/units.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <fmt/format.h>
#include <utility>

namespace stacksim::units {
namespace {

struct Suffix {
    std::string_view name;
    double factor;
};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// Splits "1.5ms" into 1.5 and "ms". Rejects NaN/inf spellings, hex and empty numbers.
bool split_number(std::string_view text, double& number, std::string_view& rest) {
    text = trim(text);
    std::size_t i = 0;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.' ||
                               text[i] == '-' || text[i] == '+' ||
                               ((text[i] == 'e' || text[i] == 'E') && i > 0 && i + 1 < text.size() &&
                                (std::isdigit(static_cast<unsigned char>(text[i + 1])) || text[i + 1] == '-' ||
                                 text[i + 1] == '+'))))
        ++i;
    if (i == 0) return false;
    const char* first = text.data();
    const char* last = text.data() + i;
    if (*first == '+') ++first;
    auto [ptr, ec] = std::from_chars(first, last, number);
    if (ec != std::errc() || ptr != last || !std::isfinite(number)) return false;
    rest = trim(text.substr(i));
    return true;
}

template <std::size_t N>
Parsed<double> with_suffix(std::string_view text, const std::array<Suffix, N>& table, const char* expected,
                           bool allow_negative = false) {
    double number = 0;
    std::string_view unit;
    if (!split_number(text, number, unit)) return ParseError{expected};
    for (const auto& s : table) {
        if (unit == s.name) {
            if (number < 0 && !allow_negative) return ParseError{std::string(expected) + " (not negative)"};
            const double v = number * s.factor;
            if (!std::isfinite(v)) return ParseError{std::string(expected) + " (value out of range)"};
            return v;
        }
    }
    return ParseError{expected};
}

constexpr std::array kDuration{
    Suffix{"ns", 1e-9}, Suffix{"us", 1e-6}, Suffix{"µs", 1e-6}, Suffix{"ms", 1e-3}, Suffix{"s", 1.0},
    Suffix{"sec", 1.0}, Suffix{"min", 60.0}, Suffix{"h", 3600.0}, Suffix{"d", 86400.0},
    Suffix{"w", 604800.0}};

constexpr std::array kSize{Suffix{"B", 1.0},        Suffix{"KB", 1e3},       Suffix{"kB", 1e3},
                           Suffix{"MB", 1e6},       Suffix{"GB", 1e9},       Suffix{"TB", 1e12},
                           Suffix{"KiB", 1024.0},   Suffix{"MiB", 1048576.0}, Suffix{"GiB", 1073741824.0},
                           Suffix{"TiB", 1099511627776.0}};

constexpr std::array kBandwidth{Suffix{"bps", 1.0},         Suffix{"Kbps", 1e3},         Suffix{"kbps", 1e3},
                                Suffix{"Mbps", 1e6},        Suffix{"Gbps", 1e9},         Suffix{"Tbps", 1e12},
                                Suffix{"B/s", 8.0},         Suffix{"KB/s", 8e3},         Suffix{"MB/s", 8e6},
                                Suffix{"GB/s", 8e9},        Suffix{"KiB/s", 8192.0},     Suffix{"MiB/s", 8388608.0},
                                Suffix{"GiB/s", 8589934592.0}};

constexpr std::array kMultiplier{Suffix{"", 1.0}, Suffix{"k", 1e3}, Suffix{"K", 1e3}, Suffix{"M", 1e6},
                                 Suffix{"G", 1e9}};

constexpr std::array kPer{Suffix{"rps", 1.0},       Suffix{"/s", 1.0},        Suffix{"/sec", 1.0},
                          Suffix{"rpm", 1.0 / 60},  Suffix{"/min", 1.0 / 60},
                          Suffix{"rph", 1.0 / 3600}, Suffix{"/h", 1.0 / 3600}, Suffix{"/d", 1.0 / 86400},
                          Suffix{"/day", 1.0 / 86400}};

// Splits a count multiplier ("k", "M") off the front of a unit: "M/min" -> 1e6, "/min".
double take_multiplier(std::string_view& unit) {
    for (const auto& m : kMultiplier) {
        if (m.name.empty()) continue;
        if (unit.size() > m.name.size() && unit.substr(0, m.name.size()) == m.name &&
            (unit[m.name.size()] == '/' || unit.substr(m.name.size()) == "rps" || unit.substr(m.name.size()) == "rpm" ||
             unit.substr(m.name.size()) == "rph")) {
            unit.remove_prefix(m.name.size());
            return m.factor;
        }
    }
    return 1.0;
}

}  // namespace

Parsed<double> parse_duration_s(std::string_view text) {
    if (trim(text) == "0") return 0.0;
    return with_suffix(text, kDuration, "a duration with a unit, such as \"250ms\", \"1.5s\", \"5min\" or \"1h\"");
}

Parsed<double> parse_size_bytes(std::string_view text) {
    if (trim(text) == "0") return 0.0;
    return with_suffix(text, kSize, "a size with a unit, such as \"512B\", \"16KiB\" or \"2GiB\"");
}

Parsed<double> parse_bandwidth_bps(std::string_view text) {
    return with_suffix(text, kBandwidth, "a bandwidth with a unit, such as \"100Mbps\", \"10Gbps\" or \"1GiB/s\"");
}

Parsed<double> parse_rate_per_s(std::string_view text) {
    static constexpr const char* kExpected =
        "a rate with a unit, such as \"16667rps\", \"1M/min\", \"250/s\" or \"5k/h\"";
    double number = 0;
    std::string_view unit;
    if (!split_number(text, number, unit)) return ParseError{kExpected};
    const double mult = take_multiplier(unit);
    for (const auto& p : kPer) {
        if (unit == p.name) {
            if (number < 0) return ParseError{std::string(kExpected) + " (not negative)"};
            const double v = number * mult * p.factor;
            if (!std::isfinite(v)) return ParseError{std::string(kExpected) + " (value out of range)"};
            return v;
        }
    }
    return ParseError{kExpected};
}

Parsed<double> parse_price_per_h(std::string_view text) {
    static constexpr const char* kExpected = "a price such as \"$0.192/h\" or \"$140/month\"";
    text = trim(text);
    if (text.empty() || text.front() != '$') return ParseError{kExpected};
    double number = 0;
    std::string_view unit;
    if (!split_number(text.substr(1), number, unit) || number < 0) return ParseError{kExpected};
    // A month is 730 hours, the convention cloud price lists use.
    if (unit == "/h" || unit == "/hr" || unit == "/hour") return number;
    if (unit == "/month" || unit == "/mo") return number / 730.0;
    return ParseError{kExpected};
}

Parsed<double> parse_fraction(std::string_view text) {
    static constexpr const char* kExpected = "a percentage such as \"99.9%\"";
    double number = 0;
    std::string_view unit;
    if (!split_number(text, number, unit) || unit != "%" || number < 0 || number > 100) return ParseError{kExpected};
    return number / 100.0;
}

Parsed<double> parse_count(std::string_view text) {
    static constexpr const char* kExpected = "a count such as 42, \"250k\" or \"1M\"";
    double number = 0;
    std::string_view unit;
    if (!split_number(text, number, unit) || number < 0) return ParseError{kExpected};
    for (const auto& m : kMultiplier) {
        if (unit == m.name) {
            const double v = number * m.factor;
            if (!std::isfinite(v)) return ParseError{kExpected};
            return v;
        }
    }
    return ParseError{kExpected};
}

std::string format_duration(double s) {
    if (!std::isfinite(s)) return "inf";
    if (s < 5e-10) return "0";  // below a nanosecond nothing is worth showing
    if (s < 1e-6) return fmt::format("{:.3g}ns", s * 1e9);
    if (s < 1e-3) return fmt::format("{:.3g}µs", s * 1e6);
    if (s < 1.0) return fmt::format("{:.3g}ms", s * 1e3);
    if (s < 120.0) return fmt::format("{:.3g}s", s);
    if (s < 7200.0) return fmt::format("{:.3g}min", s / 60);
    return fmt::format("{:.3g}h", s / 3600);
}

std::string format_rate(double r) {
    if (!std::isfinite(r)) return "inf";
    if (r >= 1e6) return fmt::format("{:.3g}M/s", r / 1e6);
    if (r >= 1e4) return fmt::format("{:.3g}k/s", r / 1e3);
    return fmt::format("{:.4g}/s", r);
}

std::string format_bytes(double b) {
    constexpr std::array<std::pair<double, const char*>, 4> kSteps{
        {{1099511627776.0, "TiB"}, {1073741824.0, "GiB"}, {1048576.0, "MiB"}, {1024.0, "KiB"}}};
    for (const auto& [f, n] : kSteps)
        if (b >= f) return fmt::format("{:.3g}{}", b / f, n);
    return fmt::format("{:.0f}B", b);
}

}  // namespace stacksim::units
