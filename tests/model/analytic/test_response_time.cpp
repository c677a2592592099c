#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "model/analytic/queueing.hpp"
#include "model/analytic/response_time.hpp"

using namespace stacksim::analytic;

TEST(analytic_GammaQuantile, ExponentialCase) {
    // mean = sd = 1 is Exp(1): q-quantile -ln(1 - q).
    EXPECT_NEAR(gamma_quantile(1, 1, 0.99), 4.60517, 1e-5);
    EXPECT_NEAR(gamma_quantile(1, 1, 0.99), std::log(100.0), 1e-12);
    EXPECT_NEAR(gamma_quantile(1, 1, 0.5), std::log(2.0), 1e-12);
    // M/M/1 sojourn time is Exp(μ - λ): p99 = ln(100)·W.
    const StationResult r = mmc(0.8, 1, 1);
    EXPECT_NEAR(gamma_quantile(r.mean_response_s, r.mean_response_s * r.mean_response_s, 0.99), 5 * std::log(100.0),
                1e-10);
}

TEST(analytic_GammaQuantile, ShapeTwoMatchesItsCdf) {
    // Gamma(k=2, θ=1): mean 2, variance 2, CDF 1 - e^{-x}(1 + x).
    for (double q : {0.05, 0.5, 0.9, 0.999}) {
        const double x = gamma_quantile(2, 2, q);
        EXPECT_NEAR(1 - std::exp(-x) * (1 + x), q, 1e-12) << q;
    }
    // Scale invariance: 10× the mean and 100× the variance is 10× the quantile.
    EXPECT_NEAR(gamma_quantile(20, 200, 0.95), 10 * gamma_quantile(2, 2, 0.95), 1e-10);
}

TEST(analytic_GammaQuantile, DeterministicAndNarrow) {
    EXPECT_EQ(gamma_quantile(0.25, 0, 0.99), 0.25);
    EXPECT_EQ(gamma_quantile(0, 0, 0.5), 0);
    // Small variance: close to normal, p50 ≈ mean.
    EXPECT_NEAR(gamma_quantile(1, 1e-8, 0.5), 1, 1e-6);
    EXPECT_GT(gamma_quantile(1, 1e-8, 0.99), 1);
}

TEST(analytic_GammaQuantile, RejectsNonsense) {
    EXPECT_THROW(gamma_quantile(1, 1, 0), std::invalid_argument);
    EXPECT_THROW(gamma_quantile(1, 1, 1), std::invalid_argument);
    EXPECT_THROW(gamma_quantile(-1, 1, 0.5), std::invalid_argument);
    EXPECT_THROW(gamma_quantile(1, -1, 0.5), std::invalid_argument);
    EXPECT_THROW(gamma_quantile(0, 1, 0.5), std::invalid_argument);
    EXPECT_THROW(gamma_quantile(std::nan(""), 1, 0.5), std::invalid_argument);
    EXPECT_THROW(gamma_quantile(1, 1, std::nan("")), std::invalid_argument);
}

TEST(analytic_WaitSecondMoment, MMcFormula) {
    // M/M/2, λ = 9, μ = 5: C = 0.852632, cμ - λ = 1 → E[Wq²] = 2C.
    const StationResult r = mmc(9, 5, 2);
    EXPECT_NEAR(mmc_wait_second_moment(r.p_wait, r.wait_tail_rate), 2 * 0.852632, 2e-6);
    EXPECT_DOUBLE_EQ(mmc_wait_second_moment(0.5, 4), 2 * 0.5 / 16);
    // M/M/1: Wq ~ mixture, Var(Wq) = E[Wq²] - Wq² = ρ(2 - ρ)/(μ - λ)².
    const StationResult m1 = mmc(0.8, 1, 1);
    const double var = mmc_wait_second_moment(m1.p_wait, m1.wait_tail_rate) - m1.mean_wait_s * m1.mean_wait_s;
    EXPECT_NEAR(var, 0.8 * 1.2 / 0.04, 1e-9);
}

TEST(analytic_WaitSecondMoment, Edges) {
    EXPECT_EQ(mmc_wait_second_moment(0, 3), 0);
    EXPECT_TRUE(std::isinf(mmc_wait_second_moment(1, 0)));  // saturated station
    EXPECT_THROW(mmc_wait_second_moment(1.5, 1), std::invalid_argument);
    EXPECT_THROW(mmc_wait_second_moment(0.5, -1), std::invalid_argument);
}
