#pragma once
#include <cstdint>
#include <random>
#include <vector>

#include "model/stack/distribution.hpp"

// Random draws for the simulator. Every stream is a std::mt19937_64 seeded from the run seed
// and a stream id, so the same inputs and seed give identical runs regardless of event order
// in unrelated components.
namespace stacksim::sim {

using Rng = std::mt19937_64;

// splitmix64 of (seed, stream): independent, reproducible seeds for per-component streams.
std::uint64_t stream_seed(std::uint64_t run_seed, std::uint64_t stream_id);

// The simulator's elementary draws, written out here (never <random>'s distributions, whose
// algorithms differ between standard libraries; tests/sim/no_std_distributions.cmake guards it).
// Uniform in [0, 1), a multiple of 2^-53.
double uniform01(Rng& rng);
// Uniform in [lo, hi).
inline double uniform(Rng& rng, double lo, double hi) { return lo + (hi - lo) * uniform01(rng); }
// Uniform integer in [0, n), unbiased (rejection of the engine's top 2^64 mod n outputs); n >= 1.
std::uint64_t uniform_below(Rng& rng, std::uint64_t n);
// Exponential with rate `rate_per_s` (mean 1 / rate), by inversion.
double exponential(Rng& rng, double rate_per_s);

// Samples a model Distribution: exponential(mean), deterministic, lognormal(mean, cv),
// gamma(mean, cv), empirical(values, weights). Precomputes what it can.
class DistributionSampler {
public:
    DistributionSampler() = default;
    explicit DistributionSampler(const Distribution& d);
    double operator()(Rng& rng) const;
    [[nodiscard]] double mean() const { return mean_; }

private:
    Distribution::Kind kind_ = Distribution::Kind::deterministic;
    double mean_ = 0, a_ = 0, b_ = 0;  // lognormal: mu, sigma; gamma: shape, scale
    double mt_d_ = 0, mt_c_ = 0;       // gamma: Marsaglia–Tsang constants for max(shape, shape+1)
    std::vector<double> values_, cumulative_;
};

// Zipf(alpha) over ranks 1..n (n up to 1e12), alpha >= 0 (0 = uniform), O(1) per draw by
// rejection-inversion (Hörmann & Derflinger 1996). Returns a rank in [1, n].
class ZipfSampler {
public:
    ZipfSampler(double alpha, std::uint64_t n);
    std::uint64_t operator()(Rng& rng) const;

private:
    double alpha_;
    std::uint64_t n_;
    double h_x1_, h_n_, s_;
    double h(double x) const;      // integral of the hat x^-alpha, (x^(1-a) - 1)/(1-a) or log x
    double h_inv(double x) const;  // its inverse
    double hat(double x) const;    // x^-alpha
};

}  // namespace stacksim::sim
