#include "sim/metrics/latency_histogram.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

// Bucket scheme (as in DDSketch): with γ = (1+r)/(1-r), bucket i covers [lo, hi) =
// [min·γ^i, min·γ^(i+1)) and is represented by v = (1+r)·lo = (1-r)·hi.
// Error bound, for any x in the bucket: v - x <= v - lo = r·lo <= r·x, and
// x - v <= x - (1-r)·x = r·x because v = (1-r)·hi >= (1-r)·x. So |v - x| <= r·x: relative to
// the true sample. Buckets are ordered like the values, so the bucket holding the k-th smallest
// sample is found by a cumulative count and its representative is within r of that sample
// (up to rounding in log() for samples within an ulp of a bucket edge).
namespace stacksim::sim {

LatencyHistogram::LatencyHistogram(double rel_error, double min_s, double max_s) {
    if (!(rel_error > 0 && rel_error < 1)) throw std::invalid_argument("LatencyHistogram: rel_error must be in (0, 1)");
    if (!(min_s > 0 && max_s > min_s && std::isfinite(max_s)))
        throw std::invalid_argument("LatencyHistogram: need 0 < min_s < max_s < inf");
    rel_error_ = rel_error;
    max_s_ = max_s;
    log_base_ = std::log((1 + rel_error) / (1 - rel_error));
    min_s_ = min_s;
    // Enough buckets that max_s lands in the last one; all memory is allocated here.
    const double n = std::floor(std::log(max_s / min_s) / log_base_) + 1;
    if (n > 1e8) throw std::invalid_argument("LatencyHistogram: too many buckets for these parameters");
    buckets_.assign(static_cast<std::size_t>(n), 0);
}

std::size_t LatencyHistogram::bucket(double seconds) const {
    // `!(x > min)` also catches NaN, so the cast below only ever sees finite positive values.
    if (!(seconds > min_s_)) return 0;
    const double i = std::floor(std::log(seconds / min_s_) / log_base_);
    const auto last = static_cast<double>(buckets_.size() - 1);
    return static_cast<std::size_t>(std::min(i, last));
}

double LatencyHistogram::bucket_value(std::size_t index) const {
    return min_s_ * std::exp(static_cast<double>(index) * log_base_) * (1 + rel_error_);
}

void LatencyHistogram::record(double seconds) {
    if (!(seconds >= 0)) seconds = 0;  // negative/NaN would poison sum and max; latencies are >= 0
    ++buckets_[bucket(seconds)];
    if (count_ == 0 || seconds < min_seen_) min_seen_ = seconds;
    if (count_ == 0 || seconds > max_seen_) max_seen_ = seconds;
    ++count_;
    sum_ += seconds;
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
    if (other.rel_error_ != rel_error_ || other.min_s_ != min_s_ || other.max_s_ != max_s_)
        throw std::invalid_argument("LatencyHistogram::merge: histograms have different parameters");
    if (other.count_ == 0) return;
    for (std::size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += other.buckets_[i];
    min_seen_ = count_ == 0 ? other.min_seen_ : std::min(min_seen_, other.min_seen_);
    max_seen_ = count_ == 0 ? other.max_seen_ : std::max(max_seen_, other.max_seen_);
    count_ += other.count_;
    sum_ += other.sum_;
}

void LatencyHistogram::clear() {
    std::fill(buckets_.begin(), buckets_.end(), 0);
    count_ = 0;
    sum_ = min_seen_ = max_seen_ = 0;
}

double LatencyHistogram::mean() const { return count_ == 0 ? 0.0 : sum_ / static_cast<double>(count_); }

std::uint64_t LatencyHistogram::rank_of(double q) const {
    q = std::clamp(q, 0.0, 1.0);  // NaN stays NaN and falls to rank 1 below
    const double rank_d = std::ceil(q * static_cast<double>(count_));
    return rank_d >= 1 ? std::min(static_cast<std::uint64_t>(rank_d), count_) : 1;
}

double LatencyHistogram::quantile(double q) const {
    if (count_ == 0) return 0.0;
    const std::uint64_t rank = rank_of(q);
    // The extremes are tracked exactly, which also covers samples outside [min_s, max_s].
    if (rank == 1) return min_seen_;
    if (rank == count_) return max_seen_;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < buckets_.size(); ++i) {
        seen += buckets_[i];
        // The true sample lies in [min_seen, max_seen], so clamping can only reduce the error.
        if (seen >= rank) return std::clamp(bucket_value(i), min_seen_, max_seen_);
    }
    return max_seen_;  // unreachable: the buckets sum to count_
}

double LatencyHistogram::interpolated_quantile(double q) const {
    if (count_ == 0) return 0.0;
    const std::uint64_t rank = rank_of(q);
    if (rank == 1) return min_seen_;
    if (rank == count_) return max_seen_;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < buckets_.size(); ++i) {
        if (seen + buckets_[i] >= rank) {
            // The bucket's k-th of n samples sits at the top of the k-th of n equal log-slices:
            // the (k/n) point, so that the estimate never falls below the rank it stands for.
            const double at = static_cast<double>(rank - seen) / static_cast<double>(buckets_[i]);
            const double lo = bucket_value(i) / (1 + rel_error_);
            return std::clamp(lo * std::exp(at * log_base_), min_seen_, max_seen_);
        }
        seen += buckets_[i];
    }
    return max_seen_;
}

double LatencyHistogram::fraction_at_or_below(double threshold_s) const {
    if (count_ == 0) return 0.0;
    if (threshold_s >= max_seen_) return 1.0;
    if (!(threshold_s >= min_seen_)) return 0.0;
    // A bucket counts when its representative is <= threshold, so that
    // fraction_at_or_below(quantile(q)) >= q. This yields F(t/(1+r)) <= result <= F(t/(1-r)).
    std::uint64_t below = 0;
    const std::size_t last = bucket(threshold_s);
    for (std::size_t i = 0; i <= last; ++i)
        if (i < last || bucket_value(i) <= threshold_s) below += buckets_[i];
    return static_cast<double>(below) / static_cast<double>(count_);
}

}  // namespace stacksim::sim
