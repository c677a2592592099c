#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

#include "model/analytic/cache_hit.hpp"

using namespace stacksim::analytic;

namespace {

const double kInf = std::numeric_limits<double>::infinity();

std::vector<double> zipf_rates(double alpha, std::size_t keys) {
    std::vector<double> r(keys);
    for (std::size_t i = 0; i < keys; ++i) r[i] = std::pow(static_cast<double>(i + 1), -alpha);
    return r;
}

// Che hit ratio summed key by key (no bucketing), as the reference for the bucketed tail.
double exact_che_hit_ratio(double alpha, std::size_t keys, double capacity) {
    const std::vector<double> r = zipf_rates(alpha, keys);
    const double t = che_characteristic_time(r, capacity);
    double hits = 0, total = 0;
    for (double v : r) {
        hits += v * -std::expm1(-v * t);
        total += v;
    }
    return hits / total;
}

// A real LRU cache of `capacity` keys fed by i.i.d. Zipf requests (the independent reference
// model Che assumes). Intrusive doubly-linked list over key indices; O(1) per request.
double simulate_lru(double alpha, std::size_t keys, std::size_t capacity, std::size_t warmup, std::size_t requests,
                    std::uint64_t seed) {
    std::vector<double> cdf = zipf_rates(alpha, keys);
    for (std::size_t i = 1; i < keys; ++i) cdf[i] += cdf[i - 1];
    for (double& v : cdf) v /= cdf.back();

    const std::size_t none = keys;
    std::vector<std::size_t> prev(keys, none), next(keys, none);
    std::vector<bool> cached(keys, false);
    std::size_t head = none, tail = none, size = 0;  // head = most recently used
    auto unlink = [&](std::size_t k) {
        if (prev[k] != none) next[prev[k]] = next[k]; else head = next[k];
        if (next[k] != none) prev[next[k]] = prev[k]; else tail = prev[k];
    };
    auto push_front = [&](std::size_t k) {
        prev[k] = none;
        next[k] = head;
        if (head != none) prev[head] = k;
        head = k;
        if (tail == none) tail = k;
    };

    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0, 1);
    std::size_t hits = 0;
    for (std::size_t r = 0; r < warmup + requests; ++r) {
        const auto k = static_cast<std::size_t>(std::upper_bound(cdf.begin(), cdf.end() - 1, u(rng)) - cdf.begin());
        if (cached[k]) {
            if (r >= warmup) ++hits;
            unlink(k);
        } else {
            cached[k] = true;
            if (++size > capacity) {
                const std::size_t victim = tail;
                unlink(victim);
                cached[victim] = false;
                --size;
            }
        }
        push_front(k);
    }
    return static_cast<double>(hits) / static_cast<double>(requests);
}

}  // namespace

TEST(analytic_Che, UniformCharacteristicTime) {
    // N (1 - e^{-T}) = C  ⇒  T = -ln(1 - C/N).
    const std::vector<double> rates(1000, 1.0);
    EXPECT_NEAR(che_characteristic_time(rates, 250), -std::log(0.75), 1e-12);
    EXPECT_EQ(che_characteristic_time(rates, 0), 0);
    EXPECT_TRUE(std::isinf(che_characteristic_time(rates, 1000)));
    EXPECT_TRUE(std::isinf(che_characteristic_time(rates, kInf)));
    // Keys that are never requested never occupy the cache.
    EXPECT_TRUE(std::isinf(che_characteristic_time({1, 2, 0}, 2)));
    EXPECT_THROW(che_characteristic_time({1, -1}, 1), std::invalid_argument);
    EXPECT_THROW(che_characteristic_time({1, 1}, -1), std::invalid_argument);
    EXPECT_THROW(che_characteristic_time({1, std::nan("")}, 1), std::invalid_argument);
}

TEST(analytic_Che, UniformPopularityHitsCapacityOverKeys) {
    for (std::uint64_t n : {std::uint64_t{10}, std::uint64_t{1000}, std::uint64_t{1'000'000}, std::uint64_t{1'000'000'000'000}}) {
        for (double frac : {0.001, 0.1, 0.5, 0.99}) {
            const double c = frac * static_cast<double>(n);
            EXPECT_NEAR(lru_hit_ratio_zipf(0, n, c), frac, 1e-12) << n << " " << frac;
        }
    }
}

TEST(analytic_Che, EverythingFits) {
    EXPECT_EQ(lru_hit_ratio_zipf(0.8, 1000, 1000), 1.0);
    EXPECT_EQ(lru_hit_ratio_zipf(0.8, 1000, 5000), 1.0);
    EXPECT_EQ(lru_hit_ratio_zipf(1.1, 1'000'000'000'000, kInf), 1.0);
    EXPECT_EQ(lru_hit_ratio_zipf(0.8, 1000, 0), 0.0);
}

TEST(analytic_Che, MatchesSimulatedLru) {
    // Che's approximation is known to be within ~1 % for Zipf LRU at this size; the sampling
    // error of the simulation is the binomial one (hits are positively correlated in LRU,
    // which 5σ absorbs).
    const double alpha = 0.8;
    const std::size_t keys = 10000, capacity = 1000, warmup = 200'000, requests = 2'000'000;
    const double che = lru_hit_ratio_zipf(alpha, keys, capacity);
    const double sim = simulate_lru(alpha, keys, capacity, warmup, requests, 20240601);
    const double sigma = std::sqrt(che * (1 - che) / static_cast<double>(requests));
    EXPECT_NEAR(che, sim, 5 * sigma + 0.01) << "che " << che << " sim " << sim;
    EXPECT_GT(che, 0.3);
    EXPECT_LT(che, 0.7);
}

TEST(analytic_Che, BucketedTailMatchesExactSum) {
    const std::size_t n = 1'000'000;
    for (double alpha : {0.0, 0.8, 1.3}) {
        for (double c : {50.0, 20'000.0, 300'000.0}) {
            EXPECT_NEAR(lru_hit_ratio_zipf(alpha, n, c), exact_che_hit_ratio(alpha, n, c), 1e-10)
                << alpha << " " << c;
        }
    }
}

TEST(analytic_Che, ExactRegionAgreesToRounding) {
    // Below 1e5 keys no bucketing happens at all.
    EXPECT_NEAR(lru_hit_ratio_zipf(0.9, 50'000, 1234), exact_che_hit_ratio(0.9, 50'000, 1234), 1e-13);
}

TEST(analytic_Che, HugeKeySpaceIsFastAndMonotone) {
    const auto start = std::chrono::steady_clock::now();
    double last = 0;
    for (double c : {1e3, 1e6, 1e9, 1e11}) {
        const double h = lru_hit_ratio_zipf(0.8, 1'000'000'000'000, c);
        EXPECT_GT(h, last) << c;
        EXPECT_LT(h, 1) << c;
        last = h;
    }
    EXPECT_GT(lru_hit_ratio_zipf(1.2, 1'000'000'000'000, 1e6), lru_hit_ratio_zipf(0.8, 1'000'000'000'000, 1e6));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_LT(seconds, 10.0);  // ~0.1 s optimised; independent of the key count
    // No jump where exact ranks end and buckets begin.
    EXPECT_NEAR(lru_hit_ratio_zipf(0.8, 100'000, 5000), lru_hit_ratio_zipf(0.8, 100'001, 5000), 1e-5);
}

TEST(analytic_Che, RejectsNonsense) {
    EXPECT_THROW(lru_hit_ratio_zipf(-0.1, 100, 10), std::invalid_argument);
    EXPECT_THROW(lru_hit_ratio_zipf(std::nan(""), 100, 10), std::invalid_argument);
    EXPECT_THROW(lru_hit_ratio_zipf(0.8, 0, 10), std::invalid_argument);
    EXPECT_THROW(lru_hit_ratio_zipf(0.8, 100, -1), std::invalid_argument);
}

TEST(analytic_Ttl, SingleKey) {
    EXPECT_DOUBLE_EQ(ttl_hit_ratio(1, 1), 0.5);
    EXPECT_DOUBLE_EQ(ttl_hit_ratio(9, 1), 0.9);
    EXPECT_EQ(ttl_hit_ratio(0, 10), 0);
    EXPECT_EQ(ttl_hit_ratio(5, 0), 0);
    EXPECT_EQ(ttl_hit_ratio(5, kInf), 1);
    EXPECT_THROW(ttl_hit_ratio(-1, 1), std::invalid_argument);
    EXPECT_THROW(ttl_hit_ratio(1, -1), std::invalid_argument);
}

TEST(analytic_Ttl, ZipfIsTheRequestWeightedPerKeySum) {
    const double alpha = 0.9, total = 5000, ttl = 0.3;
    for (std::size_t n : {std::size_t{2000}, std::size_t{1'000'000}}) {
        const std::vector<double> w = zipf_rates(alpha, n);
        double norm = 0;
        for (double v : w) norm += v;
        double expected = 0;
        for (double v : w) expected += v / norm * ttl_hit_ratio(total * v / norm, ttl);
        EXPECT_NEAR(ttl_hit_ratio_zipf(alpha, n, total, ttl), expected, n > 100000 ? 1e-10 : 1e-13) << n;
    }
    EXPECT_NEAR(ttl_hit_ratio_zipf(0, 100, 100, 2), 2.0 / 3, 1e-14);  // uniform: every key λ = 1
    EXPECT_EQ(ttl_hit_ratio_zipf(0.8, 100, 0, 2), 0);
    EXPECT_NEAR(ttl_hit_ratio_zipf(0.8, 1'000'000'000'000, 1e6, kInf), 1, 1e-12);
}

TEST(analytic_LruTtl, ReducesToEachLimit) {
    const double alpha = 0.8, rate = 2000;
    const std::uint64_t n = 500'000;
    EXPECT_NEAR(lru_ttl_hit_ratio_zipf(alpha, n, 10'000, rate, kInf), lru_hit_ratio_zipf(alpha, n, 10'000), 1e-12);
    EXPECT_NEAR(lru_ttl_hit_ratio_zipf(alpha, n, kInf, rate, 60), ttl_hit_ratio_zipf(alpha, n, rate, 60), 1e-14);
    EXPECT_NEAR(lru_ttl_hit_ratio_zipf(alpha, n, 2 * n, rate, 60), ttl_hit_ratio_zipf(alpha, n, rate, 60), 1e-14);
    const double both = lru_ttl_hit_ratio_zipf(alpha, n, 10'000, rate, 60);
    EXPECT_LT(both, lru_hit_ratio_zipf(alpha, n, 10'000));
    EXPECT_LT(both, ttl_hit_ratio_zipf(alpha, n, rate, 60));
    EXPECT_GT(both, 0.5 * std::min(lru_hit_ratio_zipf(alpha, n, 10'000), ttl_hit_ratio_zipf(alpha, n, rate, 60)));
}
