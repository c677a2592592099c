#pragma once
#include <vector>

#include "model/analytic/queueing.hpp"

// Queues behind a load balancer: the arrival process each backend sees depends on how the
// balancer deals requests (docs/analytic-model.md, "Load balancing"). All rates per second.
namespace stacksim::analytic {

// GI/M/1 with gamma-distributed interarrival times of squared coefficient of variation
// `arrival_scv` (Erlang-k for arrival_scv = 1/k, Poisson for 1). Exact (Kleinrock, Queueing
// Systems I, §6.4): σ is the root in (0, 1) of σ = A*(μ(1-σ)), A*(s) = (1 + s·c²/λ)^(-1/c²)
// the interarrival LST; an arrival waits with probability σ, its wait given that it waits is
// Exp(μ(1-σ)), and the sojourn time is Exp(μ(1-σ)). arrival_scv = 0 is D/M/1.
StationResult gamma_arrivals_m1(double arrival_rate, double service_rate, double arrival_scv);

// The root σ above (exposed for tests); iterations counts the Newton steps taken.
double gi_m1_sigma(double arrival_rate, double service_rate, double arrival_scv, int* iterations = nullptr);

// Power of d choices (JSQ(d)) over many single-server exponential queues: the supermarket
// model's mean-field fixed point (Mitzenmacher 2001; Vvedenskaya, Dobrushin & Karpelevich
// 1996). A fraction s_i = ρ^((dⁱ-1)/(d-1)) of the queues holds at least i requests; an arrival
// joins one holding i with probability s_iᵈ - s_{i+1}ᵈ. Exact as the number of queues grows.
struct SupermarketResult {
    StationResult station;
    double wait_second_moment = 0;  // E[Wq²]
};
SupermarketResult supermarket(double arrival_rate_per_queue, double service_rate, int choices);

// Squared coefficient of variation of a superposition of independent streams (Whitt's QNA,
// 1983, the hybrid of the asymptotic and stationary-interval methods): with weights λᵢ/λ,
// c² = w·Σ(λᵢ/λ)·cᵢ² + 1 - w, w = 1 / (1 + 4(1-ρ)²(ν-1)), ν = 1 / Σ(λᵢ/λ)². `utilisation` is
// that of the queue the streams feed.
struct Stream {
    double rate = 0, scv = 1;
};
double superposition_scv(const std::vector<Stream>& streams, double utilisation);

}  // namespace stacksim::analytic
