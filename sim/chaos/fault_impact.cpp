#include "sim/chaos/fault_impact.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace stacksim::sim {
namespace {
constexpr double kEps = 1e-9;
std::vector<double> column(const nlohmann::json& series, const char* key) {
    return series.contains(key) ? series[key].get<std::vector<double>>() : std::vector<double>{};
}
}  // namespace

IntervalSeries IntervalSeries::from_json(const nlohmann::json& series, double interval_s) {
    return {column(series, "t_s"), column(series, "completed_rps"), column(series, "errors_rps"), column(series, "p99_s"),
            interval_s};
}

Baseline baseline_before(const IntervalSeries& s, double start_s, int max_intervals) {
    Baseline b;
    double ok = 0, errors = 0;
    std::vector<double> p99s;
    for (std::size_t i = s.t_s.size(); i-- > 0 && b.intervals < max_intervals;) {
        if (s.t_s[i] > start_s + kEps) continue;
        ++b.intervals;
        ok += s.completed_rps[i] * s.interval_s;
        errors += s.errors_rps[i] * s.interval_s;
        if (s.completed_rps[i] > 0) p99s.push_back(s.p99_s[i]);
    }
    b.error_rate = ok + errors > 0 ? errors / (ok + errors) : 0;
    if (!p99s.empty()) {
        std::nth_element(p99s.begin(), p99s.begin() + static_cast<long>(p99s.size() / 2), p99s.end());
        b.p99_s = p99s[p99s.size() / 2];
    }
    return b;
}

std::optional<double> time_to_recover(const IntervalSeries& s, const Baseline& b, double end_s, int stable) {
    if (b.intervals == 0) return std::nullopt;
    auto normal = [&](std::size_t i) {
        const double finished = s.completed_rps[i] + s.errors_rps[i];
        if (finished <= 0) return false;
        const bool errors_ok = s.errors_rps[i] / finished <= std::max(2 * b.error_rate, 0.001);
        const bool latency_ok = b.p99_s <= 0 || s.p99_s[i] <= 2 * b.p99_s;
        return errors_ok && latency_ok;
    };
    for (std::size_t i = 0; i < s.t_s.size(); ++i) {
        if (s.t_s[i] <= end_s + kEps) continue;
        bool run = true;
        for (std::size_t k = i; k < std::min(s.t_s.size(), i + static_cast<std::size_t>(stable)) && run; ++k) run = normal(k);
        if (run) return std::max(0.0, s.t_s[i] - s.interval_s - end_s);
    }
    return std::nullopt;
}

std::optional<HitRatioImpact> hit_ratio_impact(const std::vector<double>& t_s, const std::vector<double>& hit_ratio,
                                               double interval_s, double start_s, double end_s, int max_intervals) {
    const std::size_t n = std::min(t_s.size(), hit_ratio.size());
    HitRatioImpact h;
    int baseline = 0;
    double sum = 0;
    for (std::size_t i = n; i-- > 0 && baseline < max_intervals;)
        if (t_s[i] <= start_s + kEps) sum += hit_ratio[i], ++baseline;
    if (baseline == 0) return std::nullopt;
    h.before = sum / baseline;
    h.lowest = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < n; ++i) {
        if (t_s[i] <= start_s + kEps) continue;
        if (t_s[i] - interval_s < end_s - kEps) h.lowest = std::min(h.lowest, hit_ratio[i]);
        const bool after_flush = t_s[i] - interval_s >= start_s - kEps;  // lookups all made after it
        if (after_flush && !h.recovered_s && hit_ratio[i] >= 0.95 * h.before) h.recovered_s = t_s[i] - start_s;
    }
    if (!std::isfinite(h.lowest)) h.lowest = h.before;
    return h;
}

}  // namespace stacksim::sim
