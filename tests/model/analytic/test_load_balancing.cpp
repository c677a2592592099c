// Building blocks of the load-balancing models against closed forms and limits.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "model/analytic/load_balancing.hpp"

using namespace stacksim::analytic;

TEST(analytic_GammaArrivals, PoissonIsMM1) {
    const StationResult r = gamma_arrivals_m1(80, 100, 1.0);
    EXPECT_NEAR(r.p_wait, 0.8, 1e-12);  // σ = ρ for Poisson arrivals
    EXPECT_NEAR(r.mean_response_s, 1 / 20.0, 1e-12);
}

TEST(analytic_GammaArrivals, DeterministicArrivalsSolveTheDM1Equation) {
    // D/M/1: σ = exp(-μ(1-σ)/λ).
    const double lambda = 80, mu = 100, sigma = gi_m1_sigma(lambda, mu, 0.0);
    EXPECT_NEAR(sigma, std::exp(-mu * (1 - sigma) / lambda), 1e-12);
    EXPECT_GT(sigma, 0);
    EXPECT_LT(sigma, 0.8);
}

TEST(analytic_GammaArrivals, ErlangKRootAndWait) {
    for (int k : {2, 4, 16}) {
        const double lambda = 375, mu = 500;
        int iterations = 0;
        const double sigma = gi_m1_sigma(lambda, mu, 1.0 / k, &iterations);
        EXPECT_NEAR(sigma, std::pow(k * lambda / (k * lambda + mu * (1 - sigma)), k), 1e-12) << k;
        EXPECT_LT(iterations, 100);
        const StationResult r = gamma_arrivals_m1(lambda, mu, 1.0 / k);
        EXPECT_NEAR(r.mean_wait_s, sigma / (mu * (1 - sigma)), 1e-15);
        EXPECT_NEAR(r.wait_tail_rate, mu * (1 - sigma), 1e-9);
    }
    // Smoother arrivals wait less: σ falls with k.
    EXPECT_LT(gi_m1_sigma(375, 500, 0.25), gi_m1_sigma(375, 500, 0.5));
}

TEST(analytic_GammaArrivals, OverloadAndNonsense) {
    EXPECT_FALSE(gamma_arrivals_m1(100, 100, 0.5).stable);
    EXPECT_THROW(gamma_arrivals_m1(-1, 100, 0.5), std::invalid_argument);
    EXPECT_THROW(gamma_arrivals_m1(1, 0, 0.5), std::invalid_argument);
    EXPECT_THROW(gi_m1_sigma(1, 2, -1), std::invalid_argument);
}

TEST(analytic_Supermarket, OneChoiceIsMM1AndTwoIsMitzenmacher) {
    const SupermarketResult one = supermarket(80, 100, 1);
    EXPECT_NEAR(one.station.mean_response_s, 1 / 20.0, 1e-9);
    const double rho = 0.9;
    double t = 0;
    for (int i = 1; i < 30; ++i) t += std::pow(rho, std::pow(2.0, i) - 2);
    const SupermarketResult two = supermarket(0.9, 1, 2);
    EXPECT_NEAR(two.station.mean_response_s, t, 1e-9);
    EXPECT_NEAR(two.station.p_wait, rho * rho, 1e-12);
    // E[Wq²] >= E[Wq]²
    EXPECT_GE(two.wait_second_moment, two.station.mean_wait_s * two.station.mean_wait_s);
    EXPECT_FALSE(supermarket(1, 1, 2).station.stable);
}

TEST(analytic_Superposition, LimitsOfQna) {
    EXPECT_DOUBLE_EQ(superposition_scv({{10, 0.25}}, 0.5), 0.25);         // one stream keeps its shape
    EXPECT_NEAR(superposition_scv({{1, 1}, {1, 1}, {1, 1}}, 0.7), 1, 1e-12);  // Poisson stays Poisson
    // Many streams at light load tend to Poisson; at heavy load to the rate-weighted mean.
    std::vector<Stream> many(100, {1, 0.25});
    EXPECT_GT(superposition_scv(many, 0.1), 0.95);
    EXPECT_NEAR(superposition_scv(many, 1.0), 0.25, 1e-12);
}
