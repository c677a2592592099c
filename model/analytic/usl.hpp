#pragma once
#include <vector>

// Gunther's Universal Scalability Law: X(N) = λN / (1 + σ(N-1) + κN(N-1)).
namespace stacksim::analytic {

struct UslFit {
    bool ok = false;
    double lambda = 0;   // throughput of one unit (N = 1)
    double sigma = 0;    // contention
    double kappa = 0;    // coherency (crosstalk)
    double peak_n = 0;   // N* = sqrt((1-σ)/κ); +inf when κ == 0
    double r_squared = 0;
};

double usl_throughput(double n, double lambda, double sigma, double kappa);

// Load of peak throughput, N* = sqrt((1-σ)/κ): +inf when κ == 0, 0 when σ >= 1 (adding
// units never helps).
double usl_peak_n(double sigma, double kappa);

// Least-squares fit (Levenberg–Marquardt on Eigen, seeded by the linearised form).
// Needs >= 3 points with distinct N > 0; σ and κ are constrained to >= 0.
UslFit fit_usl(const std::vector<double>& n, const std::vector<double>& throughput);

}  // namespace stacksim::analytic
