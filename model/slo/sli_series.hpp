#pragma once
#include <cstdint>
#include <vector>

// Per-interval SLI event counts as the simulator records them: interval i ends at t_end_s[i]
// and holds `valid` events of which `good` met the SLO. Intervals starting before `warmup_s`
// are the warm-up (the loader makes it a whole number of intervals): shown in series,
// excluded from every verdict.
namespace stacksim::slo {

struct SliSeries {
    std::vector<double> t_end_s;
    std::vector<std::uint64_t> good, valid;
    double interval_s = 1, warmup_s = 0;

    [[nodiscard]] bool measured(std::size_t i) const { return t_end_s[i] - interval_s >= warmup_s - 1e-9; }
    [[nodiscard]] double measured_s() const;
};

// Cumulative valid and bad events of the measured intervals as piecewise-linear functions of
// time (events are taken as uniform within an interval), so that any window, aligned with
// the intervals or not, is a difference of two lookups.
class CumulativeCounts {
public:
    explicit CumulativeCounts(const SliSeries& s);
    [[nodiscard]] double valid_until(double t) const { return at(valid_, t); }
    [[nodiscard]] double bad_until(double t) const { return at(bad_, t); }
    [[nodiscard]] double start_s() const { return start_s_; }  // when measurement starts

private:
    [[nodiscard]] double at(const std::vector<double>& cum, double t) const;
    std::vector<double> t_, valid_, bad_;  // knots: t_[0] = start, then each measured interval end
    double start_s_ = 0;
};

}  // namespace stacksim::slo
