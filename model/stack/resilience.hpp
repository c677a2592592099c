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

struct CallPolicy {
    std::string pointer;                   // JSON pointer of the policy, for messages
    std::optional<double> timeout_s;       // per attempt
    std::optional<RetryPolicy> retry;
    std::optional<BreakerPolicy> breaker;
    std::optional<int> bulkhead;           // max concurrent attempts per caller instance
};

// Error kinds a retry may name (`on`), and the default set.
const std::vector<std::string>& retryable_error_kinds();
const std::vector<std::string>& default_retry_on();

}  // namespace stacksim
