#include "model/analytic/usl.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>

namespace stacksim::analytic {
namespace {

// Denominator of the USL: the slowdown relative to perfect linear scaling.
double usl_slowdown(double n, double sigma, double kappa) { return 1 + sigma * (n - 1) + kappa * n * (n - 1); }

struct Params {
    double lambda, sigma, kappa;
};

double sum_squared_residuals(const Eigen::VectorXd& n, const Eigen::VectorXd& x, const Params& p) {
    double ss = 0;
    for (Eigen::Index i = 0; i < n.size(); ++i) {
        const double e = x[i] - usl_throughput(n[i], p.lambda, p.sigma, p.kappa);
        ss += e * e;
    }
    return ss;
}

// With σ, κ fixed the model is linear in λ, so the least-squares λ is closed form.
double best_lambda(const Eigen::VectorXd& n, const Eigen::VectorXd& x, double sigma, double kappa) {
    double xg = 0, gg = 0;
    for (Eigen::Index i = 0; i < n.size(); ++i) {
        const double g = n[i] / usl_slowdown(n[i], sigma, kappa);
        xg += x[i] * g;
        gg += g * g;
    }
    return gg > 0 ? xg / gg : 0;
}

// Linearised seed: N/X(N) = [(1-σ) + (σ-κ)·N + κ·N²] / λ is a quadratic in N, so an
// ordinary polynomial least-squares fit gives (λ, σ, κ) directly — exactly for
// noise-free data. Negative coefficients from noisy data are clamped to the feasible set.
Params linearised_seed(const Eigen::VectorXd& n, const Eigen::VectorXd& x) {
    Eigen::MatrixXd a(n.size(), 3);
    Eigen::VectorXd y(n.size());
    for (Eigen::Index i = 0; i < n.size(); ++i) {
        a(i, 0) = 1;
        a(i, 1) = n[i];
        a(i, 2) = n[i] * n[i];
        y[i] = n[i] / x[i];
    }
    const Eigen::Vector3d c = a.colPivHouseholderQr().solve(y);
    const double inv_lambda = c.sum();  // value of the quadratic at N = 1
    Params p{0, 0, 0};
    if (inv_lambda > 0 && std::isfinite(inv_lambda)) {
        p.kappa = std::max(0.0, c[2] / inv_lambda);
        p.sigma = std::max(0.0, c[1] / inv_lambda + p.kappa);
    }
    if (!std::isfinite(p.sigma) || !std::isfinite(p.kappa)) p = {0, 0, 0};
    p.lambda = best_lambda(n, x, p.sigma, p.kappa);
    return p;
}

}  // namespace

double usl_throughput(double n, double lambda, double sigma, double kappa) {
    return lambda * n / usl_slowdown(n, sigma, kappa);
}

double usl_peak_n(double sigma, double kappa) {
    if (kappa <= 0) return std::numeric_limits<double>::infinity();
    return std::sqrt(std::max(0.0, 1 - sigma) / kappa);
}

UslFit fit_usl(const std::vector<double>& n, const std::vector<double>& throughput) {
    if (n.size() != throughput.size()) throw std::invalid_argument("fit_usl: n and throughput differ in length");
    for (std::size_t i = 0; i < n.size(); ++i) {
        if (!(n[i] > 0) || !std::isfinite(n[i])) throw std::invalid_argument("fit_usl: N must be finite and > 0");
        if (!(throughput[i] > 0) || !std::isfinite(throughput[i]))
            throw std::invalid_argument("fit_usl: throughput must be finite and > 0");
    }
    std::vector<double> distinct = n;
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    UslFit fit;
    if (distinct.size() < 3) return fit;  // three parameters need three distinct loads

    const auto size = static_cast<Eigen::Index>(n.size());
    const Eigen::VectorXd nv = Eigen::Map<const Eigen::VectorXd>(n.data(), size);
    const Eigen::VectorXd xv = Eigen::Map<const Eigen::VectorXd>(throughput.data(), size);

    // Levenberg–Marquardt on the throughput residuals with Marquardt's diagonal scaling (λ is
    // in req/s while κ may be 1e-5); σ, κ >= 0 by an active set plus projection.
    Params p = linearised_seed(nv, xv);
    double cost = sum_squared_residuals(nv, xv, p);
    double damping = 1e-3;
    for (int iter = 0; iter < 200 && cost > 0; ++iter) {
        Eigen::MatrixXd jac(size, 3);
        Eigen::VectorXd res(size);
        for (Eigen::Index i = 0; i < size; ++i) {
            const double d = usl_slowdown(nv[i], p.sigma, p.kappa);
            const double model = p.lambda * nv[i] / d;
            res[i] = xv[i] - model;
            jac(i, 0) = nv[i] / d;                              // ∂X/∂λ
            jac(i, 1) = -model * (nv[i] - 1) / d;               // ∂X/∂σ
            jac(i, 2) = -model * nv[i] * (nv[i] - 1) / d;       // ∂X/∂κ
        }
        const Eigen::Matrix3d jtj = jac.transpose() * jac;
        const Eigen::Vector3d jtr = jac.transpose() * res;
        // Active set: σ or κ sitting on its bound while the descent direction (Jᵀr) points
        // below it stays fixed at 0. Merely clipping the full step would mix in the other
        // parameters' compensation for the forbidden move and can stall far from the optimum.
        const bool active[3] = {false, p.sigma == 0 && jtr[1] < 0, p.kappa == 0 && jtr[2] < 0};
        bool accepted = false, converged = false;
        for (; damping < 1e12 && !accepted; damping *= 10) {
            Eigen::Matrix3d a = jtj;
            a.diagonal() += damping * jtj.diagonal().cwiseMax(1e-300);
            Eigen::Vector3d rhs = jtr;
            for (int i = 0; i < 3; ++i) {
                if (!active[i]) continue;
                a.row(i).setZero();
                a.col(i).setZero();
                a(i, i) = 1;
                rhs[i] = 0;
            }
            const Eigen::Vector3d step = a.ldlt().solve(rhs);
            const Params trial{std::max(1e-300, p.lambda + step[0]), std::max(0.0, p.sigma + step[1]),
                               std::max(0.0, p.kappa + step[2])};
            const double trial_cost = sum_squared_residuals(nv, xv, trial);
            if (!(trial_cost < cost)) continue;
            // Parameter change on the scale of its effect: relative in λ, absolute in the
            // slowdown terms σ·(N-1) and κ·N(N-1) at the largest N.
            const double n_max = nv.maxCoeff();
            const double change = std::abs(trial.lambda - p.lambda) / p.lambda +
                                  std::abs(trial.sigma - p.sigma) * n_max +
                                  std::abs(trial.kappa - p.kappa) * n_max * n_max;
            converged = change < 1e-13 || (cost - trial_cost) < 1e-15 * cost;
            p = trial;
            cost = trial_cost;
            accepted = true;
        }
        if (!accepted || converged) break;
        damping = std::max(1e-12, damping / 100);  // undo the loop's last ×10, then relax
    }

    // Projected LM can stall a hair away from a bound (where it stalls depends on rounding);
    // a bound that fits as well is the answer, so try the faces of the feasible set.
    for (const auto& [s, k] : {std::pair{p.sigma, 0.0}, std::pair{0.0, p.kappa}, std::pair{0.0, 0.0}}) {
        const Params face{best_lambda(nv, xv, s, k), s, k};
        const double face_cost = sum_squared_residuals(nv, xv, face);
        if (face_cost <= cost * (1 + 1e-9) + 1e-300) p = face, cost = face_cost;
    }
    fit.ok = std::isfinite(p.lambda) && p.lambda > 0;
    fit.lambda = p.lambda;
    fit.sigma = p.sigma;
    fit.kappa = p.kappa;
    fit.peak_n = usl_peak_n(p.sigma, p.kappa);
    const double mean = xv.mean();
    const double ss_tot = (xv.array() - mean).square().sum();
    fit.r_squared = ss_tot > 0 ? 1 - cost / ss_tot : (cost == 0 ? 1.0 : 0.0);
    return fit;
}

}  // namespace stacksim::analytic
