// The policy decision logic without SimGrid: backoff and jitter, retry budgets, breakers.
#include <gtest/gtest.h>

#include <cmath>

#include "sim/resilience/policies.hpp"

using namespace stacksim;
using namespace stacksim::sim;

namespace {

RetryPolicy retry(RetryPolicy::Jitter j) {
    RetryPolicy p;
    p.jitter = j;
    p.base_s = 0.1;
    p.max_s = 1.0;
    return p;
}

// Mean and variance of the delay before retry `n` over many independent clients.
std::pair<double, double> moments(RetryPolicy::Jitter j, int n) {
    Rng rng(5);
    const RetryPolicy p = retry(j);
    double sum = 0, sq = 0;
    const int k = 20000;
    for (int i = 0; i < k; ++i) {
        double prev = p.base_s, d = 0;
        for (int r = 1; r <= n; ++r) d = backoff_s(p, r, prev, rng);
        sum += d;
        sq += d * d;
    }
    const double mean = sum / k;
    return {mean, sq / k - mean * mean};
}

}  // namespace

TEST(Backoff, ExponentialWithoutJitterDoublesUpToTheCap) {
    Rng rng(1);
    const RetryPolicy p = retry(RetryPolicy::Jitter::none);
    double prev = p.base_s;
    EXPECT_DOUBLE_EQ(backoff_s(p, 1, prev, rng), 0.1);
    EXPECT_DOUBLE_EQ(backoff_s(p, 2, prev, rng), 0.2);
    EXPECT_DOUBLE_EQ(backoff_s(p, 3, prev, rng), 0.4);
    EXPECT_DOUBLE_EQ(backoff_s(p, 5, prev, rng), 1.0);  // 1.6 capped
    EXPECT_DOUBLE_EQ(backoff_s(p, 60, prev, rng), 1.0);
}

TEST(Backoff, JitterSpreadsSynchronisedRetries) {
    // Clients that failed together retry together without jitter (variance 0); full jitter
    // spreads the third retry uniformly over [0, 0.4 s): mean 0.2, variance 0.4^2/12.
    EXPECT_NEAR(moments(RetryPolicy::Jitter::none, 3).second, 0.0, 1e-12);
    const auto [full_mean, full_var] = moments(RetryPolicy::Jitter::full, 3);
    EXPECT_NEAR(full_mean, 0.2, 0.01);
    EXPECT_NEAR(full_var, 0.16 / 12, 0.001);
    // Equal jitter: 0.2 + U(0, 0.2): mean 0.3, variance 0.04/12 — less spread, never below half.
    const auto [eq_mean, eq_var] = moments(RetryPolicy::Jitter::equal, 3);
    EXPECT_NEAR(eq_mean, 0.3, 0.01);
    EXPECT_NEAR(eq_var, 0.04 / 12, 0.0005);
    // Decorrelated: U(base, 3 x previous), capped; spread, within [base, max].
    const auto [dec_mean, dec_var] = moments(RetryPolicy::Jitter::decorrelated, 3);
    EXPECT_GT(dec_var, 0.005);
    EXPECT_GT(dec_mean, 0.1);
    EXPECT_LT(dec_mean, 1.0);
    Rng rng(9);
    const RetryPolicy p = retry(RetryPolicy::Jitter::decorrelated);
    double prev = p.base_s;
    for (int r = 1; r < 1000; ++r) {
        const double d = backoff_s(p, r, prev, rng);
        EXPECT_GE(d, p.base_s);
        EXPECT_LE(d, p.max_s);
    }
}

TEST(RetryBudget, CapsRetriesAtTheRatioPlusTheMinimumRate) {
    RetryBudget b({0.1, 0.0, 10.0});
    int allowed = 0;
    // 1000 requests over 10 s, every one of which wants a retry.
    for (int i = 0; i < 1000; ++i) {
        const double t = i * 0.01;
        b.request(t);
        allowed += b.try_retry(t);
    }
    EXPECT_NEAR(allowed, 100, 1);
    // The minimum rate alone: 5/s over a 10 s window = 50 retries with no requests at all.
    RetryBudget floor({0.1, 5.0, 10.0});
    int n = 0;
    while (floor.try_retry(0.5) && n < 1000) ++n;
    EXPECT_EQ(n, 50);
}

TEST(RetryBudget, OldRequestsLeaveTheWindow) {
    RetryBudget b({0.5, 0.0, 10.0});
    for (int i = 0; i < 100; ++i) b.request(0.1);
    EXPECT_NEAR(b.balance(5.0), 50, 1e-9);
    EXPECT_NEAR(b.balance(10.5), 0, 1e-9);  // the bucket of t = 0.1 s is out of the window
    EXPECT_FALSE(b.try_retry(10.5));
}

TEST(CircuitBreaker, CountWindowOpensAtTheThresholdAndProbesInHalfOpen) {
    BreakerPolicy p;
    p.window_size = 10;
    p.minimum_calls = 10;
    p.failure_rate_threshold = 0.5;
    p.half_open_calls = 3;
    CircuitBreaker cb(p);
    for (int i = 0; i < 10; ++i) {
        ASSERT_TRUE(cb.permit());
        EXPECT_FALSE(cb.record(cb.generation(), i, false, false));
    }
    // Failures push successes out of the window: the 5th failure makes it 5/10.
    for (int i = 0; i < 4; ++i) EXPECT_FALSE(cb.record(cb.generation(), 10 + i, true, false));
    EXPECT_TRUE(cb.record(cb.generation(), 14, true, false));
    EXPECT_EQ(cb.state(), CircuitBreaker::State::open);
    EXPECT_FALSE(cb.permit());
    cb.half_open();
    EXPECT_EQ(cb.state(), CircuitBreaker::State::half_open);
    const auto g = cb.generation();
    EXPECT_TRUE(cb.permit());
    EXPECT_TRUE(cb.permit());
    EXPECT_TRUE(cb.permit());
    EXPECT_FALSE(cb.permit());  // only half_open_calls probes
    EXPECT_FALSE(cb.record(g - 1, 20, true, false));  // a call from the closed era is ignored
    EXPECT_FALSE(cb.record(g, 20, false, false));
    EXPECT_FALSE(cb.record(g, 20, true, false));
    EXPECT_TRUE(cb.record(g, 20, false, false));  // 1/3 failed < 50 %: closes
    EXPECT_EQ(cb.state(), CircuitBreaker::State::closed);
    EXPECT_DOUBLE_EQ(cb.failure_rate(), 0.0);  // a fresh window
}

TEST(CircuitBreaker, SlowCallsOpenItAndMinimumCallsHoldsItBack) {
    BreakerPolicy p;
    p.window_size = 100;
    p.minimum_calls = 20;
    p.slow_call_rate_threshold = 0.8;
    p.slow_call_duration_s = 1;
    CircuitBreaker cb(p);
    for (int i = 0; i < 15; ++i) EXPECT_FALSE(cb.record(cb.generation(), 0, false, true));  // below minimum_calls
    for (int i = 0; i < 4; ++i) EXPECT_FALSE(cb.record(cb.generation(), 0, false, true));
    EXPECT_TRUE(cb.record(cb.generation(), 0, false, true));  // 20 slow of 20
    EXPECT_EQ(cb.state(), CircuitBreaker::State::open);
}

TEST(CircuitBreaker, TimeWindowForgetsOutcomesOlderThanItsSeconds) {
    BreakerPolicy p;
    p.window = BreakerPolicy::Window::time;
    p.window_size = 5;
    p.minimum_calls = 10;
    CircuitBreaker cb(p);
    for (int i = 0; i < 9; ++i) cb.record(cb.generation(), 0.5, true, false);  // 9 failures at t = 0
    // At t = 6 s they have left the 5 s window: 9 successes do not reach the minimum either way...
    for (int i = 0; i < 9; ++i) EXPECT_FALSE(cb.record(cb.generation(), 6.2, false, false));
    EXPECT_DOUBLE_EQ(cb.failure_rate(), 0.0);
    // ...and failures inside the window count.
    for (int i = 0; i < 9; ++i) cb.record(cb.generation(), 7.0, true, false);
    EXPECT_EQ(cb.state(), CircuitBreaker::State::open);
}

// Token bucket: full at the start (burst), then `rate` per second, never above burst.
TEST(TokenBucket, AdmitsBurstThenRateAndNeverStoresMoreThanBurst) {
    TokenBucket b(10, 5);
    int admitted = 0;
    for (int i = 0; i < 100; ++i) admitted += b.take(0.0);
    EXPECT_EQ(admitted, 5);
    admitted = 0;
    for (int ms = 1; ms <= 2000; ++ms) admitted += b.take(ms / 1000.0);  // one request per ms for 2 s
    EXPECT_NEAR(admitted, 20, 1);
    EXPECT_EQ(b.take(100.0) + b.take(100.0) + b.take(100.0) + b.take(100.0) + b.take(100.0) + b.take(100.0), 5);
}

// SRE book throttle: p = max(0, (requests - k accepts) / (requests + 1)), over the window only.
TEST(AdaptiveThrottle, RejectProbabilityFollowsTheFormulaOverItsWindow) {
    AdaptiveThrottle t({2, 10});
    EXPECT_EQ(t.reject_probability(0), 0.0);
    for (int i = 0; i < 100; ++i) t.request(1.0);
    for (int i = 0; i < 30; ++i) t.accept(1.0);
    EXPECT_NEAR(t.reject_probability(1.0), (100 - 2 * 30) / 101.0, 1e-12);
    for (int i = 0; i < 20; ++i) t.accept(2.0);
    EXPECT_EQ(t.reject_probability(2.0), 0.0);  // 100 <= 2 x 50
    EXPECT_EQ(t.reject_probability(12.0), 0.0);  // everything left the 10 s window
    for (int i = 0; i < 9; ++i) t.request(12.0);
    EXPECT_NEAR(t.reject_probability(12.0), 9 / 10.0, 1e-12);
}
