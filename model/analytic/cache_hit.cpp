#include "model/analytic/cache_hit.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>

namespace stacksim::analytic {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Ranks 1..kExactRanks are summed key by key; beyond, ranks are grouped in buckets whose
// width grows geometrically, so ~330 buckets cover a 10^12-key space.
constexpr std::uint64_t kExactRanks = 100000;
constexpr double kBucketRatio = 1.05;

// Keys with equal popularity: `keys` may be fractional (a quadrature weight).
struct KeyGroup {
    double rate;
    double keys;
};

void require_non_negative(double value, const char* what, bool allow_inf = false) {
    if (!(value >= 0) || (!allow_inf && std::isinf(value)))
        throw std::invalid_argument(std::string(what) + (allow_inf ? " must be >= 0" : " must be finite and >= 0"));
}

// Zipf(α) popularity profile, per-key weight i^-α (unnormalised; the caller scales).
// The tail sum Σ_{i=a}^{b} f(i) is replaced by ∫_{a-½}^{b+½} f(x) dx (midpoint Euler–Maclaurin;
// its error, ~f'/24 at the ends, is ~1e-6 of a single rank-1e5 key), and each bucket
// [x, 1.05x] is integrated by 3-point Gauss–Legendre. The integrands f (Che occupancy,
// hit ratios) are smooth on the relative scale of a bucket, so the quadrature error is
// ~(0.05)^6 relative: far below Che's own modelling error. The bucket widths sum to the
// exact number of tail keys, so the uniform case (α = 0) stays exact.
void require_zipf(double alpha, std::uint64_t key_space) {
    if (!(alpha >= 0) || std::isinf(alpha)) throw std::invalid_argument("zipf alpha must be finite and >= 0");
    if (key_space < 1) throw std::invalid_argument("key space must hold at least one key");
}

std::vector<KeyGroup> zipf_groups(double alpha, std::uint64_t key_space) {
    require_zipf(alpha, key_space);
    std::vector<KeyGroup> groups;
    const std::uint64_t exact = std::min(key_space, kExactRanks);
    groups.reserve(static_cast<std::size_t>(exact) + 1024);
    for (std::uint64_t i = 1; i <= exact; ++i) groups.push_back({std::pow(static_cast<double>(i), -alpha), 1.0});

    static const double node[3] = {-std::sqrt(0.6), 0.0, std::sqrt(0.6)};
    static const double weight[3] = {5.0 / 9, 8.0 / 9, 5.0 / 9};
    const double end = static_cast<double>(key_space) + 0.5;
    for (double lo = static_cast<double>(exact) + 0.5; lo < end;) {
        const double hi = std::min(end, lo * kBucketRatio);
        const double mid = (lo + hi) / 2, half = (hi - lo) / 2;
        for (int k = 0; k < 3; ++k) groups.push_back({std::pow(mid + half * node[k], -alpha), half * weight[k]});
        lo = hi;
    }
    return groups;
}

// Che's equation Σ keys·(1 - e^{-rate·T}) = C. The left side is increasing and concave in T,
// so Newton's method started at T = 0 never overshoots and converges monotonically.
double solve_characteristic_time(const std::vector<KeyGroup>& groups, double capacity) {
    double cacheable = 0;  // keys that are ever requested
    for (const auto& g : groups)
        if (g.rate > 0) cacheable += g.keys;
    if (capacity >= cacheable) return kInf;
    if (capacity <= 0) return 0;

    double t = 0;
    for (int iter = 0; iter < 1000; ++iter) {
        double occupancy = 0, slope = 0;
        for (const auto& g : groups) {
            occupancy -= g.keys * std::expm1(-g.rate * t);
            slope += g.keys * g.rate * std::exp(-g.rate * t);
        }
        const double deficit = capacity - occupancy;
        if (deficit <= 0 || slope <= 0) break;  // reached the root to rounding
        const double next = t + deficit / slope;
        if (next - t <= 1e-15 * next) {
            t = next;
            break;
        }
        t = next;
    }
    return t;
}

// Request-weighted Che hit ratio Σ rate·keys·(1 - e^{-rate·T}) / Σ rate·keys.
double che_hit_ratio(const std::vector<KeyGroup>& groups, double capacity) {
    const double t = solve_characteristic_time(groups, capacity);
    if (std::isinf(t)) return 1;
    double hits = 0, total = 0;
    for (const auto& g : groups) {
        hits -= g.rate * g.keys * std::expm1(-g.rate * t);
        total += g.rate * g.keys;
    }
    return total > 0 ? hits / total : 0;
}

// Scales per-key weights to request rates summing to total_rate.
void scale_to_rate(std::vector<KeyGroup>& groups, double total_rate) {
    double sum = 0;
    for (const auto& g : groups) sum += g.rate * g.keys;
    for (auto& g : groups) g.rate *= total_rate / sum;
}

}  // namespace

double che_characteristic_time(const std::vector<double>& key_rates, double capacity_keys) {
    require_non_negative(capacity_keys, "cache capacity", true);
    std::vector<KeyGroup> groups;
    groups.reserve(key_rates.size());
    for (double r : key_rates) {
        require_non_negative(r, "key rate");
        groups.push_back({r, 1.0});
    }
    return solve_characteristic_time(groups, capacity_keys);
}

double lru_hit_ratio_zipf(double alpha, std::uint64_t key_space, double capacity_keys) {
    require_non_negative(capacity_keys, "cache capacity", true);
    require_zipf(alpha, key_space);
    if (capacity_keys >= static_cast<double>(key_space)) return 1;  // everything fits
    // LRU under Che depends only on relative popularity, so unnormalised weights will do.
    return che_hit_ratio(zipf_groups(alpha, key_space), capacity_keys);
}

double ttl_hit_ratio(double key_rate, double ttl_s) {
    require_non_negative(key_rate, "key rate");
    require_non_negative(ttl_s, "ttl", true);
    if (key_rate == 0) return 0;
    if (std::isinf(ttl_s)) return 1;
    // A miss inserts the key; it then serves every request for τ seconds (renewal cycle
    // of mean τ + 1/λ, of which λτ requests out of λτ + 1 hit).
    const double x = key_rate * ttl_s;
    return x / (1 + x);
}

double ttl_hit_ratio_zipf(double alpha, std::uint64_t key_space, double total_rate, double ttl_s) {
    return lru_ttl_hit_ratio_zipf(alpha, key_space, kInf, total_rate, ttl_s);
}

double lru_ttl_hit_ratio_zipf(double alpha, std::uint64_t key_space, double capacity_keys, double total_rate,
                              double ttl_s) {
    require_non_negative(capacity_keys, "cache capacity", true);
    require_non_negative(total_rate, "request rate");
    require_non_negative(ttl_s, "ttl", true);
    std::vector<KeyGroup> groups = zipf_groups(alpha, key_space);
    if (total_rate == 0) return 0;
    scale_to_rate(groups, total_rate);
    const double t_c = capacity_keys >= static_cast<double>(key_space) ? kInf
                                                                        : solve_characteristic_time(groups, capacity_keys);
    double hits = 0, requests = 0;
    for (const auto& g : groups) {
        // Each per-key limit alone is exact; the tighter one is taken (see header).
        const double h_lru = std::isinf(t_c) ? 1.0 : -std::expm1(-g.rate * t_c);
        hits += g.rate * g.keys * std::min(h_lru, ttl_hit_ratio(g.rate, ttl_s));
        requests += g.rate * g.keys;
    }
    return hits / requests;
}

}  // namespace stacksim::analytic
