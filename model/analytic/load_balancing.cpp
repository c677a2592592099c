#include "model/analytic/load_balancing.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace stacksim::analytic {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

void require_rates(double arrival_rate, double service_rate) {
    if (!(arrival_rate >= 0) || !std::isfinite(arrival_rate)) throw std::invalid_argument("arrival rate must be finite and >= 0");
    if (!(service_rate > 0) || !std::isfinite(service_rate)) throw std::invalid_argument("service rate must be finite and > 0");
}

StationResult overloaded(double rho, double service_rate) {
    StationResult r;
    r.stable = false;
    r.utilisation = rho;
    r.p_wait = 1;
    r.mean_wait_s = r.mean_response_s = r.mean_in_system = kInf;
    r.throughput = service_rate;
    return r;
}

}  // namespace

double gi_m1_sigma(double lambda, double mu, double scv, int* iterations) {
    require_rates(lambda, mu);
    if (!(scv >= 0) || !std::isfinite(scv)) throw std::invalid_argument("arrival SCV must be finite and >= 0");
    if (lambda == 0) return 0;
    if (lambda >= mu) return 1;
    // f(σ) = A*(μ(1-σ)) - σ is convex with f(0) > 0 and a single root in (0, 1) when ρ < 1,
    // so Newton's method from σ = 0 climbs to it monotonically without overshooting.
    auto lst = [&](double s, double& slope) {  // A*(s) and dA*/ds
        if (scv < 1e-12) {  // deterministic interarrival times
            const double a = std::exp(-s / lambda);
            slope = -a / lambda;
            return a;
        }
        const double base = 1 + s * scv / lambda;
        const double a = std::exp(-std::log1p(s * scv / lambda) / scv);
        slope = -a / (lambda * base);
        return a;
    };
    double sigma = 0;
    int n = 0;
    for (; n < 200; ++n) {
        double slope = 0;
        const double f = lst(mu * (1 - sigma), slope) - sigma;
        const double df = -mu * slope - 1;
        const double next = sigma - f / df;
        if (!(next > sigma) || next >= 1) break;  // converged to rounding
        const bool done = next - sigma <= 1e-15 * next;
        sigma = next;
        if (done) break;
    }
    if (iterations) *iterations = n + 1;
    return sigma;
}

StationResult gamma_arrivals_m1(double lambda, double mu, double scv) {
    const double sigma = gi_m1_sigma(lambda, mu, scv);
    const double rho = lambda / mu;
    if (rho >= 1) return overloaded(rho, mu);
    StationResult r;
    r.utilisation = rho;
    r.p_wait = sigma;
    r.wait_tail_rate = mu * (1 - sigma);
    r.mean_wait_s = sigma / r.wait_tail_rate;
    r.mean_response_s = 1 / r.wait_tail_rate;
    r.throughput = lambda;
    r.mean_in_system = lambda * r.mean_response_s;
    return r;
}

SupermarketResult supermarket(double lambda, double mu, int d) {
    require_rates(lambda, mu);
    if (d < 1) throw std::invalid_argument("choices must be >= 1");
    const double rho = lambda / mu;
    if (rho >= 1) return {overloaded(rho, mu), kInf};
    SupermarketResult out;
    StationResult& r = out.station;
    r.utilisation = rho;
    r.throughput = lambda;
    // s_i in log space: log s_i = ((dⁱ-1)/(d-1))·log ρ (for d = 1, i·log ρ: the M/M/1).
    const double log_rho = std::log(rho);
    double exponent = 0, mean_ahead = 0, second_ahead = 0;  // Σ π_i·i, Σ π_i·i(i+1)
    double di = 1;                                             // dⁱ
    for (int i = 0; i < 100000 && rho > 0; ++i) {
        const double s_i = std::exp(exponent * log_rho), next_exponent = exponent + di;
        const double s_next = std::exp(next_exponent * log_rho);
        const double join = std::pow(s_i, d) - std::pow(s_next, d);  // P(join a queue holding i)
        mean_ahead += join * i;
        second_ahead += join * i * (i + 1.0);
        if (i == 1) r.p_wait = std::pow(s_i, d);
        if (s_next < 1e-300 || (i > 0 && join < 1e-18 * std::max(mean_ahead, 1e-300))) break;
        exponent = next_exponent;
        di *= d;
    }
    if (r.p_wait == 0 && rho > 0) r.p_wait = std::pow(rho, d);
    r.mean_wait_s = mean_ahead / mu;
    r.mean_response_s = r.mean_wait_s + 1 / mu;
    r.mean_in_system = lambda * r.mean_response_s;
    r.wait_tail_rate = r.mean_wait_s > 0 ? r.p_wait / r.mean_wait_s : kInf;
    out.wait_second_moment = second_ahead / (mu * mu);  // Erlang(i, μ): E[W²] = i(i+1)/μ²
    return out;
}

double superposition_scv(const std::vector<Stream>& streams, double utilisation) {
    double total = 0;
    for (const Stream& s : streams) total += s.rate;
    if (total <= 0) return 1;
    double weighted = 0, herfindahl = 0;
    for (const Stream& s : streams) {
        const double p = s.rate / total;
        weighted += p * s.scv;
        herfindahl += p * p;
    }
    const double nu = 1 / herfindahl;
    const double slack = 1 - std::min(1.0, std::max(0.0, utilisation));
    const double w = 1 / (1 + 4 * slack * slack * (nu - 1));
    return w * weighted + 1 - w;
}

}  // namespace stacksim::analytic
