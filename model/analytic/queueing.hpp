#pragma once
// Exact single-station queueing results. All rates are per second, times in seconds.
// Each function returns stable=false (and NaN/inf where undefined) instead of throwing
// when the station is overloaded, so callers can report saturation. An overloaded station
// reports the offered per-server load as utilisation (>= 1), P(wait) = 1, infinite waits
// and its saturated completion rate c·μ as throughput. Nonsensical arguments (negative or
// NaN rates, servers < 1, K < c) throw std::invalid_argument.

namespace stacksim::analytic {

// Erlang B: blocking probability of M/M/c/c with offered load A = λ/μ erlangs.
// Uses the numerically stable recursion B(0)=1, B(k)=A·B(k-1)/(k + A·B(k-1)); O(c).
double erlang_b(double offered_load, int servers);

// Erlang C: probability an arrival waits in M/M/c (requires A < c, else returns 1).
double erlang_c(double offered_load, int servers);

struct StationResult {
    bool stable = true;
    double utilisation = 0;      // per-server utilisation ρ
    double p_wait = 0;           // probability an accepted arrival queues
    double mean_wait_s = 0;      // Wq
    double mean_response_s = 0;  // W = Wq + S
    double wait_tail_rate = 0;   // M/M/c: P(Wq > t | wait) = exp(-wait_tail_rate·t); other
                                 // stations: the exponential with the same mean, P(wait)/Wq
                                 // (+inf when nobody waits, 0 when saturated)
    double p_block = 0;          // finite-capacity stations only
    double throughput = 0;       // accepted arrivals per second
    double mean_in_system = 0;   // L (Little)
};

// M/M/c, Erlang C.
StationResult mmc(double arrival_rate, double service_rate, int servers);

// M/M/c/K: c servers, at most K requests in the station (K >= c); exact birth-death solution.
StationResult mmck(double arrival_rate, double service_rate, int servers, int capacity);

// M/G/1, Pollaczek–Khinchine: Wq = λ·E[S²] / (2(1-ρ)), with E[S²] = (1+cs²)·E[S]².
StationResult mg1(double arrival_rate, double mean_service_s, double service_scv);

// G/G/c, Allen–Cunneen approximation: Wq ≈ Wq(M/M/c) · (ca² + cs²) / 2.
// Exact for M/M/c (ca² = cs² = 1) and for M/G/1.
StationResult ggc_allen_cunneen(double arrival_rate, double mean_service_s, int servers,
                                double arrival_scv, double service_scv);

}  // namespace stacksim::analytic
