#include "sim/resilience/policies.hpp"

#include <algorithm>
#include <cmath>

namespace stacksim::sim {
namespace {
constexpr int kBudgetBuckets = 10;
constexpr int kThrottleBuckets = 20;
}  // namespace

double backoff_s(const RetryPolicy& p, int retry, double& previous_s, Rng& rng) {
    const double exp = std::min(p.max_s, p.base_s * std::ldexp(1.0, std::min(retry - 1, 60)));
    double d = exp;
    switch (p.jitter) {
        case RetryPolicy::Jitter::none: break;
        case RetryPolicy::Jitter::full: d = uniform01(rng) * exp; break;
        case RetryPolicy::Jitter::equal: d = exp / 2 + uniform01(rng) * exp / 2; break;
        case RetryPolicy::Jitter::decorrelated: {
            const double hi = std::max(p.base_s, 3 * previous_s);
            d = std::min(p.max_s, p.base_s + uniform01(rng) * (hi - p.base_s));
            break;
        }
    }
    previous_s = d;
    return d;
}

RetryBudget::RetryBudget(const RetryPolicy::Budget& b) : b_(b), counts_(b.window_s, kBudgetBuckets) {}

void RetryBudget::request(double now_s) { counts_.add(requests, now_s); }

double RetryBudget::balance(double now_s) {
    return b_.ratio * counts_.count(requests, now_s) + b_.min_per_s * b_.window_s - counts_.count(retries, now_s);
}

bool RetryBudget::try_retry(double now_s) {
    if (balance(now_s) < 1) return false;
    counts_.add(retries, now_s);
    return true;
}

const char* CircuitBreaker::name(State s) {
    switch (s) {
        case State::closed: return "closed";
        case State::open: return "open";
        case State::half_open: return "half_open";
    }
    return "?";
}

CircuitBreaker::CircuitBreaker(const BreakerPolicy& p)
    : p_(p), ring_(static_cast<std::size_t>(p.window_size)) {}

void CircuitBreaker::reset_window() {
    std::fill(ring_.begin(), ring_.end(), Bucket{});
    next_ = 0;
    calls_ = failed_ = slow_ = 0;
}

void CircuitBreaker::transition(State to) {
    state_ = to;
    ++generation_;
    probes_ = probe_results_ = probe_failed_ = probe_slow_ = 0;
    if (to == State::closed) reset_window();
}

bool CircuitBreaker::permit() {
    switch (state_) {
        case State::closed: return true;
        case State::open: return false;
        case State::half_open:
            if (probes_ >= p_.half_open_calls) return false;
            ++probes_;
            return true;
    }
    return false;
}

void CircuitBreaker::count(double now_s, bool failed, bool slow) {
    if (p_.window == BreakerPolicy::Window::count) {
        Bucket& b = ring_[next_];
        next_ = (next_ + 1) % ring_.size();
        if (b.calls) {  // the oldest outcome leaves the window
            --calls_;
            failed_ -= b.failed;
            slow_ -= b.slow;
        }
        b = {0, 1, failed, slow};
    } else {
        const auto sec = static_cast<std::int64_t>(std::floor(now_s));
        Bucket& b = ring_[static_cast<std::size_t>(sec % static_cast<std::int64_t>(ring_.size()))];
        if (b.second != sec) {
            // Evict every bucket older than the window (the ring holds window_size seconds).
            for (Bucket& old : ring_)
                if (old.second >= 0 && old.second <= sec - static_cast<std::int64_t>(ring_.size())) {
                    calls_ -= old.calls;
                    failed_ -= old.failed;
                    slow_ -= old.slow;
                    old = {};
                }
            if (b.second >= 0) {  // same slot, an older second (already evicted above unless inside)
                calls_ -= b.calls;
                failed_ -= b.failed;
                slow_ -= b.slow;
            }
            b = {sec, 0, 0, 0};
        }
        ++b.calls;
        b.failed += failed;
        b.slow += slow;
    }
    ++calls_;
    failed_ += failed;
    slow_ += slow;
}

double CircuitBreaker::failure_rate() const {
    return calls_ ? static_cast<double>(failed_) / static_cast<double>(calls_) : 0.0;
}

bool CircuitBreaker::record(std::uint64_t generation, double now_s, bool failed, bool slow) {
    if (generation != generation_) return false;  // let through in an older state
    if (state_ == State::closed) {
        count(now_s, failed, slow);
        const auto needed = static_cast<std::uint64_t>(
            p_.window == BreakerPolicy::Window::count ? std::min(p_.minimum_calls, p_.window_size) : p_.minimum_calls);
        if (calls_ < needed) return false;
        const double n = static_cast<double>(calls_);
        if (static_cast<double>(failed_) / n >= p_.failure_rate_threshold ||
            static_cast<double>(slow_) / n >= p_.slow_call_rate_threshold) {
            transition(State::open);
            return true;
        }
        return false;
    }
    if (state_ == State::half_open) {
        ++probe_results_;
        probe_failed_ += failed;
        probe_slow_ += slow;
        if (probe_results_ < p_.half_open_calls) return false;
        const double n = probe_results_;
        const bool bad = probe_failed_ / n >= p_.failure_rate_threshold || probe_slow_ / n >= p_.slow_call_rate_threshold;
        transition(bad ? State::open : State::closed);
        return true;
    }
    return false;
}

void CircuitBreaker::half_open() {
    if (state_ == State::open) transition(State::half_open);
}

bool TokenBucket::take(double now_s) {
    tokens_ = std::min(burst_, tokens_ + (now_s - last_s_) * rate_);
    last_s_ = now_s;
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
}

AdaptiveThrottle::AdaptiveThrottle(const AdaptiveThrottlePolicy& p) : p_(p), counts_(p.window_s, kThrottleBuckets) {}

double AdaptiveThrottle::reject_probability(double now_s) {
    const double r = counts_.count(requests, now_s);
    return std::max(0.0, (r - p_.k * counts_.count(accepts, now_s)) / (r + 1));
}

void AdaptiveThrottle::request(double now_s) { counts_.add(requests, now_s); }

void AdaptiveThrottle::accept(double now_s) { counts_.add(accepts, now_s); }

}  // namespace stacksim::sim
