#pragma once
#include <cstdint>
#include <vector>

// Streaming latency histogram with bounded relative error (HDR-style log-linear buckets):
// memory is independent of the number of samples, quantiles are within ±rel_error of the
// true sample quantile. Mergeable (per-interval histograms sum into a whole-run one).
namespace stacksim::sim {

class LatencyHistogram {
public:
    // Values below min_s are counted in the first bucket, above max_s in the last.
    explicit LatencyHistogram(double rel_error = 0.01, double min_s = 1e-7, double max_s = 1e5);

    void record(double seconds);
    void merge(const LatencyHistogram& other);  // same parameters required
    void clear();

    [[nodiscard]] std::uint64_t count() const { return count_; }
    [[nodiscard]] double mean() const;
    [[nodiscard]] double max() const { return max_seen_; }
    // q in [0, 1]; 0 when empty. Returns the representative value of the bucket holding the
    // ceil(q·count)-th smallest sample (q = 0: the smallest), clamped to [min seen, max seen];
    // the smallest and largest samples themselves are returned exactly.
    [[nodiscard]] double quantile(double q) const;
    // The same sample, estimated by geometric interpolation on its rank within its bucket
    // (uniform in log within a bucket): varies continuously with the data, so replications that
    // land in one bucket still differ. Within 2r/(1-r) of the true sample (the bucket's width),
    // usually much closer; extremes exact. What results.json reports (docs/results.md).
    [[nodiscard]] double interpolated_quantile(double q) const;
    // Fraction of samples <= threshold_s (for latency SLIs), within the bucket resolution.
    [[nodiscard]] double fraction_at_or_below(double threshold_s) const;
    // Fixed at construction (memory does not grow with samples).
    [[nodiscard]] std::size_t bucket_count() const { return buckets_.size(); }
    [[nodiscard]] double rel_error() const { return rel_error_; }

private:
    std::size_t bucket(double seconds) const;
    double bucket_value(std::size_t index) const;
    std::uint64_t rank_of(double q) const;  // the 1-based rank of quantile q among count_ samples
    double rel_error_, max_s_;  // kept to check merge compatibility
    double log_base_, min_s_;
    std::vector<std::uint64_t> buckets_;
    std::uint64_t count_ = 0;
    double sum_ = 0, min_seen_ = 0, max_seen_ = 0;
};

}  // namespace stacksim::sim
