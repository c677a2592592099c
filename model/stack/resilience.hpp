#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

// Resilience policies on a call edge (caller service -> dependency): timeouts, retries with
// backoff and jitter, retry budgets, circuit breakers, bulkheads. Plain data; simulated by
// sim/resilience/. See docs/resilience.md for the semantics and their real-world equivalents.
namespace stacksim {

struct RetryPolicy {
    int max_attempts = 3;                 // first attempt included
    enum class Jitter { none, full, equal, decorrelated } jitter = Jitter::full;  // AWS "Exponential Backoff and Jitter"
    double base_s = 0.025, max_s = 0.25;  // Envoy's defaults: 25 ms, 10 x base
    std::vector<std::string> on;          // error kinds that are retried
    struct Budget {                       // Finagle RetryBudget / Envoy retry_budget
        double ratio = 0.2;               // retries allowed per request over the window
        double min_per_s = 10;            // plus this many retries per second
        double window_s = 10;
    };
    std::optional<Budget> budget;         // none: every retryable failure is retried
};

// resilience4j CircuitBreaker (its defaults).
struct BreakerPolicy {
    enum class Window { count, time } window = Window::count;
    int window_size = 100;                 // calls (count) or seconds (time)
    double failure_rate_threshold = 0.5;   // open when failed / recorded >= this...
    double slow_call_rate_threshold = 1.0; // ...or slow / recorded >= this
    double slow_call_duration_s = 60;
    int minimum_calls = 100;               // no decision before this many calls in the window
    double wait_in_open_s = 60;            // open -> half_open after this
    int half_open_calls = 10;              // probes let through in half_open
};

// Hedged requests (gRPC hedgingPolicy, "The Tail at Scale"): while no answer has come, another
// copy is sent every `delay` (or once the call has taken the `quantile` of this edge's latency),
// up to max_hedges extra copies; the first success wins, the other answers are ignored.
struct HedgePolicy {
    double delay_s = 0;                    // fixed delay...
    std::optional<double> quantile;        // ...or this quantile of the observed attempt latencies
    int max_hedges = 1;
    std::optional<RetryPolicy::Budget> budget;  // hedges draw on a retry budget (Envoy, Finagle)
};

// Client-side adaptive throttling (Google SRE book, "Handling Overload"): an attempt is
// rejected locally with probability max(0, (requests - k x accepts) / (requests + 1)) over the window.
struct AdaptiveThrottlePolicy {
    double k = 2;
    double window_s = 120;                 // the book's two minutes
};

struct CallPolicy {
    std::string pointer;                   // JSON pointer of the policy, for messages
    std::optional<double> timeout_s;       // per attempt (a hedged call: the whole call)
    std::optional<RetryPolicy> retry;
    std::optional<BreakerPolicy> breaker;
    std::optional<int> bulkhead;           // max concurrent attempts per caller instance
    std::optional<HedgePolicy> hedge;      // excludes retry (as in gRPC)
    std::optional<AdaptiveThrottlePolicy> adaptive_throttle;
};

// Token bucket (Envoy local_ratelimit, nginx limit_req rate + burst) at a load balancer or a
// node service: a request is admitted while a token is left, else rejected (429, `rate_limited`).
struct RateLimitSpec {
    double rate_per_s = 1;                 // tokens added per second
    double burst = 1;                      // bucket size (full at the start)
    enum class Scope { instance, global } scope = Scope::instance;  // a bucket per instance or one per service
};

// Load shedding at a node service worker: `shed` instead of queueing without bound.
struct SheddingSpec {
    std::optional<int> max_queued;          // requests waiting for the event loop (per worker)
    std::optional<double> max_queue_time_s; // a request that waited longer when it reaches the loop is dropped
};

// Error kinds a retry may name (`on`), and the default set.
const std::vector<std::string>& retryable_error_kinds();
const std::vector<std::string>& default_retry_on();

}  // namespace stacksim
