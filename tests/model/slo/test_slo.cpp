// SLO arithmetic against hand-computed cases (docs/results.md, "slos").
#include <gtest/gtest.h>

#include "model/slo/fault_slo_impact.hpp"
#include "model/slo/slo_report.hpp"

namespace stacksim::slo {
namespace {

// n intervals of `interval_s`, `valid` events each, bad events where `bad` says.
SliSeries steady(std::size_t n, double interval_s, std::uint64_t valid, const std::vector<std::uint64_t>& bad,
                 double warmup_s = 0) {
    SliSeries s;
    s.interval_s = interval_s;
    s.warmup_s = warmup_s;
    for (std::size_t i = 0; i < n; ++i) {
        s.t_end_s.push_back(static_cast<double>(i + 1) * interval_s);
        s.valid.push_back(valid);
        s.good.push_back(valid - (i < bad.size() ? bad[i] : 0));
    }
    return s;
}

Slo availability(double objective, std::vector<BurnRateAlert> alerts = {}) {
    Slo s;
    s.name = "availability";
    s.objective = objective;
    s.window_s = 30 * 86400.0;
    s.alerts = std::move(alerts);
    return s;
}

TEST(ErrorBudget, ScalesTheRunToTheWindow) {
    // 150 s at 1000 valid/s with 100 bad against 99.9 % over 30 days:
    // the window expects 1000 * 2 592 000 = 2.592e9 valid events and allows 2.592e6 bad ones.
    const ErrorBudget b = error_budget(0.999, 30 * 86400.0, 150, 150000, 149900);
    EXPECT_DOUBLE_EQ(b.window_valid_estimate, 2.592e9);
    EXPECT_NEAR(b.window_allowed_bad, 2.592e6, 1e-3);
    EXPECT_DOUBLE_EQ(b.consumed_bad, 100);
    EXPECT_NEAR(b.consumed_fraction, 100 / 2.592e6, 1e-15);
    EXPECT_NEAR(b.remaining_fraction, 1 - 100 / 2.592e6, 1e-15);
}

TEST(ErrorBudget, ConsumedFractionIsBurnRateTimesRunOverWindow) {
    // Whatever the traffic, consumed = (bad fraction / allowed fraction) * measured / window.
    const ErrorBudget b = error_budget(0.99, 3600, 360, 5000, 4900);  // 2 % bad = burn 2, a tenth of the window
    EXPECT_NEAR(b.consumed_fraction, 2.0 * 360 / 3600, 1e-12);
}

TEST(ErrorBudget, OverspentBudgetGoesNegative) {
    const ErrorBudget b = error_budget(0.99, 600, 600, 1000, 900);  // 10 % bad over the whole window
    EXPECT_NEAR(b.consumed_fraction, 10, 1e-12);
    EXPECT_NEAR(b.remaining_fraction, -9, 1e-12);
}

TEST(SloReport, VerdictAndBurnRateExcludeTheWarmUp) {
    // Ten 1 s intervals, warm-up 2 s: the 500 bad events of the first interval do not count.
    const SliSeries s = steady(10, 1, 1000, {500, 0, 0, 10}, 2);
    const SloReport r = evaluate(availability(0.999), s);
    EXPECT_EQ(r.valid, 8000u);
    EXPECT_EQ(r.good, 7990u);
    EXPECT_NEAR(r.sli, 7990.0 / 8000, 1e-12);
    EXPECT_FALSE(r.met);  // 99.875 % < 99.9 %
    EXPECT_NEAR(r.burn_rate, (10.0 / 8000) / 0.001, 1e-9);
    ASSERT_EQ(r.budget_remaining.size(), 10u);
    EXPECT_DOUBLE_EQ(r.budget_remaining[2], 1.0);  // nothing spent before interval 4
    EXPECT_LT(r.budget_remaining[3], 1.0);
    EXPECT_DOUBLE_EQ(r.budget_remaining[3], r.budget_remaining[9]);
}

TEST(SloReport, NoValidEventIsNoDataNotMet) {
    const SloReport r = evaluate(availability(0.999), steady(10, 1.0, 0, {}));
    EXPECT_TRUE(r.no_data);
    EXPECT_FALSE(r.met);
    const auto j = to_json(r, steady(10, 1.0, 0, {}));
    EXPECT_TRUE(j["no_data"].get<bool>());
    EXPECT_FALSE(j["met"].get<bool>());
}

TEST(SloReport, AnSliExactlyAtTheObjectiveIsMet) {
    const SliSeries s = steady(4, 1, 100, {1});  // 399 / 400 good
    EXPECT_TRUE(evaluate(availability(0.9975), s).met);
    EXPECT_FALSE(evaluate(availability(0.998), s).met);
}

TEST(CumulativeCounts, InterpolatesInsideAnInterval) {
    const SliSeries s = steady(3, 10, 100, {0, 40});
    const CumulativeCounts c(s);
    EXPECT_DOUBLE_EQ(c.valid_until(15), 150);
    EXPECT_DOUBLE_EQ(c.bad_until(15), 20);
    EXPECT_DOUBLE_EQ(c.bad_until(-5), 0);
    EXPECT_DOUBLE_EQ(c.valid_until(100), 300);
}

TEST(BurnRate, LongWindowBeforeTheRunCountsAsHealthyTraffic) {
    // 180 s at 1000 valid/s, 1 % bad, objective 99.9 %: per interval the burn is 10, but over a
    // 1 h window ending at 180 s, 3420 s of it are healthy history at 1000/s:
    // 1800 bad / (180 000 + 3 420 000) valid = 5e-4, burn 0.5.
    const SliSeries s = steady(180, 1, 1000, std::vector<std::uint64_t>(180, 10));
    const CumulativeCounts c(s);
    EXPECT_NEAR(burn_rate(c, 1000, 0.999, 180, 3600), 0.5, 1e-12);
    EXPECT_NEAR(burn_rate(c, 1000, 0.999, 180, 60), 10, 1e-12);
}

TEST(BurnRateAlert, FiresWhenBothWindowsBurnAndResolvesWithTheShortOne) {
    // objective 99 %, 60 s intervals of 6000 valid events, 60 % bad in intervals 6..10
    // (ending at 360..600 s), alert: burn >= 5 over 10 min and 1 min.
    // At 300 s nothing burns. At 360 s: short window burn 0.6/0.01 = 60; long window
    // [-240 s, 360 s] = 3600 bad / (36 000 + 240 s * 100/s history) = 0.06 -> burn 6: fires.
    // At 660 s the short window is clean: resolves.
    std::vector<std::uint64_t> bad(20, 0);
    for (std::size_t i = 5; i < 10; ++i) bad[i] = 3600;
    const SliSeries s = steady(20, 60, 6000, bad);
    const SloReport r = evaluate(availability(0.99, {{"page", 600, 60, 5}}), s);
    ASSERT_EQ(r.alerts.size(), 1u);
    ASSERT_EQ(r.alerts[0].fired.size(), 1u);
    EXPECT_DOUBLE_EQ(r.alerts[0].fired[0].fired_s, 360);
    ASSERT_TRUE(r.alerts[0].fired[0].resolved_s.has_value());
    EXPECT_DOUBLE_EQ(*r.alerts[0].fired[0].resolved_s, 660);
    // The long window at 360 s counts 240 s of healthy history (without it the burn would be 10).
    EXPECT_NEAR(burn_rate(CumulativeCounts(s), 100, 0.99, 360, 600), 6, 1e-9);
    ASSERT_EQ(r.burn_rate_short.size(), 20u);
    EXPECT_NEAR(r.burn_rate_short[5], 60, 1e-9);
}

TEST(BurnRateAlert, AShortBlipDoesNotPageOnTheHourWindow) {
    // One bad second (50 %) in 3 minutes at 99.9 %: the 5 min window burns 500/300000/0.001 = 1.67
    // and the 1 h window far less; the 14.4x page must stay silent.
    std::vector<std::uint64_t> bad(180, 0);
    bad[100] = 500;
    const SloReport r = evaluate(availability(0.999, default_burn_rate_alerts()), steady(180, 1, 1000, bad));
    for (const auto& a : r.alerts) EXPECT_TRUE(a.fired.empty()) << a.rule.long_window_s;
}

TEST(BurnRateAlert, StillFiringAtTheEndHasNoResolution) {
    const SloReport r = evaluate(availability(0.99, {{"page", 60, 10, 2}}), steady(30, 10, 100, std::vector<std::uint64_t>(30, 50)));
    ASSERT_EQ(r.alerts[0].fired.size(), 1u);
    EXPECT_DOUBLE_EQ(r.alerts[0].fired[0].fired_s, 10);
    EXPECT_FALSE(r.alerts[0].fired[0].resolved_s.has_value());
}

TEST(SloJson, CarriesVerdictBudgetAlertsAndSeries) {
    const SliSeries s = steady(5, 1, 10, {0, 5});
    const auto j = to_json(evaluate(availability(0.9, {{"ticket", 3, 1, 1.5}}), s), s);
    EXPECT_EQ(j["sli"], "availability");
    EXPECT_TRUE(j["endpoint"].is_null());
    EXPECT_EQ(j["valid"], 50);
    EXPECT_EQ(j["good"], 45);
    EXPECT_EQ(j["met"], true);  // exactly 90 %
    EXPECT_EQ(j["series"]["valid"].size(), 5u);
    EXPECT_EQ(j["alerts"][0]["severity"], "ticket");
    EXPECT_TRUE(j["alerts"][0]["fired"][0]["resolved_s"].is_number());
}

}  // namespace
}  // namespace stacksim::slo

namespace stacksim::slo {
namespace {

TEST(FaultSloImpact, ChargesTheFaultWindowAndFindsTheFirstAlertInIt) {
    // 60 s intervals of 6000 events; 60 % bad in intervals ending 360..600 s (as above).
    std::vector<std::uint64_t> bad(20, 0);
    for (std::size_t i = 5; i < 10; ++i) bad[i] = 3600;
    SliSeries s;
    s.interval_s = 60;
    for (std::size_t i = 0; i < 20; ++i) {
        s.t_end_s.push_back(60.0 * static_cast<double>(i + 1));
        s.valid.push_back(6000);
        s.good.push_back(6000 - bad[i]);
    }
    Slo slo;
    slo.name = "availability";
    slo.objective = 0.99;
    slo.window_s = 1200;  // the run is the whole window: 120 000 valid, 1 200 bad allowed
    slo.alerts = {{"page", 600, 60, 5}};
    const SloReport r = evaluate(slo, s);
    // A fault from 300 s to 600 s: 5 bad intervals = 18 000 bad events = 15 budgets.
    const FaultSloImpact i = fault_slo_impact(r, s, 300, 600);
    EXPECT_DOUBLE_EQ(i.bad_events, 18000);
    EXPECT_NEAR(i.budget_consumed_fraction, 15, 1e-9);
    ASSERT_TRUE(i.detected_at_s.has_value());
    EXPECT_DOUBLE_EQ(*i.detected_at_s, 360);
    EXPECT_EQ(to_json(i, 300)["time_to_detect_s"], 60.0);
    // Half-way into an interval: half of its events (linear within the interval).
    EXPECT_DOUBLE_EQ(fault_slo_impact(r, s, 330, 360).bad_events, 1800);
    // A window before anything burned: nothing spent, nothing detected.
    const FaultSloImpact quiet = fault_slo_impact(r, s, 0, 200);
    EXPECT_DOUBLE_EQ(quiet.bad_events, 0);
    EXPECT_FALSE(quiet.detected_at_s.has_value());
}

}  // namespace
}  // namespace stacksim::slo
