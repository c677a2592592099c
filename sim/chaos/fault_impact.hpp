#pragma once
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

// What a fault did, read from the run's per-interval series (docs/chaos.md, "Impact"). Pure
// arithmetic on the results document's series: no SimGrid.
namespace stacksim::sim {

// The per-interval columns the impact needs (t_s is the end of each interval).
struct IntervalSeries {
    std::vector<double> t_s, completed_rps, errors_rps, p99_s;
    double interval_s = 1;
    static IntervalSeries from_json(const nlohmann::json& series, double interval_s);
};

// The pre-fault baseline: up to `max_intervals` intervals ending at or before start_s.
struct Baseline {
    double error_rate = 0;  // errors / finished over those intervals
    double p99_s = 0;       // median of their per-interval p99
    int intervals = 0;      // 0: the fault started in the first interval, no baseline
};
Baseline baseline_before(const IntervalSeries& s, double start_s, int max_intervals = 30);

// An interval is back to normal when its error rate <= max(2 x baseline, 0.1 %) and its p99
// <= 2 x the baseline p99. Time to recover: from end_s to the start of the first interval
// (among those reaching past end_s) that begins `stable` consecutive normal intervals (fewer
// at the end of the run); 0 when the interval holding the end is already normal; nullopt
// when it never recovers or there is no baseline.
std::optional<double> time_to_recover(const IntervalSeries& s, const Baseline& b, double end_s, int stable = 3);

// A cache's hit ratio around a flush at start_s: the baseline mean, the lowest per-interval
// value in (start_s, end_s], and how long after start_s it is back to >= 95 % of the baseline
// (the end of the first interval, wholly after the flush, that reaches it).
struct HitRatioImpact {
    double before = 0, lowest = 0;
    std::optional<double> recovered_s;
};
std::optional<HitRatioImpact> hit_ratio_impact(const std::vector<double>& t_s, const std::vector<double>& hit_ratio,
                                               double interval_s, double start_s, double end_s, int max_intervals = 30);

}  // namespace stacksim::sim
