#include "model/analytic/zipf_population.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace stacksim::analytic {
namespace {

constexpr double kExactRanks = 20000;
constexpr double kBucketRatio = 1.01;

// Calls fn(weight_per_key, keys) for groups of ranks covering [1, n]; weight is i^-alpha
// averaged over the group (exact for single ranks).
template <class Fn>
void for_each_rank_group(double alpha, double n, Fn&& fn) {
    const double exact = std::min(n, kExactRanks);
    for (double i = 1; i <= exact; ++i) fn(std::pow(i, -alpha), 1.0);
    double a = exact + 1;
    while (a <= n) {
        const double b = std::min(n + 1, std::max(a + 1, std::floor(a * kBucketRatio)));
        // ∫_a^b x^-α dx / (b - a): the mean weight of ranks a..b-1 in the continuum limit.
        const double integral = std::abs(alpha - 1) < 1e-12 ? std::log(b / a)
                                                             : (std::pow(b, 1 - alpha) - std::pow(a, 1 - alpha)) / (1 - alpha);
        fn(integral / (b - a), b - a);
        a = b;
    }
}

}  // namespace

CacheStats zipf_cache_stats(double alpha, double key_space, double total_rate, double tc, double ttl) {
    CacheStats out;
    if (key_space < 1 || total_rate <= 0) return out;
    const double n = std::floor(key_space);
    double norm = 0;
    for_each_rank_group(alpha, n, [&](double w, double keys) { norm += w * keys; });
    const bool capacity_bound = std::isfinite(tc), ttl_bound = std::isfinite(ttl);
    double hits = 0;
    for_each_rank_group(alpha, n, [&](double w, double keys) {
        const double rate = total_rate * w / norm;
        double h = 1.0;
        if (capacity_bound) h = std::min(h, -std::expm1(-rate * tc));
        if (ttl_bound) h = std::min(h, rate * ttl / (1 + rate * ttl));
        hits += h * w / norm * keys;
        out.occupancy_keys += h * keys;
    });
    out.hit_ratio = hits;
    return out;
}

}  // namespace stacksim::analytic
