#include "model/analytic/queueing.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace stacksim::analytic {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Rates, loads and times must be finite and non-negative; NaN fails both tests.
void require_non_negative(double value, const char* what) {
    if (!(value >= 0) || !std::isfinite(value))
        throw std::invalid_argument(std::string(what) + " must be finite and >= 0");
}

void require_positive(double value, const char* what) {
    if (!(value > 0) || !std::isfinite(value))
        throw std::invalid_argument(std::string(what) + " must be finite and > 0");
}

void require_servers(int servers) {
    if (servers < 1) throw std::invalid_argument("servers must be >= 1");
}

// Conditional wait tail rate of an exponential matched to the mean conditional wait
// E[Wq | wait] = Wq / P(wait). Exact for M/M/c; an approximation everywhere else.
// No queueing at all (Wq = 0) means the tail vanishes immediately: +inf.
double matched_tail_rate(double p_wait, double mean_wait_s) {
    return mean_wait_s > 0 ? p_wait / mean_wait_s : kInf;
}

// Offered load ≥ capacity on an unbounded queue: the backlog grows without bound.
// We report the offered per-server load (so callers see *how* overloaded), the
// saturated completion rate c·μ, and infinite waits.
StationResult saturated(double rho, double capacity_per_s) {
    StationResult r;
    r.stable = false;
    r.utilisation = rho;
    r.p_wait = 1;
    r.mean_wait_s = kInf;
    r.mean_response_s = kInf;
    r.wait_tail_rate = 0;
    r.throughput = capacity_per_s;
    r.mean_in_system = kInf;
    return r;
}

// Truncated geometric series over i = 0..m-1 with ratio r = e^x, x <= 0 (so no overflow).
// sum = Σ r^i, mean = Σ i·r^i / Σ r^i. Closed forms use expm1 to avoid cancellation; when
// |m·x| is tiny the closed-form mean still cancels (two ~1/x terms), so we use the
// cumulant expansion of the tilted discrete uniform on 0..m-1 instead (κ3 = 0).
struct Geometric {
    double sum = 0, mean = 0;
};

Geometric truncated_geometric(double x, double m) {
    if (m <= 0) return {};
    if (x == 0) return {m, (m - 1) / 2};
    const double mx = m * x;
    Geometric g;
    g.sum = std::expm1(mx) / std::expm1(x);
    if (std::abs(mx) < 1e-3) {
        const double k2 = (m * m - 1) / 12;
        const double k4 = -(m * m - 1) * (m * m + 1) / 120;
        g.mean = (m - 1) / 2 + k2 * x + k4 * x * x * x / 6;
    } else {
        // d/dx log Σ e^{ix} = m·e^{mx}/(e^{mx}-1) - e^x/(e^x-1)
        g.mean = m * std::exp(mx) / std::expm1(mx) - std::exp(x) / std::expm1(x);
    }
    return g;
}

}  // namespace

double erlang_b(double offered_load, int servers) {
    require_non_negative(offered_load, "offered load");
    require_servers(servers);
    double b = 1;
    for (int k = 1; k <= servers; ++k) {
        b = offered_load * b / (k + offered_load * b);
        if (b == 0) break;  // underflowed; stays 0 for every larger k
    }
    return b;
}

double erlang_c(double offered_load, int servers) {
    const double b = erlang_b(offered_load, servers);
    const double rho = offered_load / servers;
    if (rho >= 1) return 1;
    return b / (1 - rho * (1 - b));
}

StationResult mmc(double arrival_rate, double service_rate, int servers) {
    require_non_negative(arrival_rate, "arrival rate");
    require_positive(service_rate, "service rate");
    require_servers(servers);
    const double capacity = servers * service_rate;
    const double rho = arrival_rate / capacity;
    if (rho >= 1) return saturated(rho, capacity);

    StationResult r;
    r.utilisation = rho;
    r.p_wait = erlang_c(arrival_rate / service_rate, servers);
    r.wait_tail_rate = capacity - arrival_rate;  // Wq | wait ~ Exp(cμ - λ)
    r.mean_wait_s = r.p_wait / r.wait_tail_rate;
    r.mean_response_s = r.mean_wait_s + 1 / service_rate;
    r.throughput = arrival_rate;
    r.mean_in_system = arrival_rate * r.mean_response_s;
    return r;
}

StationResult mmck(double arrival_rate, double service_rate, int servers, int capacity) {
    require_non_negative(arrival_rate, "arrival rate");
    require_positive(service_rate, "service rate");
    require_servers(servers);
    if (capacity < servers) throw std::invalid_argument("capacity K must be >= servers c");

    StationResult r;
    r.wait_tail_rate = kInf;
    r.mean_response_s = 1 / service_rate;
    if (arrival_rate == 0) return r;

    // Birth-death chain: p_n ∝ A^n/n! for n <= c, then p_c·ρ^(n-c) up to K. The part
    // n <= c is an M/M/c/c system, so Σ_{n<=c} p_n = p_c / B(c, A) with B Erlang B;
    // the queue part n = c+1..K is a truncated geometric. Normalising against whichever
    // end dominates (p_c when ρ <= 1, p_K when ρ > 1) keeps every term <= 1: O(c), and
    // O(1) in the buffer size K - c.
    const double a = arrival_rate / service_rate;
    const double rho = a / servers;
    const double m = static_cast<double>(capacity) - servers;  // waiting room
    const double b = erlang_b(a, servers);

    double p_block = 0, p_queue_or_full = 0, lq = 0;  // p_K, P(c <= N < K), E[queue]
    if (rho <= 1) {
        // p_{c+j} = p_c·ρ^j, j = 1..m; Σ = p_c·ρ·G(ρ, m).
        const Geometric g = truncated_geometric(std::log(rho), m);
        const double p_c = b / (1 + b * rho * g.sum);
        p_block = p_c * std::pow(rho, m);
        p_queue_or_full = p_c * (1 + rho * g.sum) - p_block;
        lq = p_c * rho * g.sum * (1 + g.mean);
    } else {
        // p_{c+j} = p_K·r^(m-j) with r = 1/ρ < 1; Σ_{j=1..m} = p_K·G(r, m), p_c = p_K·r^m.
        const double x = -std::log(rho);
        const Geometric g = truncated_geometric(x, m);
        const double rm = std::exp(m * x);
        p_block = 1 / (rm / b + g.sum);
        p_queue_or_full = p_block * (rm + g.sum) - p_block;
        lq = p_block * g.sum * (m - g.mean);  // Σ_i (m - i)·r^i
    }

    const double accepted = arrival_rate * (1 - p_block);
    r.p_block = p_block;
    r.throughput = accepted;
    r.utilisation = accepted / (servers * service_rate);
    r.p_wait = p_queue_or_full / (1 - p_block);  // PASTA, conditioned on being admitted
    r.mean_wait_s = lq / accepted;
    r.mean_response_s = r.mean_wait_s + 1 / service_rate;
    r.mean_in_system = lq + accepted / service_rate;  // queue + busy servers (Little)
    r.wait_tail_rate = matched_tail_rate(r.p_wait, r.mean_wait_s);
    return r;
}

StationResult mg1(double arrival_rate, double mean_service_s, double service_scv) {
    require_non_negative(arrival_rate, "arrival rate");
    require_positive(mean_service_s, "mean service time");
    require_non_negative(service_scv, "service SCV");
    const double rho = arrival_rate * mean_service_s;
    if (rho >= 1) return saturated(rho, 1 / mean_service_s);

    StationResult r;
    r.utilisation = rho;
    r.p_wait = rho;  // PASTA: an arrival waits iff the server is busy
    r.mean_wait_s = rho * mean_service_s * (1 + service_scv) / (2 * (1 - rho));
    r.mean_response_s = r.mean_wait_s + mean_service_s;
    r.wait_tail_rate = matched_tail_rate(r.p_wait, r.mean_wait_s);
    r.throughput = arrival_rate;
    r.mean_in_system = arrival_rate * r.mean_response_s;
    return r;
}

StationResult ggc_allen_cunneen(double arrival_rate, double mean_service_s, int servers,
                                double arrival_scv, double service_scv) {
    require_positive(mean_service_s, "mean service time");
    require_non_negative(arrival_scv, "arrival SCV");
    require_non_negative(service_scv, "service SCV");
    StationResult r = mmc(arrival_rate, 1 / mean_service_s, servers);
    if (!r.stable) return r;
    // Keep the Erlang C wait probability; scale the mean wait by the variability factor.
    r.mean_wait_s *= (arrival_scv + service_scv) / 2;
    r.mean_response_s = r.mean_wait_s + mean_service_s;
    r.mean_in_system = arrival_rate * r.mean_response_s;
    r.wait_tail_rate = matched_tail_rate(r.p_wait, r.mean_wait_s);
    return r;
}

}  // namespace stacksim::analytic
