#pragma once
#include <vector>

namespace stacksim {

// A service-time (or latency) distribution. Analytic code needs only mean and squared
// coefficient of variation; the simulator samples it.
struct Distribution {
    enum class Kind { exponential, deterministic, lognormal, gamma, empirical };
    Kind kind = Kind::deterministic;
    double mean_s = 0;
    double cv = 0;                   // lognormal / gamma: coefficient of variation
    std::vector<double> values_s;    // empirical
    std::vector<double> weights;     // empirical, normalised to sum 1

    [[nodiscard]] double scv() const;  // squared coefficient of variation c² = Var/mean²
    [[nodiscard]] Distribution scaled(double factor) const;  // e.g. CPU time on a faster core

    static Distribution fixed(double seconds) { return {Kind::deterministic, seconds, 0, {}, {}}; }
    static Distribution exponential(double mean) { return {Kind::exponential, mean, 1, {}, {}}; }
};

const char* to_string(Distribution::Kind k);

}  // namespace stacksim
