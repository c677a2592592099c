#pragma once
#include <cstdint>
#include <vector>

// Cache hit-ratio models under the independent reference model (Poisson requests per key).
namespace stacksim::analytic {

// Che's approximation for LRU: find the characteristic time T_C with Σ_i (1 - e^{-λ_i T_C}) = C.
// Returns +inf when C >= number of keys with a positive rate (everything fits), 0 when C = 0.
double che_characteristic_time(const std::vector<double>& key_rates, double capacity_keys);

// LRU hit ratio for Zipf(alpha) popularity over key_space keys (alpha = 0: uniform),
// by Che. Large key spaces are handled by exact ranks up to a cut-off and log-spaced rank
// buckets beyond it, so the cost is independent of key_space.
double lru_hit_ratio_zipf(double alpha, std::uint64_t key_space, double capacity_keys);

// TTL cache (entry expires ttl after insertion; hits do not refresh): h = λT / (1 + λT).
double ttl_hit_ratio(double key_rate, double ttl_s);

// Zipf popularity, total request rate, TTL only (unbounded capacity).
double ttl_hit_ratio_zipf(double alpha, std::uint64_t key_space, double total_rate, double ttl_s);

// LRU with capacity and a TTL. Approximation (documented in docs/analytic-model.md): per key,
// h_i = min(1 - e^{-λ_i T_C}, λ_i τ / (1 + λ_i τ)) with T_C from Che on the capacity alone;
// exact in both limits (TTL → ∞ gives Che, capacity → ∞ gives the TTL formula).
double lru_ttl_hit_ratio_zipf(double alpha, std::uint64_t key_space, double capacity_keys,
                              double total_rate, double ttl_s);

}  // namespace stacksim::analytic
