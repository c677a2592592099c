#include "sim/random/sampler.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

// All transformations of the raw 64-bit engine output are written here rather than taken from
// <random>'s distributions, whose algorithms are unspecified and differ between libstdc++,
// libc++ and MSVC: a run must reproduce bit for bit (up to libm rounding) on any toolchain.
namespace stacksim::sim {
namespace {

constexpr std::uint64_t kGolden = 0x9E3779B97F4A7C15ULL;

std::uint64_t mix64(std::uint64_t z) {  // splitmix64 finaliser: a bijection with good avalanche
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

// Standard normal by Box–Muller. The second variate is dropped because operator() is const
// (no cached state): the draw sequence then depends only on the engine, not on call history.
double standard_normal(Rng& rng) {
    const double u1 = 1.0 - uniform01(rng);  // (0, 1]: log is finite
    const double u2 = uniform01(rng);
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

}  // namespace

// Uniform in [0, 1) from the 53 high bits: every value is an exact multiple of 2^-53.
double uniform01(Rng& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

std::uint64_t uniform_below(Rng& rng, std::uint64_t n) {
    if (n <= 1) return 0;
    const std::uint64_t reject_below = (0 - n) % n;  // = 2^64 mod n
    std::uint64_t r;
    do r = rng();
    while (r < reject_below);
    return r % n;
}

double exponential(Rng& rng, double rate_per_s) { return -std::log1p(-uniform01(rng)) / rate_per_s; }  // 1-u in (0, 1]

std::uint64_t stream_seed(std::uint64_t run_seed, std::uint64_t stream_id) {
    // Two splitmix64 steps. For a fixed run seed, stream -> seed is a bijection (odd multiplier,
    // bijective finaliser), so distinct streams never share a seed.
    return mix64(mix64(run_seed + kGolden) + (stream_id + 1) * kGolden);
}

DistributionSampler::DistributionSampler(const Distribution& d) : kind_(d.kind), mean_(d.mean_s) {
    using K = Distribution::Kind;
    if (kind_ != K::empirical && !(mean_ >= 0 && std::isfinite(mean_)))
        throw std::invalid_argument("DistributionSampler: mean must be finite and >= 0");
    const bool shaped = kind_ == K::lognormal || kind_ == K::gamma;
    if (shaped && !(d.cv >= 0 && std::isfinite(d.cv)))
        throw std::invalid_argument("DistributionSampler: cv must be finite and >= 0");
    // A zero mean or zero cv has no spread: sample it as a constant (avoids 1/cv² = inf).
    if (shaped && (d.cv == 0 || mean_ == 0)) kind_ = K::deterministic;
    if (kind_ == K::lognormal) {
        const double s2 = std::log1p(d.cv * d.cv);
        a_ = std::log(mean_) - s2 / 2;
        b_ = std::sqrt(s2);
    } else if (kind_ == K::gamma) {
        a_ = 1 / (d.cv * d.cv);
        b_ = mean_ * d.cv * d.cv;
        // Marsaglia–Tsang needs shape >= 1; for k < 1 draw Gamma(k+1) and scale by U^(1/k).
        const double k = a_ < 1 ? a_ + 1 : a_;
        mt_d_ = k - 1.0 / 3;
        mt_c_ = 1 / std::sqrt(9 * mt_d_);
    } else if (kind_ == K::empirical) {
        if (d.values_s.empty() || d.values_s.size() != d.weights.size())
            throw std::invalid_argument("DistributionSampler: empirical needs as many weights as values");
        double total = 0, weighted = 0;
        for (std::size_t i = 0; i < d.values_s.size(); ++i) {
            if (!(d.weights[i] >= 0)) throw std::invalid_argument("DistributionSampler: negative weight");
            total += d.weights[i];
            weighted += d.weights[i] * d.values_s[i];
            cumulative_.push_back(total);
        }
        if (!(total > 0) || !std::isfinite(total)) throw std::invalid_argument("DistributionSampler: weights sum to 0");
        values_ = d.values_s;
        mean_ = weighted / total;  // the weights need not be normalised
    }
}

double DistributionSampler::operator()(Rng& rng) const {
    using K = Distribution::Kind;
    switch (kind_) {
        case K::deterministic: return mean_;
        case K::exponential: return mean_ * -std::log1p(-uniform01(rng));  // 1-u in (0, 1]
        case K::lognormal: return std::exp(a_ + b_ * standard_normal(rng));
        case K::gamma: {
            double g;  // Gamma(mt_d_ + 1/3, 1) by Marsaglia & Tsang (2000); accepts > 95% of the time
            for (;;) {
                const double z = standard_normal(rng);
                const double t = 1 + mt_c_ * z;
                if (t <= 0) continue;
                const double v = t * t * t;
                const double u = 1.0 - uniform01(rng);  // (0, 1]
                if (std::log(u) < 0.5 * z * z + mt_d_ - mt_d_ * v + mt_d_ * std::log(v)) {
                    g = mt_d_ * v;
                    break;
                }
            }
            // Shape boost: Gamma(k) = Gamma(k+1)·U^(1/k); in logs so tiny k underflows gracefully.
            if (a_ < 1) g = std::exp(std::log(g) + std::log(1.0 - uniform01(rng)) / a_);
            return g * b_;
        }
        case K::empirical: {
            const double u = uniform01(rng) * cumulative_.back();
            // First value whose cumulative weight exceeds u; skips zero-weight values.
            const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), u);
            const auto i = std::min<std::size_t>(static_cast<std::size_t>(it - cumulative_.begin()), values_.size() - 1);
            return values_[i];
        }
    }
    return mean_;
}

// ---- Zipf by rejection-inversion --------------------------------------------------------------
// Hat h(x) = x^-α with integral H(x) = (x^(1-α) - 1)/(1-α) (log x at α = 1; this form has a
// continuous limit in α, unlike the paper's x^(1-α)/(1-α)). u is uniform on (H(1.5) - 1, H(n+½)],
// x = H⁻¹(u) is rounded to k and accepted with probability h(k) / (H(k+½) - H(k-½)); rank 1 is
// always accepted. Acceptance is high for all α, so draws are O(1) in n.
namespace {

// log1p(x)/x and expm1(x)/x, with series near 0 where the quotient loses precision.
double log1p_over_x(double x) {
    return std::abs(x) > 1e-8 ? std::log1p(x) / x : 1 - x * (0.5 - x * (1.0 / 3 - 0.25 * x));
}
double expm1_over_x(double x) {
    return std::abs(x) > 1e-8 ? std::expm1(x) / x : 1 + x * 0.5 * (1 + x / 3 * (1 + 0.25 * x));
}

}  // namespace

double ZipfSampler::h(double x) const {  // H(x), the integral of the hat
    const double lx = std::log(x);
    return expm1_over_x((1 - alpha_) * lx) * lx;
}

double ZipfSampler::h_inv(double x) const {
    // Rounding can push t just below -1 (outside H's range); clamp as Commons does.
    const double t = std::max(-1.0, x * (1 - alpha_));
    return std::exp(log1p_over_x(t) * x);
}

double ZipfSampler::hat(double x) const { return std::exp(-alpha_ * std::log(x)); }

ZipfSampler::ZipfSampler(double alpha, std::uint64_t n) : alpha_(alpha), n_(n), h_x1_(0), h_n_(0), s_(0) {
    if (!(alpha >= 0 && std::isfinite(alpha))) throw std::invalid_argument("ZipfSampler: alpha must be finite and >= 0");
    if (n == 0) throw std::invalid_argument("ZipfSampler: n must be >= 1");
    if (alpha_ == 0) return;  // uniform: drawn directly
    h_x1_ = h(1.5) - 1;
    h_n_ = h(static_cast<double>(n) + 0.5);
    // Squeeze: if k - x <= s_ the acceptance test is known to pass (Theorem 2 of the paper).
    s_ = 2 - h_inv(h(2.5) - hat(2));
}

std::uint64_t ZipfSampler::operator()(Rng& rng) const {
    if (alpha_ == 0) {
        return uniform_below(rng, n_) + 1;
    }
    const double n = static_cast<double>(n_);
    for (;;) {
        const double u = h_n_ + uniform01(rng) * (h_x1_ - h_n_);  // in (h_x1_, h_n_]
        const double x = h_inv(u);
        // Round and clamp in double so the integer conversion is always in range.
        const double k = std::clamp(std::floor(x + 0.5), 1.0, n);
        if (k - x <= s_ || u >= h(k + 0.5) - hat(k)) return static_cast<std::uint64_t>(k);
    }
}

}  // namespace stacksim::sim
