#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

#include "model/analytic/usl.hpp"

using namespace stacksim::analytic;

namespace {

std::vector<double> generate(const std::vector<double>& n, double lambda, double sigma, double kappa) {
    std::vector<double> x;
    for (double v : n) x.push_back(usl_throughput(v, lambda, sigma, kappa));
    return x;
}

}  // namespace

TEST(analytic_Usl, ThroughputFormula) {
    EXPECT_DOUBLE_EQ(usl_throughput(1, 100, 0.1, 0.01), 100);
    // 8 units: 800 / (1 + 0.7 + 0.56)
    EXPECT_DOUBLE_EQ(usl_throughput(8, 100, 0.1, 0.01), 800 / 2.26);
    EXPECT_DOUBLE_EQ(usl_throughput(8, 100, 0, 0), 800);  // linear scaling
}

TEST(analytic_Usl, PeakLoad) {
    EXPECT_DOUBLE_EQ(usl_peak_n(0.1, 0.001), std::sqrt(0.9 / 0.001));
    EXPECT_TRUE(std::isinf(usl_peak_n(0.1, 0)));
    EXPECT_EQ(usl_peak_n(1.2, 0.01), 0);
}

TEST(analytic_Usl, RecoversExactParameters) {
    struct Truth {
        double lambda, sigma, kappa;
    };
    const std::vector<double> n{1, 2, 4, 8, 16, 32, 64};
    for (const Truth& t : {Truth{1000, 0.05, 0.0002}, Truth{1.5, 0.3, 0.01}, Truth{25000, 0.02, 1e-5}}) {
        const UslFit fit = fit_usl(n, generate(n, t.lambda, t.sigma, t.kappa));
        ASSERT_TRUE(fit.ok);
        EXPECT_NEAR(fit.lambda, t.lambda, 1e-6 * t.lambda);
        EXPECT_NEAR(fit.sigma, t.sigma, 1e-6 * t.sigma);
        EXPECT_NEAR(fit.kappa, t.kappa, 1e-6 * t.kappa);
        EXPECT_NEAR(fit.peak_n, std::sqrt((1 - t.sigma) / t.kappa), 1e-6 * fit.peak_n);
        EXPECT_NEAR(fit.r_squared, 1, 1e-12);
    }
}

TEST(analytic_Usl, RecoversWithoutASingleUnitMeasurement) {
    // λ is extrapolated: no N = 1 point, unevenly spaced loads.
    const std::vector<double> n{3, 5, 12, 20, 50};
    const UslFit fit = fit_usl(n, generate(n, 480, 0.08, 0.0007));
    ASSERT_TRUE(fit.ok);
    EXPECT_NEAR(fit.lambda, 480, 480e-6);
    EXPECT_NEAR(fit.sigma, 0.08, 0.08e-6);
    EXPECT_NEAR(fit.kappa, 0.0007, 0.0007e-6);
}

TEST(analytic_Usl, NoisyDataRecoversApproximately) {
    std::mt19937_64 rng(42);
    std::normal_distribution<double> noise(0, 0.01);  // 1 % measurement noise
    std::vector<double> n, x;
    for (int rep = 0; rep < 3; ++rep) {
        for (double v : {1, 2, 4, 6, 8, 12, 16, 24, 32, 48, 64}) {
            n.push_back(v);
            x.push_back(usl_throughput(v, 1000, 0.05, 0.0005) * (1 + noise(rng)));
        }
    }
    const UslFit fit = fit_usl(n, x);
    ASSERT_TRUE(fit.ok);
    EXPECT_NEAR(fit.lambda, 1000, 30);
    EXPECT_NEAR(fit.sigma, 0.05, 0.015);
    EXPECT_NEAR(fit.kappa, 0.0005, 0.0002);
    EXPECT_NEAR(fit.peak_n, std::sqrt(0.95 / 0.0005), 8);
    EXPECT_GT(fit.r_squared, 0.98);
    EXPECT_LT(fit.r_squared, 1);
}

TEST(analytic_Usl, LinearOrAmdahlDataGivesZeroCoherency) {
    const std::vector<double> n{1, 2, 4, 8, 16};
    const UslFit amdahl = fit_usl(n, generate(n, 200, 0.1, 0));
    ASSERT_TRUE(amdahl.ok);
    EXPECT_NEAR(amdahl.sigma, 0.1, 1e-6);
    EXPECT_LT(amdahl.kappa, 1e-12);
    EXPECT_GT(amdahl.peak_n, 1e5);
    // Superlinear-looking data would need σ < 0: the constraint pins it at 0.
    const UslFit clamped = fit_usl(n, {100, 205, 420, 850, 1700});
    ASSERT_TRUE(clamped.ok);
    EXPECT_EQ(clamped.sigma, 0);
    EXPECT_EQ(clamped.kappa, 0);
    EXPECT_TRUE(std::isinf(clamped.peak_n));
    EXPECT_NEAR(clamped.lambda, 36190.0 / 341, 1e-9);  // least-squares slope Σxn/Σn²
}

TEST(analytic_Usl, TooFewPointsIsNotOk) {
    EXPECT_FALSE(fit_usl({}, {}).ok);
    EXPECT_FALSE(fit_usl({1, 2}, {10, 19}).ok);
    EXPECT_FALSE(fit_usl({1, 2, 2, 1}, {10, 19, 19.5, 10.2}).ok);  // only two distinct N
    EXPECT_TRUE(fit_usl({1, 2, 4}, {10, 19, 34}).ok);
}

TEST(analytic_Usl, RejectsNonsense) {
    EXPECT_THROW(fit_usl({1, 2, 3}, {1, 2}), std::invalid_argument);
    EXPECT_THROW(fit_usl({0, 2, 3}, {1, 2, 3}), std::invalid_argument);
    EXPECT_THROW(fit_usl({1, 2, 3}, {1, -2, 3}), std::invalid_argument);
    EXPECT_THROW(fit_usl({1, std::nan(""), 3}, {1, 2, 3}), std::invalid_argument);
}
