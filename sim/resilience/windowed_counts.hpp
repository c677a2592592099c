#pragma once
#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

namespace stacksim::sim {

// Two event counts (requests and retries for a retry budget, requests and accepts for adaptive
// throttling) over a sliding time window kept as a ring of equal buckets: O(1) per event, and
// the window slides a bucket at a time, as Finagle's and Envoy's windowed counters do.
class WindowedCounts {
public:
    WindowedCounts(double window_s, int buckets) : bucket_s_(window_s / buckets), ring_(static_cast<std::size_t>(buckets)) {}

    void add(int which, double now_s) {
        advance(now_s);
        ++ring_[static_cast<std::size_t>(head_ % static_cast<std::int64_t>(ring_.size()))][which];
        ++total_[which];
    }
    [[nodiscard]] double count(int which, double now_s) {
        advance(now_s);
        return static_cast<double>(total_[which]);
    }

private:
    void advance(double now_s) {
        const auto at = static_cast<std::int64_t>(std::floor(now_s / bucket_s_));
        if (at <= head_) return;
        const auto n = static_cast<std::int64_t>(ring_.size());
        // Buckets that fell out of the window are emptied (at most the whole ring).
        for (std::int64_t i = head_ + 1, k = 0; i <= at && k < n; ++i, ++k) {
            auto& bucket = ring_[static_cast<std::size_t>(i % n)];
            for (int w = 0; w < 2; ++w) total_[w] -= bucket[w];
            bucket = {};
        }
        head_ = at;
    }

    double bucket_s_;
    std::int64_t head_ = 0;  // index of the current bucket (time / bucket_s)
    std::vector<std::array<std::uint64_t, 2>> ring_;
    std::array<std::uint64_t, 2> total_{};
};

}  // namespace stacksim::sim
