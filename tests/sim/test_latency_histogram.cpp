#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <vector>

#include "sim/metrics/latency_histogram.hpp"

using stacksim::sim::LatencyHistogram;

namespace {

// Slack for log() rounding of samples within an ulp of a bucket edge.
constexpr double kRounding = 1e-9;

std::vector<double> exponential_samples(std::size_t n, double mean, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::exponential_distribution<double> d(1 / mean);
    std::vector<double> v(n);
    for (double& x : v) x = d(rng);
    return v;
}

std::vector<double> lognormal_samples(std::size_t n, double mu, double sigma, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::lognormal_distribution<double> d(mu, sigma);
    std::vector<double> v(n);
    for (double& x : v) x = d(rng);
    return v;
}

// The ceil(q·n)-th smallest sample (rank 1 for q = 0), the definition quantile() promises.
double exact_quantile(const std::vector<double>& sorted, double q) {
    const auto n = static_cast<double>(sorted.size());
    const double rank = std::max(1.0, std::ceil(q * n));
    return sorted[static_cast<std::size_t>(rank) - 1];
}

double fraction_le(const std::vector<double>& sorted, double t) {
    return static_cast<double>(std::upper_bound(sorted.begin(), sorted.end(), t) - sorted.begin()) /
           static_cast<double>(sorted.size());
}

void expect_quantiles_within_bound(const std::vector<double>& samples, double rel_error, double min_s = 1e-7) {
    LatencyHistogram h(rel_error, min_s);
    for (double x : samples) h.record(x);
    std::vector<double> sorted = samples;
    std::sort(sorted.begin(), sorted.end());
    double worst = 0;
    for (int i = 0; i <= 10000; ++i) {
        const double q = i / 10000.0;
        const double exact = exact_quantile(sorted, q);
        const double err = std::abs(h.quantile(q) - exact) / exact;
        worst = std::max(worst, err);
        ASSERT_LE(err, rel_error * (1 + kRounding)) << "q=" << q << " exact=" << exact;
    }
    for (double q : {0.5, 0.9, 0.99, 0.999, 0.9999})
        EXPECT_LE(std::abs(h.quantile(q) - exact_quantile(sorted, q)), rel_error * exact_quantile(sorted, q) * (1 + kRounding));
    // The bound is not vacuous: the scheme does use most of its error budget somewhere.
    EXPECT_GT(worst, 0.5 * rel_error);
}

}  // namespace

TEST(LatencyHistogram, ExponentialQuantilesWithinRelativeErrorOfExactSampleQuantiles) {
    expect_quantiles_within_bound(exponential_samples(1'000'000, 0.010, 1), 0.01);
}

TEST(LatencyHistogram, WideLognormalQuantilesWithinRelativeErrorForSeveralResolutions) {
    // sigma = 3 spans ~10 decades (1e-9 .. 1e3 s here), so the range starts at 1e-12 s.
    const auto samples = lognormal_samples(300'000, std::log(1e-3), 3.0, 2);
    ASSERT_LT(*std::min_element(samples.begin(), samples.end()), 1e-7);
    for (double r : {0.001, 0.01, 0.05}) expect_quantiles_within_bound(samples, r, 1e-12);
}

TEST(LatencyHistogram, EverySingleValueIsWithinRelativeErrorOfItsRepresentative) {
    // Values bracketed by a tiny and a huge sample so the median is not clamped to them.
    const double r = 0.01;
    LatencyHistogram h(r);
    double worst = 0;
    for (int i = 0; i <= 50'000; ++i) {
        const double v = 2e-7 * std::pow(1e11, i / 50'000.0);
        h.clear();
        h.record(1e-7);
        h.record(v);
        h.record(1e5);
        const double err = std::abs(h.quantile(0.5) - v) / v;
        worst = std::max(worst, err);
        ASSERT_LE(err, r * (1 + kRounding)) << "v=" << v;
    }
    EXPECT_GT(worst, 0.99 * r);  // buckets are as wide as the bound allows (memory-optimal)
}

TEST(LatencyHistogram, MemoryIsFixedAtConstructionAndIndependentOfSamples) {
    LatencyHistogram h;
    // γ = 1.01/0.99: ln(1e12)/ln γ ≈ 1381.5 buckets span [1e-7, 1e5].
    const std::size_t expected = static_cast<std::size_t>(std::floor(std::log(1e12) / std::log(1.01 / 0.99))) + 1;
    EXPECT_EQ(h.bucket_count(), expected);
    EXPECT_LT(h.bucket_count(), 1500u);
    for (double x : exponential_samples(1'000'000, 0.05, 3)) h.record(x);
    for (double x : {0.0, 1e-12, 1e9, 1e300}) h.record(x);
    EXPECT_EQ(h.bucket_count(), expected);
    EXPECT_EQ(h.count(), 1'000'004u);
    EXPECT_GT(LatencyHistogram(0.001).bucket_count(), 9 * expected);  // finer resolution costs memory
}

TEST(LatencyHistogram, MergeEqualsRecordingEverything) {
    const auto samples = exponential_samples(200'000, 0.002, 4);
    LatencyHistogram all, a, b, empty;
    for (std::size_t i = 0; i < samples.size(); ++i) {
        all.record(samples[i]);
        (i % 3 == 0 ? a : b).record(samples[i]);
    }
    a.merge(b);
    a.merge(empty);
    empty.merge(a);  // merging into an empty histogram takes over min/max too
    for (const LatencyHistogram* m : {&a, &empty}) {
        EXPECT_EQ(m->count(), all.count());
        EXPECT_EQ(m->max(), all.max());
        EXPECT_NEAR(m->mean(), all.mean(), 1e-12 * all.mean());
        for (int i = 0; i <= 1000; ++i) EXPECT_EQ(m->quantile(i / 1000.0), all.quantile(i / 1000.0));
        for (double t : {1e-4, 1e-3, 2e-3, 1e-2}) EXPECT_EQ(m->fraction_at_or_below(t), all.fraction_at_or_below(t));
    }
}

TEST(LatencyHistogram, MergeRejectsDifferentParameters) {
    LatencyHistogram h;
    EXPECT_THROW(h.merge(LatencyHistogram(0.02)), std::invalid_argument);
    EXPECT_THROW(h.merge(LatencyHistogram(0.01, 1e-6)), std::invalid_argument);
    EXPECT_THROW(h.merge(LatencyHistogram(0.01, 1e-7, 1e4)), std::invalid_argument);
    EXPECT_NO_THROW(h.merge(LatencyHistogram(0.01, 1e-7, 1e5)));
}

TEST(LatencyHistogram, MeanIsExactAndEmptyHistogramIsZero) {
    LatencyHistogram h;
    EXPECT_EQ(h.count(), 0u);
    EXPECT_EQ(h.mean(), 0.0);
    EXPECT_EQ(h.quantile(0.5), 0.0);
    EXPECT_EQ(h.fraction_at_or_below(1.0), 0.0);
    for (double x : {0.001, 0.002, 0.0035, 7.25}) h.record(x);
    EXPECT_DOUBLE_EQ(h.mean(), (0.001 + 0.002 + 0.0035 + 7.25) / 4);
    EXPECT_EQ(h.max(), 7.25);
    h.clear();
    EXPECT_EQ(h.count(), 0u);
    EXPECT_EQ(h.mean(), 0.0);
    EXPECT_EQ(h.max(), 0.0);
}

TEST(LatencyHistogram, OutOfRangeValuesLandInEdgeBucketsAndExtremesStayExact) {
    LatencyHistogram h;
    h.record(1e-9);  // below min_s
    h.record(1e-3);
    h.record(5e6);  // above max_s
    EXPECT_EQ(h.count(), 3u);
    EXPECT_EQ(h.quantile(0), 1e-9);  // clamped to the smallest sample seen
    EXPECT_EQ(h.quantile(1), 5e6);
    EXPECT_NEAR(h.quantile(0.5), 1e-3, 1e-5);
    EXPECT_EQ(h.fraction_at_or_below(5e6), 1.0);
    EXPECT_EQ(h.fraction_at_or_below(1e-10), 0.0);
}

TEST(LatencyHistogram, FractionAtOrBelowIsBracketedByTheBucketResolution) {
    const double r = 0.01;
    auto samples = exponential_samples(500'000, 0.01, 5);
    LatencyHistogram h(r);
    for (double x : samples) h.record(x);
    std::sort(samples.begin(), samples.end());
    for (int i = 0; i <= 400; ++i) {
        const double t = 1e-6 * std::pow(1e5, i / 400.0);
        const double f = h.fraction_at_or_below(t);
        EXPECT_GE(f, fraction_le(samples, t / (1 + r) * (1 - kRounding))) << t;
        EXPECT_LE(f, fraction_le(samples, t / (1 - r) * (1 + kRounding))) << t;
    }
    // Consistent with quantile(): the q-quantile is an SLO threshold met by >= q of requests.
    for (double q : {0.1, 0.5, 0.9, 0.99, 0.999}) EXPECT_GE(h.fraction_at_or_below(h.quantile(q)), q);
}

TEST(LatencyHistogram, RejectsInvalidParameters) {
    EXPECT_THROW(LatencyHistogram(0), std::invalid_argument);
    EXPECT_THROW(LatencyHistogram(1), std::invalid_argument);
    EXPECT_THROW(LatencyHistogram(0.01, 0), std::invalid_argument);
    EXPECT_THROW(LatencyHistogram(0.01, 1, 1), std::invalid_argument);
}

// The interpolated estimator (what results.json reports): within the bucket's width of the
// exact sample quantile, closer on average than the bucket's representative, and it varies
// with the data inside a bucket — replications landing in one bucket no longer agree to the
// last digit (their confidence interval was "± 0").
TEST(LatencyHistogram, InterpolatedQuantilesAreWithinTheBucketWidthAndResolveWithinABucket) {
    const double r = 0.01, width = 2 * r / (1 - r);
    double sum_interpolated = 0, sum_representative = 0;
    int cases = 0;
    std::vector<double> medians_interpolated, medians_representative;
    for (std::uint64_t seed = 10; seed < 20; ++seed) {
        auto samples = exponential_samples(20'000, 0.010, seed);
        LatencyHistogram h(r);
        for (double x : samples) h.record(x);
        std::sort(samples.begin(), samples.end());
        for (int i = 1; i < 1000; ++i) {
            const double q = i / 1000.0, exact = exact_quantile(samples, q);
            const double e = std::abs(h.interpolated_quantile(q) - exact) / exact;
            ASSERT_LE(e, width * (1 + kRounding)) << "q=" << q;
            sum_interpolated += e;
            sum_representative += std::abs(h.quantile(q) - exact) / exact;
            ++cases;
        }
        medians_interpolated.push_back(h.interpolated_quantile(0.5));
        medians_representative.push_back(h.quantile(0.5));
    }
    EXPECT_LT(sum_interpolated / cases, 0.5 * sum_representative / cases);
    // Ten replications' medians: the representative takes few distinct values (whole buckets),
    // the interpolated one a distinct value per replication.
    auto distinct = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return static_cast<std::size_t>(std::unique(v.begin(), v.end()) - v.begin());
    };
    EXPECT_LT(distinct(medians_representative), 6u);
    EXPECT_EQ(distinct(medians_interpolated), 10u);
    // Extremes stay exact; empty stays 0.
    LatencyHistogram h;
    EXPECT_EQ(h.interpolated_quantile(0.5), 0.0);
    for (double x : {0.003, 0.001, 0.002}) h.record(x);
    EXPECT_EQ(h.interpolated_quantile(0), 0.001);
    EXPECT_EQ(h.interpolated_quantile(1), 0.003);
}
