#pragma once
#include <cstdint>

// One population of keys with Zipf(alpha) popularity (alpha = 0: uniform) and a total Poisson
// request rate, as seen by a cache. Used to solve Che's equation when several key spaces
// share one cache (sum of their byte occupancies = capacity).
namespace stacksim::analytic {

struct CacheStats {
    double hit_ratio = 0;       // request-weighted
    double occupancy_keys = 0;  // expected number of this population's keys in the cache
};

// Per key i with rate λ_i: h_i = min(1 - e^{-λ_i T_C}, λ_i τ / (1 + λ_i τ)); the same value is
// the fraction of time the key is cached (PASTA), which gives the occupancy.
// characteristic_time_s = +inf: no capacity limit; ttl_s = +inf: no TTL.
// Exact over the first 20000 ranks, log-spaced rank buckets (ratio 1.01) beyond.
CacheStats zipf_cache_stats(double alpha, double key_space, double total_rate, double characteristic_time_s,
                            double ttl_s);

}  // namespace stacksim::analytic
