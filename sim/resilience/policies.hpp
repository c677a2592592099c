#pragma once
#include <cstdint>
#include <vector>

#include "model/stack/resilience.hpp"
#include "sim/random/sampler.hpp"
#include "sim/resilience/windowed_counts.hpp"

// The decision logic of the resilience policies, free of SimGrid (times are passed in):
// backoff with jitter, the retry budget and the circuit breaker. The runtime glue that
// applies them to calls is sim/resilience/call_policy.cpp.
namespace stacksim::sim {

// Delay before retry number `retry` (1 = the first retry), after the AWS Architecture Blog's
// "Exponential Backoff and Jitter": none = min(max, base*2^(retry-1)); full = U(0, that);
// equal = that/2 + U(0, that/2); decorrelated = min(max, U(base, 3*previous)), where
// `previous` is the last delay (base before the first retry) and is updated.
double backoff_s(const RetryPolicy& p, int retry, double& previous_s, Rng& rng);

// Finagle's RetryBudget / Envoy's retry_budget: a retry is allowed while the retries in the
// sliding window stay within ratio x requests in the window + min_per_s x window.
class RetryBudget {
public:
    explicit RetryBudget(const RetryPolicy::Budget& b);
    void request(double now_s);      // a new (first) attempt
    bool try_retry(double now_s);    // withdraws one retry when the budget allows it
    [[nodiscard]] double balance(double now_s);

private:
    enum { requests, retries };
    RetryPolicy::Budget b_;
    WindowedCounts counts_;
};

// resilience4j's CircuitBreaker: closed -> open when, with at least minimum_calls recorded in
// the sliding window, the failure rate or the slow-call rate reaches its threshold; open
// fails fast; after wait_in_open (the runtime calls half_open()) it lets half_open_calls
// probes through and closes or reopens on their rates.
class CircuitBreaker {
public:
    enum class State { closed, open, half_open };
    static const char* name(State s);

    explicit CircuitBreaker(const BreakerPolicy& p);
    // Whether a call may go now (a half-open probe is counted). `generation` identifies the
    // state the permit was given in: outcomes of calls let through in an older state are ignored.
    bool permit();
    [[nodiscard]] std::uint64_t generation() const { return generation_; }
    // Records an outcome; true when it changed the state (see state()).
    bool record(std::uint64_t generation, double now_s, bool failed, bool slow);
    void half_open();  // the open wait is over
    [[nodiscard]] State state() const { return state_; }
    // Rates over the current window (for tests and reports).
    [[nodiscard]] double failure_rate() const;

private:
    void transition(State to);
    void reset_window();
    void count(double now_s, bool failed, bool slow);
    BreakerPolicy p_;
    State state_ = State::closed;
    std::uint64_t generation_ = 0;
    // count window: a ring of outcomes; time window: a ring of one-second buckets.
    struct Bucket { std::int64_t second = -1; std::uint32_t calls = 0, failed = 0, slow = 0; };
    std::vector<Bucket> ring_;
    std::size_t next_ = 0;
    std::uint64_t calls_ = 0, failed_ = 0, slow_ = 0;
    int probes_ = 0, probe_results_ = 0, probe_failed_ = 0, probe_slow_ = 0;
};

// A token bucket (Envoy local_ratelimit, nginx limit_req): `rate` tokens per second up to
// `burst`, full at the start; each admitted request takes one.
class TokenBucket {
public:
    TokenBucket(double rate_per_s, double burst) : rate_(rate_per_s), burst_(burst), tokens_(burst) {}
    bool take(double now_s);

private:
    double rate_, burst_, tokens_, last_s_ = 0;
};

// Client-side adaptive throttling (Google SRE book, "Handling Overload"): over a sliding
// window, reject locally with probability max(0, (requests - k x accepts) / (requests + 1)).
// `requests` counts every attempt the client wanted to make, the locally rejected ones too.
class AdaptiveThrottle {
public:
    explicit AdaptiveThrottle(const AdaptiveThrottlePolicy& p);
    [[nodiscard]] double reject_probability(double now_s);
    void request(double now_s);
    void accept(double now_s);

private:
    enum { requests, accepts };
    AdaptiveThrottlePolicy p_;
    WindowedCounts counts_;
};

}  // namespace stacksim::sim
