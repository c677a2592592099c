// The steady-state statistics on synthetic series that must pass and series that must fail:
// the trend test (batch-means slope CI), MSER-5 truncation, and the per-run assessment.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "model/steady/assessment.hpp"
#include "model/steady/mser.hpp"
#include "model/steady/trend.hpp"

namespace stacksim::steady {
namespace {

using nlohmann::json;

// A portable normal sampler (splitmix64 + Box-Muller): std:: distributions differ by library.
class Normal {
public:
    explicit Normal(std::uint64_t seed) : s_(seed) {}
    double operator()() {
        const double u1 = (static_cast<double>(next() >> 11) + 0.5) / 9007199254740992.0;
        const double u2 = static_cast<double>(next() >> 11) / 9007199254740992.0;
        return std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
    }

private:
    std::uint64_t next() {
        std::uint64_t z = (s_ += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    std::uint64_t s_;
};

// AR(1) around `level` (autocorrelation phi, like a queue's depth), plus `slope` per sample.
std::vector<double> ar1(std::size_t n, double level, double phi, double sd, double slope, std::uint64_t seed) {
    Normal z(seed);
    std::vector<double> y(n);
    double e = 0;
    for (std::size_t i = 0; i < n; ++i) {
        e = phi * e + sd * z();
        y[i] = std::max(0.0, level + slope * static_cast<double>(i) + e);
    }
    return y;
}

TEST(Trend, AStationaryAutocorrelatedDepthIsNotGrowing) {
    // Strong autocorrelation fools a naive OLS CI; batch means must not flag it.
    for (std::uint64_t seed = 1; seed <= 30; ++seed) {
        const Trend t = trend(ar1(150, 40, 0.9, 6, 0, seed), 1.0);
        ASSERT_TRUE(t.judged);
        EXPECT_FALSE(t.growing) << "seed " << seed << " slope " << t.slope_per_s << " [" << t.ci_low << ", " << t.ci_high << "]";
    }
}

TEST(Trend, ALinearlyGrowingBacklogIsGrowingAndItsRateIsInTheInterval) {
    // The flagship's orders queue: +135 messages per second, noisy.
    for (std::uint64_t seed = 1; seed <= 10; ++seed) {
        const Trend t = trend(ar1(150, 17, 0.9, 300, 135, seed), 1.0);
        EXPECT_TRUE(t.growing) << "seed " << seed;
        EXPECT_LE(t.ci_low, 135) << "seed " << seed;
        EXPECT_GE(t.ci_high, 135) << "seed " << seed;
    }
}

TEST(Trend, AnIdleQueueAndAShortSeriesAreNotGrowing) {
    EXPECT_FALSE(trend(std::vector<double>(100, 0.0), 1.0).growing);
    const Trend short_run = trend({1, 2, 3, 4, 5}, 1.0);
    EXPECT_FALSE(short_run.judged);
    EXPECT_FALSE(short_run.growing);
    // Significant but immaterial: a queue creeping from 3 to 5 items is not a backlog.
    EXPECT_FALSE(trend(ar1(100, 3, 0, 0.01, 0.02, 1), 1.0).growing);
}

TEST(Mser5, FindsTheEndOfAColdCacheTransient) {
    // Hit ratio 0.18 -> 0.75 with a 40 s time constant, 1 s intervals, 600 s.
    Normal z(11);
    std::vector<double> y(600);
    for (std::size_t i = 0; i < y.size(); ++i) y[i] = 0.75 - 0.57 * std::exp(-static_cast<double>(i) / 40) + 0.01 * z();
    const Truncation t = mser5(y);
    ASSERT_TRUE(t.judged);
    EXPECT_TRUE(t.settled);
    EXPECT_GE(t.intervals, 80u);   // 2 time constants in, the bias still exceeds the noise
    EXPECT_LE(t.intervals, 300u);
    EXPECT_NEAR(t.steady_mean, 0.75, std::max(t.steady_ci95, 0.005));
}

TEST(Mser5, KeepsAStationarySeriesAndFlagsOneThatNeverSettles) {
    const Truncation flat = mser5(ar1(300, 10, 0.5, 1, 0, 3));
    ASSERT_TRUE(flat.judged);
    EXPECT_TRUE(flat.settled);
    std::vector<double> rising(120);
    for (std::size_t i = 0; i < rising.size(); ++i) rising[i] = 0.18 + 0.003 * static_cast<double>(i);
    const Truncation r = mser5(rising);
    ASSERT_TRUE(r.judged);
    EXPECT_FALSE(r.settled);
    EXPECT_FALSE(mser5({1, 2, 3}).judged);
}

Experiment experiment(double duration_s, double warmup_s) {
    Experiment e;
    e.duration_s = duration_s;
    e.warmup_s = warmup_s;
    e.interval_s = 1;
    Service q;
    q.name = "orders";
    q.kind = ServiceKind::queue;
    q.queue = QueueSpec{};
    q.queue->max_depth = 100000;
    e.topology.services["orders"] = q;
    return e;
}

json results(const std::vector<double>& depth, const std::vector<double>& hit_ratio) {
    json t = json::array(), zeros = json::array(), ones = json::array();
    for (std::size_t i = 0; i < depth.size(); ++i) t.push_back(static_cast<double>(i + 1)), zeros.push_back(0), ones.push_back(100);
    return {{"summary", {{"in_flight_at_end", 3}}},
            {"series", {{"t_s", t}, {"in_flight", zeros}, {"completed_rps", ones}, {"mean_s", ar1(depth.size(), 0.01, 0, 1e-4, 0, 5)},
                        {"queue_depth", {{"orders", depth}}}, {"cache_hit_ratio", {{"redis", hit_ratio}}}}}};
}

TEST(Assessment, AGrowingQueueIsUnstableWithItsTimeToFill) {
    const Experiment e = experiment(210, 30);
    std::vector<double> depth(210), hits(210, 0.75);
    for (std::size_t i = 0; i < depth.size(); ++i) depth[i] = 17 + 135.0 * static_cast<double>(i);
    const Assessment a = assess(e, results(depth, hits));
    EXPECT_EQ(a.verdict, "unstable");
    const Resource& q = a.resources.front();
    EXPECT_EQ(q.name, "queue orders");
    EXPECT_EQ(q.status, "growing");
    EXPECT_NEAR(q.trend.slope_per_s, 135, 1e-6);
    ASSERT_TRUE(q.time_to_full_s);
    EXPECT_NEAR(*q.time_to_full_s, (100000 - depth.back()) / 135, 1e-3);
    const json j = to_json(a);
    EXPECT_FALSE(j["conclusive"].get<bool>());
    EXPECT_FALSE(conclusive(j));
    json slos = json::array({{{"name", "a"}, {"met", true}}});
    mark_slos(slos, j);
    EXPECT_FALSE(slos[0]["conclusive"].get<bool>());
}

TEST(Assessment, AQueuePinnedAtItsBoundIsUnstable) {
    std::vector<double> depth(210), hits(210, 0.75);
    for (std::size_t i = 0; i < depth.size(); ++i) depth[i] = i < 20 ? 5000.0 * static_cast<double>(i) : 99990 + static_cast<double>(i % 10);
    const Assessment a = assess(experiment(210, 30), results(depth, hits));
    EXPECT_EQ(a.resources.front().status, "at_bound");
    EXPECT_EQ(a.verdict, "unstable");
    ASSERT_FALSE(a.findings.empty());
    EXPECT_NE(a.findings.front().find("at its bound"), std::string::npos);
}

TEST(Assessment, AColdCacheWithAShortWarmupIsATransientWithASuggestedWarmup) {
    // Over 5 minutes the first 10 s warm-up leaves the measured hit ratio ~8 % low.
    const Experiment e = experiment(300, 10);
    Normal z(2);
    std::vector<double> depth = ar1(300, 5, 0.5, 1, 0, 4), hits(300);
    for (std::size_t i = 0; i < hits.size(); ++i) hits[i] = 0.75 - 0.57 * std::exp(-static_cast<double>(i) / 40) + 0.01 * z();
    const Assessment a = assess(e, results(depth, hits));
    EXPECT_EQ(a.verdict, "transient");
    EXPECT_FALSE(a.warmup.adequate);
    ASSERT_TRUE(a.warmup.suggested_s);
    EXPECT_GT(*a.warmup.suggested_s, 60);
    // With the suggested warm-up, the same series passes.
    const Assessment again = assess(experiment(300, *a.warmup.suggested_s), results(depth, hits));
    EXPECT_EQ(again.verdict, "steady") << to_json(again).dump(1);
}

TEST(Assessment, ASeriesStillRisingAtTheEndIsATransientWithoutASuggestion) {
    // The cold cache: 0.18 -> 0.56 over a 60 s run, steady state far above.
    const Experiment e = experiment(60, 5);
    std::vector<double> depth = ar1(60, 5, 0.5, 1, 0, 4), hits(60);
    for (std::size_t i = 0; i < hits.size(); ++i) hits[i] = 0.18 + 0.38 * static_cast<double>(i) / 59;
    const Assessment a = assess(e, results(depth, hits));
    EXPECT_EQ(a.verdict, "transient");
    EXPECT_FALSE(a.warmup.suggested_s);  // the run cannot tell where the transient ends
    ASSERT_FALSE(a.findings.empty());
    EXPECT_NE(a.findings.back().find("run longer"), std::string::npos) << a.findings.back();
}

TEST(Assessment, ALongWarmupPastMostOfTheTransientIsAdequate) {
    // The rise lasts 100 of 180 s (past the half-way limit of MSER-5), but the part measured
    // after the 150 s warm-up is flat: nothing to flag.
    const Experiment e = experiment(180, 150);
    Normal z(9);
    std::vector<double> depth = ar1(180, 5, 0.5, 1, 0, 4), hits(180);
    for (std::size_t i = 0; i < hits.size(); ++i)
        hits[i] = std::min(0.74, 0.3 + 0.0044 * static_cast<double>(i)) + 0.005 * z();
    const Assessment a = assess(e, results(depth, hits));
    EXPECT_EQ(a.verdict, "steady") << to_json(a).dump(1);
}

TEST(Assessment, ReplicationsPoolToUnstableWhenAnyReplicationGrows) {
    const json steady{{"verdict", "steady"}, {"resources", json::array()}, {"warmup", {{"suggested_s", nullptr}}}};
    const json growing{{"verdict", "unstable"},
                       {"resources", json::array({{{"name", "queue orders"}, {"status", "growing"}}})},
                       {"warmup", {{"suggested_s", 120}}}, {"findings", json::array({"queue orders grows"})}};
    const json p = pool({steady, growing, steady});
    EXPECT_EQ(p["verdict"], "unstable");
    EXPECT_FALSE(conclusive(p));
    EXPECT_EQ(p["growing"][0]["growing_in"], 1);
    EXPECT_EQ(p["warmup"]["suggested_s"], 120);
    EXPECT_TRUE(conclusive(pool({steady, steady})));
}

}  // namespace
}  // namespace stacksim::steady
