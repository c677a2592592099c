#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <limits>
#include <stdexcept>
#include <vector>

#include "model/analytic/queueing.hpp"

using namespace stacksim::analytic;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

// Reference M/M/c/K by brute-force birth-death balance, for small K.
struct BirthDeath {
    std::vector<double> p;
    double lambda, mu;
    int c, k;
    BirthDeath(double lambda_, double mu_, int c_, int k_) : lambda(lambda_), mu(mu_), c(c_), k(k_) {
        double term = 1, sum = 0;
        for (int n = 0; n <= k; ++n) {
            if (n > 0) term *= lambda / (std::min(n, c) * mu);
            p.push_back(term);
            sum += term;
        }
        for (double& v : p) v /= sum;
    }
    double block() const { return p.back(); }
    double mean_in_system() const {
        double l = 0;
        for (std::size_t n = 0; n < p.size(); ++n) l += static_cast<double>(n) * p[n];
        return l;
    }
    double mean_queue() const {
        double lq = 0;
        for (int n = c + 1; n <= k; ++n) lq += (n - c) * p[static_cast<std::size_t>(n)];
        return lq;
    }
    double p_wait() const {
        double w = 0;
        for (int n = c; n < k; ++n) w += p[static_cast<std::size_t>(n)];
        return w / (1 - block());
    }
};

}  // namespace

TEST(analytic_ErlangB, TextbookValue) {
    EXPECT_NEAR(erlang_b(5, 10), 0.018385, 1e-6);
    EXPECT_NEAR(erlang_b(1.8, 2), 1.62 / 4.42, 1e-15);
    EXPECT_DOUBLE_EQ(erlang_b(2, 1), 2.0 / 3);  // M/M/1/1: A / (1 + A)
    EXPECT_EQ(erlang_b(0, 5), 0);
}

TEST(analytic_ErlangB, TenMillionServersIsFastAndMatchesAsymptotics) {
    // Jagerman: B(c, c) ≈ sqrt(2 / (π c)) for large c (relative error O(c^-1/2)).
    const int c = 10'000'000;
    EXPECT_NEAR(erlang_b(c, c), std::sqrt(2 / (std::numbers::pi * c)), 1e-3 * std::sqrt(2 / (std::numbers::pi * c)));
    // Lightly loaded: blocking underflows to 0 cleanly, never NaN.
    EXPECT_EQ(erlang_b(10, c), 0);
    const double heavy = erlang_b(2.0 * c, c);  // ≈ 1 - c/A for A >> c
    EXPECT_NEAR(heavy, 0.5, 1e-3);
}

TEST(analytic_ErlangB, RejectsNonsense) {
    EXPECT_THROW(erlang_b(-1, 3), std::invalid_argument);
    EXPECT_THROW(erlang_b(kNaN, 3), std::invalid_argument);
    EXPECT_THROW(erlang_b(1, 0), std::invalid_argument);
    EXPECT_THROW(erlang_c(1, -2), std::invalid_argument);
}

TEST(analytic_ErlangC, TextbookValueAndSaturation) {
    EXPECT_NEAR(erlang_c(1.8, 2), 0.852632, 1e-6);
    EXPECT_DOUBLE_EQ(erlang_c(0.8, 1), 0.8);  // M/M/1: P(wait) = ρ
    EXPECT_EQ(erlang_c(2, 2), 1);
    EXPECT_EQ(erlang_c(7, 2), 1);
    EXPECT_EQ(erlang_c(0, 4), 0);
}

TEST(analytic_Mmc, MM2Textbook) {
    const StationResult r = mmc(9, 5, 2);
    ASSERT_TRUE(r.stable);
    EXPECT_NEAR(r.utilisation, 0.9, 1e-15);
    EXPECT_NEAR(r.p_wait, 0.85263, 1e-5);
    EXPECT_NEAR(r.mean_wait_s, 0.85263, 1e-5);  // C / (cμ - λ) with cμ - λ = 1
    EXPECT_NEAR(r.mean_response_s, 0.85263 + 0.2, 1e-5);
    EXPECT_DOUBLE_EQ(r.wait_tail_rate, 1);
    EXPECT_DOUBLE_EQ(r.throughput, 9);
    EXPECT_NEAR(r.mean_in_system, 9 * r.mean_response_s, 1e-12);  // Little
    EXPECT_EQ(r.p_block, 0);
}

TEST(analytic_Mmc, MM1Textbook) {
    const StationResult r = mmc(0.8, 1, 1);
    ASSERT_TRUE(r.stable);
    EXPECT_NEAR(r.mean_response_s, 5, 1e-12);
    EXPECT_NEAR(r.mean_wait_s, 4, 1e-12);
    EXPECT_NEAR(r.mean_in_system, 4, 1e-12);  // ρ / (1 - ρ)
    EXPECT_NEAR(r.p_wait, 0.8, 1e-15);
    EXPECT_NEAR(r.wait_tail_rate, 0.2, 1e-15);
}

TEST(analytic_Mmc, IdleStation) {
    const StationResult r = mmc(0, 5, 3);
    EXPECT_TRUE(r.stable);
    EXPECT_EQ(r.p_wait, 0);
    EXPECT_EQ(r.mean_wait_s, 0);
    EXPECT_DOUBLE_EQ(r.mean_response_s, 0.2);
}

TEST(analytic_Mmc, OverloadIsReportedNotThrown) {
    for (double lambda : {10.0, 10.5, 1e9}) {
        const StationResult r = mmc(lambda, 5, 2);
        EXPECT_FALSE(r.stable) << lambda;
        EXPECT_DOUBLE_EQ(r.utilisation, lambda / 10);
        EXPECT_TRUE(std::isinf(r.mean_wait_s));
        EXPECT_TRUE(std::isinf(r.mean_response_s));
        EXPECT_TRUE(std::isinf(r.mean_in_system));
        EXPECT_EQ(r.p_wait, 1);
        EXPECT_DOUBLE_EQ(r.throughput, 10);  // completions saturate at cμ
    }
}

TEST(analytic_Mmc, RejectsNonsense) {
    EXPECT_THROW(mmc(-1, 5, 2), std::invalid_argument);
    EXPECT_THROW(mmc(1, 0, 2), std::invalid_argument);
    EXPECT_THROW(mmc(1, -5, 2), std::invalid_argument);
    EXPECT_THROW(mmc(1, 5, 0), std::invalid_argument);
    EXPECT_THROW(mmc(kNaN, 5, 2), std::invalid_argument);
    EXPECT_THROW(mmc(1, kNaN, 2), std::invalid_argument);
}

TEST(analytic_Mmck, KEqualsCIsErlangB) {
    for (int c : {1, 3, 10, 50}) {
        const double lambda = 5, mu = 1;
        const StationResult r = mmck(lambda, mu, c, c);
        EXPECT_NEAR(r.p_block, erlang_b(lambda / mu, c), 1e-14) << c;
        EXPECT_EQ(r.p_wait, 0);
        EXPECT_EQ(r.mean_wait_s, 0);
        EXPECT_DOUBLE_EQ(r.mean_response_s, 1);
        EXPECT_NEAR(r.throughput, lambda * (1 - r.p_block), 1e-12);
        EXPECT_NEAR(r.mean_in_system, r.throughput / mu, 1e-12);  // busy servers
    }
}

TEST(analytic_Mmck, MM1KClosedForm) {
    for (double rho : {0.3, 0.9, 1.5, 4.0}) {
        for (int k : {1, 2, 5, 20}) {
            const StationResult r = mmck(rho, 1, 1, k);
            const double expected = (1 - rho) * std::pow(rho, k) / (1 - std::pow(rho, k + 1));
            EXPECT_NEAR(r.p_block, expected, 1e-13 * std::max(1.0, expected)) << rho << " " << k;
            const double l = rho / (1 - rho) - (k + 1) * std::pow(rho, k + 1) / (1 - std::pow(rho, k + 1));
            EXPECT_NEAR(r.mean_in_system, l, 1e-12 * std::max(1.0, l)) << rho << " " << k;
            EXPECT_TRUE(r.stable);  // a finite buffer is never unstable
        }
    }
}

TEST(analytic_Mmck, MM1KAtRhoOne) {
    for (int k : {1, 4, 100}) {
        const StationResult r = mmck(2, 2, 1, k);
        EXPECT_NEAR(r.p_block, 1.0 / (k + 1), 1e-14) << k;
        EXPECT_NEAR(r.mean_in_system, k / 2.0, 1e-12) << k;
    }
    // Across ρ = 1 the closed forms switch to a series; check the slopes there, which are
    // K/(2(K+1)) for p_K and the uniform variance K(K+2)/12 for L.
    const int k = 1000;
    const StationResult at = mmck(1, 1, 1, k);
    for (double eps : {1e-5, 1e-7, 1e-9, -1e-9, -1e-7, -1e-5}) {
        const double rho = 1 + eps;
        const StationResult near = mmck(rho, 1, 1, k);
        const double tol = 3 * k * std::abs(eps) + 1e-5;  // second-order terms
        EXPECT_NEAR((near.p_block - at.p_block) / (rho - 1), k / (2.0 * (k + 1)), tol * 0.5) << eps;
        EXPECT_NEAR((near.mean_in_system - at.mean_in_system) / (rho - 1), k * (k + 2) / 12.0, tol * k * k / 12.0) << eps;
    }
}

TEST(analytic_Mmck, MatchesBruteForceBirthDeath) {
    struct Case {
        double lambda, mu;
        int c, k;
    };
    for (const Case& t : {Case{4, 1.5, 3, 8}, Case{9, 5, 2, 2}, Case{1, 1, 4, 30}, Case{30, 1, 4, 40}, Case{0.1, 2, 1, 3},
                          Case{7.9, 1, 8, 9}}) {
        const BirthDeath ref(t.lambda, t.mu, t.c, t.k);
        const StationResult r = mmck(t.lambda, t.mu, t.c, t.k);
        EXPECT_NEAR(r.p_block, ref.block(), 1e-12) << t.c << "/" << t.k;
        EXPECT_NEAR(r.mean_in_system, ref.mean_in_system(), 1e-10) << t.c << "/" << t.k;
        EXPECT_NEAR(r.p_wait, ref.p_wait(), 1e-12) << t.c << "/" << t.k;
        const double accepted = t.lambda * (1 - ref.block());
        EXPECT_NEAR(r.mean_wait_s, ref.mean_queue() / accepted, 1e-10) << t.c << "/" << t.k;
        EXPECT_NEAR(r.utilisation, accepted / (t.c * t.mu), 1e-12);
        EXPECT_NEAR(r.mean_response_s, r.mean_wait_s + 1 / t.mu, 1e-12);
    }
}

TEST(analytic_Mmck, LargeBufferApproachesMmc) {
    const StationResult open = mmc(9, 5, 2);
    const StationResult finite = mmck(9, 5, 2, 1000);
    EXPECT_NEAR(finite.p_block, 0, 1e-40);
    EXPECT_NEAR(finite.p_wait, open.p_wait, 1e-12);
    EXPECT_NEAR(finite.mean_wait_s, open.mean_wait_s, 1e-12);
    EXPECT_NEAR(finite.wait_tail_rate, open.wait_tail_rate, 1e-9);  // exact for M/M/c
}

TEST(analytic_Mmck, HugeBuffersAndServerCountsAreCheap) {
    // O(c) and O(1) in the buffer: a 2e9 buffer must not loop.
    const StationResult r = mmck(1, 2, 1, 2'000'000'000);
    EXPECT_NEAR(r.mean_response_s, 1.0, 1e-12);  // M/M/1 with λ=1, μ=2
    const StationResult overloaded = mmck(3, 2, 1, 2'000'000'000);
    EXPECT_NEAR(overloaded.p_block, 1.0 / 3, 1e-12);  // throughput pinned at μ
    EXPECT_NEAR(overloaded.throughput, 2, 1e-9);
    const StationResult many = mmck(9.9e6, 1, 10'000'000, 10'000'100);
    EXPECT_TRUE(std::isfinite(many.mean_wait_s));
    EXPECT_GT(many.p_block, 0);
    EXPECT_LT(many.p_block, 1e-3);
}

TEST(analytic_Mmck, RejectsNonsense) {
    EXPECT_THROW(mmck(1, 1, 3, 2), std::invalid_argument);
    EXPECT_THROW(mmck(1, 1, 0, 2), std::invalid_argument);
    EXPECT_THROW(mmck(-1, 1, 1, 2), std::invalid_argument);
    EXPECT_THROW(mmck(kNaN, 1, 1, 2), std::invalid_argument);
}

TEST(analytic_Mg1, MD1Textbook) {
    const double mu = 4, lambda = 3, rho = lambda / mu;
    const StationResult r = mg1(lambda, 1 / mu, 0);
    ASSERT_TRUE(r.stable);
    EXPECT_NEAR(r.mean_wait_s, rho / (2 * mu * (1 - rho)), 1e-15);
    EXPECT_NEAR(r.mean_response_s, rho / (2 * mu * (1 - rho)) + 1 / mu, 1e-15);
    EXPECT_DOUBLE_EQ(r.p_wait, rho);
}

TEST(analytic_Mg1, ExponentialServiceIsMM1) {
    const StationResult g = mg1(0.8, 1, 1);
    const StationResult m = mmc(0.8, 1, 1);
    EXPECT_NEAR(g.mean_wait_s, m.mean_wait_s, 1e-12);
    EXPECT_NEAR(g.mean_in_system, m.mean_in_system, 1e-12);
    EXPECT_NEAR(g.wait_tail_rate, m.wait_tail_rate, 1e-12);
}

TEST(analytic_Mg1, HighVariabilityDoublesWait) {
    // cs² = 3 doubles the M/M/1 wait: (1 + 3) / 2.
    EXPECT_NEAR(mg1(0.5, 1, 3).mean_wait_s, 2 * mmc(0.5, 1, 1).mean_wait_s, 1e-12);
}

TEST(analytic_Mg1, OverloadAndNonsense) {
    EXPECT_FALSE(mg1(2, 0.5, 1).stable);
    EXPECT_TRUE(std::isinf(mg1(3, 0.5, 1).mean_response_s));
    EXPECT_THROW(mg1(1, 0, 1), std::invalid_argument);
    EXPECT_THROW(mg1(1, 0.1, -1), std::invalid_argument);
    EXPECT_THROW(mg1(1, 0.1, kNaN), std::invalid_argument);
}

TEST(analytic_AllenCunneen, ExactForMMc) {
    for (int c : {1, 2, 7}) {
        const double mu = 5, lambda = 0.85 * c * mu;
        const StationResult ac = ggc_allen_cunneen(lambda, 1 / mu, c, 1, 1);
        const StationResult exact = mmc(lambda, mu, c);
        EXPECT_NEAR(ac.mean_wait_s, exact.mean_wait_s, 1e-13) << c;
        EXPECT_NEAR(ac.mean_response_s, exact.mean_response_s, 1e-13) << c;
        EXPECT_NEAR(ac.p_wait, exact.p_wait, 1e-13) << c;
        EXPECT_NEAR(ac.wait_tail_rate, exact.wait_tail_rate, 1e-9) << c;
        EXPECT_NEAR(ac.mean_in_system, exact.mean_in_system, 1e-12) << c;
    }
}

TEST(analytic_AllenCunneen, ExactForMG1AndScalesWithVariability) {
    const StationResult ac = ggc_allen_cunneen(3, 0.25, 1, 1, 0);
    EXPECT_NEAR(ac.mean_wait_s, mg1(3, 0.25, 0).mean_wait_s, 1e-14);
    const StationResult base = mmc(9, 5, 2);
    const StationResult bursty = ggc_allen_cunneen(9, 0.2, 2, 2.5, 0.5);
    EXPECT_NEAR(bursty.mean_wait_s, base.mean_wait_s * 1.5, 1e-12);
    EXPECT_NEAR(bursty.mean_response_s, base.mean_wait_s * 1.5 + 0.2, 1e-12);
    EXPECT_FALSE(ggc_allen_cunneen(11, 0.2, 2, 1, 1).stable);
    EXPECT_THROW(ggc_allen_cunneen(1, 0.2, 2, -1, 1), std::invalid_argument);
}
