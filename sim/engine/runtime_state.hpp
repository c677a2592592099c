#pragma once
// Private state shared by the runtime and its component files (sim/components/*.cpp).
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <memory>
#include <unordered_map>
#include <vector>

#include "sim/engine/runtime.hpp"
#include "sim/resilience/policies.hpp"

namespace stacksim::sim {

// A reference core executes 1e9 flop/s: CPU step times (given on a reference core) become
// flops, and a host's speed is its machine's core_speed x 1e9 per core.
inline constexpr double kFlopsPerRefSecond = 1e9;

struct Runtime::Pool {  // a client instance's connection pool to one database
    int size = 0;
    int opened = 0;                 // connections open, idle or in use (at most `size`)
    std::vector<Instance*> idle;    // idle connections, by the server each one is connected to
    struct Waiter {
        std::uint64_t id;
        double since;
        Instance* server;
        std::function<void(ErrorKind)> grant;  // none: a connection; else why there is none
    };
    std::deque<Waiter> waiters;
    std::uint64_t next_id = 0;
};

// Read-your-writes across replicas: the last commit time of each session (or request) that
// wrote to the primary within the replication lag; older writes have reached the replicas.
struct Runtime::Replication {
    std::unordered_map<std::uint64_t, double> last_write_s;
    std::deque<std::pair<double, std::uint64_t>> writes;  // commit order, pruned past the lag
    void forget_before(double t_s) {
        while (!writes.empty() && writes.front().first < t_s) {
            const auto [when, key] = writes.front();
            writes.pop_front();
            if (auto it = last_write_s.find(key); it != last_write_s.end() && it->second == when) last_write_s.erase(it);
        }
    }
};

struct Runtime::Broker {
    const Service* service = nullptr;
    Broker* dead_letter = nullptr;  // the dead_letter_queue, if any
    std::deque<int> messages;       // visible messages (payloads are not modelled): deliveries so far of each
    // One entry per consumer slot (a worker `concurrency` times, interleaved across workers).
    // A slot holds one message until its endpoint finishes: a consumer pulls only when free, as
    // a prefetch-limited AMQP consumer or an SQS poller does.
    struct Slot {
        Worker* worker;
        bool busy = false;
    };
    std::vector<Slot> consumers;
    std::size_t next = 0;
    int free_slots = 0;
    std::vector<std::function<void()>> blocked;  // producers waiting for space (backpressure: block)
    // A delivered message is invisible until acknowledged or until its lease expires (the
    // visibility timeout). One timeout per queue: leases expire in delivery order.
    struct Lease {
        double expires_s;
        int deliveries;
        enum class State : std::uint8_t { in_flight, acked, failed } state = State::in_flight;
    };
    std::deque<Lease> leases;
    std::uint64_t first_lease = 0;  // id of leases.front()
    bool expiry_armed = false;
};

struct Runtime::CacheState {
    std::unique_ptr<ZipfSampler> keys;
    std::uint64_t population = 0;
};

struct Runtime::EdgeState {
    const CallPolicy* policy = nullptr;
    std::size_t edge = 0;                   // Recorder edge (caller service -> dependency)
    std::uint32_t retry_on = 0;             // bit per ErrorKind
    std::unique_ptr<RetryBudget> budget;
    std::unique_ptr<CircuitBreaker> breaker;
    std::size_t breaker_id = 0;             // Recorder breaker
    int in_flight = 0;                      // attempts outstanding (bulkhead)
    std::unique_ptr<AdaptiveThrottle> throttle;
    // Hedging on a latency quantile: the attempts' latencies and the delay last derived from them.
    std::unique_ptr<LatencyHistogram> latency;
    double hedge_delay_s = std::numeric_limits<double>::infinity();
    std::uint64_t latency_at_estimate = 0;
};

inline std::uint64_t mix64(std::uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}


}  // namespace stacksim::sim
