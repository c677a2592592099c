#pragma once
#include <deque>
#include <functional>
#include <limits>
#include <string>

#include "sim/engine/kernel.hpp"

// A FIFO queue in front of `servers` identical servers, driven by kernel timers: a Redis
// shard's command thread(s), a database server's query slots, a broker, a load balancer's
// cores, a rate-limited external API. Jobs are closures; the queue is our own deque (a
// SimGrid mailbox with a large backlog costs O(backlog) per message).
namespace stacksim::sim {

class Station {
public:
    using Done = std::function<void()>;

    // capacity: most jobs present (waiting + in service); 0 = unbounded.
    Station(Kernel& kernel, std::string name, int servers, long capacity = 0)
        : kernel_(kernel), name_(std::move(name)), servers_(servers), capacity_(capacity) {}

    // False (and `done` is dropped) when the station is full.
    bool submit(double service_s, Done done);
    // Load shedding (drop at dequeue): a job still waiting at `shed_at_s` is not served when it
    // reaches a server; `shed` runs instead.
    bool submit(double service_s, Done done, double shed_at_s, Done shed);
    // Drops the waiting jobs (chaos: a crashed process loses its queue); jobs in service finish.
    void clear() { waiting_.clear(); }

    [[nodiscard]] const std::string& name() const { return name_; }
    [[nodiscard]] int servers() const { return servers_; }
    [[nodiscard]] long in_system() const { return busy_ + static_cast<long>(waiting_.size()); }
    [[nodiscard]] long waiting() const { return static_cast<long>(waiting_.size()); }
    // Server-seconds of service started so far (completed or not), for utilisation.
    [[nodiscard]] double busy_server_seconds() const;

private:
    struct Job {
        double service_s;
        Done done;
        double shed_at_s = std::numeric_limits<double>::infinity();
        Done shed;
    };
    void start(Job job);
    void finish();

    Kernel& kernel_;
    std::string name_;
    int servers_;
    long capacity_;
    int busy_ = 0;
    std::deque<Job> waiting_;
    double busy_accum_ = 0, busy_since_ = 0;  // integral of busy servers over time
};

}  // namespace stacksim::sim
