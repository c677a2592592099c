#pragma once
#include <map>
#include <string>
#include <utility>

#include "sim/random/sampler.hpp"

// The network side of chaos: zone pairs that are partitioned or degraded. Network delays are
// computed per hop from the topology's links (docs/simulation.md: no SimGrid link is exercised
// by messages), so a network fault is a state of the zone pair that the hop computation and
// the connection attempt consult. Only while some fault is active does a hop pay for a lookup.
namespace stacksim::sim {

// What `tc qdisc ... netem delay L J loss P` does to every message between the two zones,
// in both directions.
struct LinkDegradation {
    double latency_s = 0, jitter_s = 0, loss = 0;
};

class NetworkFaults {
public:
    explicit NetworkFaults(Rng rng) : rng_(rng) {}

    [[nodiscard]] bool active() const { return active_ > 0; }

    // Packets between zones a and b are dropped until the matching heal(); `heal_s` is when it
    // is scheduled to heal (a message sent meanwhile on an open connection arrives then: TCP
    // retransmits it). b empty: zone a is cut from every other zone (a zone outage).
    void partition(const std::string& a, const std::string& b, double heal_s);
    void heal(const std::string& a, const std::string& b);
    void degrade(const std::string& a, const std::string& b, const LinkDegradation& d);
    void restore(const std::string& a, const std::string& b, const LinkDegradation& d);

    [[nodiscard]] bool partitioned(const std::string& a, const std::string& b) const;
    // Extra one-way delay of a message of `bytes` from zone a to zone b sent now: the added
    // latency and jitter, the retransmission timeouts of lost segments, and across a
    // partition the wait until it heals.
    double extra_s(const std::string& a, const std::string& b, double bytes);

    // Loss recovery: a lost segment is resent after the retransmission timeout (Linux's
    // minimum RTO, 200 ms), doubled at each further loss of the same segment; TCP's maximum
    // segment size on a 1500-byte MTU.
    static constexpr double kRto_s = 0.2;
    static constexpr double kMss_bytes = 1448;

private:
    struct Path {
        int partitions = 0;
        double heal_s = 0;
        int degradations = 0;
        LinkDegradation sum;       // latencies and jitters add up
        double delivered = 1;      // product of (1 - loss) over the degradations
    };
    static std::pair<std::string, std::string> key(const std::string& a, const std::string& b) {
        return a < b ? std::pair{a, b} : std::pair{b, a};
    }
    const Path* path(const std::string& a, const std::string& b) const;
    double hold_s(const std::string& a, const std::string& b) const;

    std::map<std::pair<std::string, std::string>, Path> paths_;
    std::map<std::string, Path> isolated_;  // zone outages: partitioned from every other zone
    int active_ = 0;
    Rng rng_;
};

}  // namespace stacksim::sim
