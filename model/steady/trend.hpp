#pragma once
#include <cstddef>
#include <vector>

// Is a depth growing? The OLS slope of a series against time, with a confidence interval that
// holds for autocorrelated data: the series is cut into batches whose means are nearly
// independent (batch means, Law & Kelton "Simulation Modeling and Analysis" §9.5.3) and the
// slope is fitted to the batch means with Student's t on (batches - 2) degrees of freedom.
namespace stacksim::steady {

struct Trend {
    bool judged = false;           // false: too few intervals to fit a trend
    std::size_t batches = 0;
    double slope_per_s = 0;        // items per second
    double ci_low = 0, ci_high = 0;  // confidence interval of the slope
    double first_third_mean = 0, last_third_mean = 0, mean = 0;
    double first = 0, last = 0;    // the series' first and last values
    double span_s = 0;             // time the series covers
    // Significant and material: the interval excludes 0 and the growth over the span is at
    // least kMinGrowth items and half the early level (a stable queue wanders, it does not climb).
    bool growing = false;
};

inline constexpr std::size_t kMinIntervals = 8;   // fewer: not judged
inline constexpr std::size_t kMaxBatches = 10;
inline constexpr double kTrendConfidence = 0.99;  // two-sided; several resources are tested per run
inline constexpr double kMinGrowth = 10;          // items over the measured period

// `y` are per-interval samples, `interval_s` apart.
Trend trend(const std::vector<double>& y, double interval_s, double confidence = kTrendConfidence);

}  // namespace stacksim::steady
