// Fault impact arithmetic on synthetic series: baseline, time to recover, cache hit ratio.
#include <gtest/gtest.h>

#include "sim/chaos/fault_impact.hpp"

using namespace stacksim::sim;

namespace {
// 1 s intervals ending at 1..n; errors and p99 given per interval, 100 finished each.
IntervalSeries series(const std::vector<double>& errors, const std::vector<double>& p99) {
    IntervalSeries s;
    for (std::size_t i = 0; i < errors.size(); ++i) {
        s.t_s.push_back(static_cast<double>(i + 1));
        s.errors_rps.push_back(errors[i]);
        s.completed_rps.push_back(100 - errors[i]);
        s.p99_s.push_back(p99[i]);
    }
    return s;
}
}  // namespace

TEST(FaultImpact, BaselineIsTheIntervalsBeforeTheStart) {
    const auto s = series({0, 1, 0, 50, 50, 0}, {0.1, 0.2, 0.1, 0.5, 0.5, 0.1});
    const Baseline b = baseline_before(s, 3);
    EXPECT_EQ(b.intervals, 3);
    EXPECT_NEAR(b.error_rate, 1.0 / 300, 1e-12);
    EXPECT_DOUBLE_EQ(b.p99_s, 0.1);
    EXPECT_EQ(baseline_before(s, 0.5).intervals, 0);
}

TEST(FaultImpact, RecoveryNeedsThreeNormalIntervalsAfterTheEnd) {
    // fault [3, 5]; interval 6 still bad (p99 3x), 7.. normal: recovered at t = 6 (start of interval 7).
    const auto s = series({0, 0, 0, 50, 50, 0, 0, 0, 0, 0}, {0.1, 0.1, 0.1, 1, 1, 0.3, 0.1, 0.1, 0.1, 0.1});
    const Baseline b = baseline_before(s, 3);
    ASSERT_TRUE(time_to_recover(s, b, 5).has_value());
    EXPECT_DOUBLE_EQ(*time_to_recover(s, b, 5), 1.0);
    // A blip of one normal interval does not count.
    const auto t = series({0, 0, 0, 50, 0, 50, 0, 0, 0, 0}, {0.1, 0.1, 0.1, 1, 0.1, 1, 0.1, 0.1, 0.1, 0.1});
    EXPECT_DOUBLE_EQ(*time_to_recover(t, baseline_before(t, 3), 4), 2.0);
    // Never normal again: no recovery.
    const auto u = series({0, 0, 0, 50, 50, 50}, {0.1, 0.1, 0.1, 1, 1, 1});
    EXPECT_FALSE(time_to_recover(u, baseline_before(u, 3), 4).has_value());
}

TEST(FaultImpact, HitRatioDropsAndRecovers) {
    const std::vector<double> t{1, 2, 3, 4, 5, 6, 7, 8};
    const std::vector<double> hit{0.8, 0.8, 0.8, 0.1, 0.4, 0.7, 0.78, 0.8};
    const auto h = hit_ratio_impact(t, hit, 1, 3, 8);
    ASSERT_TRUE(h.has_value());
    EXPECT_DOUBLE_EQ(h->before, 0.8);
    EXPECT_DOUBLE_EQ(h->lowest, 0.1);
    ASSERT_TRUE(h->recovered_s.has_value());
    EXPECT_DOUBLE_EQ(*h->recovered_s, 4.0);  // 0.78 >= 0.95 x 0.8 at the end of the interval ending at 7
}
