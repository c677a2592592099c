// Partitions and degraded links between zones, and what they do to a call: a new connection
// across a partition (or to a dead host) gets no SYN-ACK and fails after the connect timeout;
// a message on an open connection waits for the partition to heal; a degraded link adds
// latency, jitter and loss-recovery delay to every message.
#include "sim/chaos/network_faults.hpp"

#include <algorithm>
#include <cmath>

#include "sim/engine/kernel.hpp"
#include "sim/engine/runtime_state.hpp"

namespace stacksim::sim {

void NetworkFaults::partition(const std::string& a, const std::string& b, double heal_s) {
    Path& p = b.empty() ? isolated_[a] : paths_[key(a, b)];
    ++p.partitions;
    p.heal_s = std::max(p.heal_s, heal_s);
    ++active_;
}

void NetworkFaults::heal(const std::string& a, const std::string& b) {
    Path& p = b.empty() ? isolated_[a] : paths_[key(a, b)];
    if (p.partitions == 0) return;
    if (--p.partitions == 0) p.heal_s = 0;
    --active_;
}

void NetworkFaults::degrade(const std::string& a, const std::string& b, const LinkDegradation& d) {
    Path& p = paths_[key(a, b)];
    ++p.degradations;
    p.sum.latency_s += d.latency_s;
    p.sum.jitter_s += d.jitter_s;
    p.delivered *= 1 - d.loss;
    ++active_;
}

void NetworkFaults::restore(const std::string& a, const std::string& b, const LinkDegradation& d) {
    Path& p = paths_[key(a, b)];
    if (p.degradations == 0) return;
    if (--p.degradations == 0) {
        p.sum = {};
        p.delivered = 1;
    } else {
        p.sum.latency_s -= d.latency_s;
        p.sum.jitter_s -= d.jitter_s;
        p.delivered /= 1 - d.loss;  // loss < 1 (validated)
    }
    --active_;
}

const NetworkFaults::Path* NetworkFaults::path(const std::string& a, const std::string& b) const {
    const auto it = paths_.find(key(a, b));
    return it == paths_.end() ? nullptr : &it->second;
}

bool NetworkFaults::partitioned(const std::string& a, const std::string& b) const {
    if (a == b) return false;  // a zone outage cuts the zone off; inside it nothing runs anyway
    if (const Path* p = path(a, b); p && p->partitions > 0) return true;
    for (const std::string* z : {&a, &b})
        if (const auto it = isolated_.find(*z); it != isolated_.end() && it->second.partitions > 0) return true;
    return false;
}

double NetworkFaults::hold_s(const std::string& a, const std::string& b) const {
    double heal = 0;
    if (const Path* p = path(a, b); p && p->partitions > 0) heal = p->heal_s;
    for (const std::string* z : {&a, &b})
        if (const auto it = isolated_.find(*z); it != isolated_.end() && it->second.partitions > 0)
            heal = std::max(heal, it->second.heal_s);
    return std::max(0.0, heal - Kernel::now());
}

double NetworkFaults::extra_s(const std::string& a, const std::string& b, double bytes) {
    double extra = partitioned(a, b) ? hold_s(a, b) : 0;
    const Path* p = path(a, b);
    if (!p || p->degradations == 0) return extra;
    // netem: delay L +- J (uniform), never below zero.
    double delay = p->sum.latency_s;
    if (p->sum.jitter_s > 0) delay += uniform(rng_, -p->sum.jitter_s, p->sum.jitter_s);
    extra += std::max(0.0, delay);
    // Loss: each of the message's segments is lost independently with probability `loss`; the
    // message is complete when its unluckiest segment gets through. A segment lost k times in
    // a row costs RTO x (2^k - 1) (exponential backoff). One uniform draw gives the largest
    // k over the n segments: P(max >= j) = 1 - (1 - loss^j)^n.
    const double loss = 1 - p->delivered;
    if (loss > 0) {
        const double n = std::max(1.0, std::ceil(bytes / kMss_bytes));
        const double u = uniform01(rng_);
        int k = 0;
        while (k < 15 && u < 1 - std::pow(1 - std::pow(loss, k + 1), n)) ++k;
        extra += kRto_s * (std::pow(2.0, k) - 1);
    }
    return extra;
}

// ---- Runtime: the request path's view of network faults --------------------------------

bool Runtime::unreachable(const Instance* from, const Instance& to) const {
    if (to.host_down > 0) return true;  // a dead host answers nothing, not even RST
    return from && network_->active() && to.service->kind != ServiceKind::external &&
           from->service->kind != ServiceKind::external && network_->partitioned(from->zone, to.zone);
}

void Runtime::network_healed() {
    for (auto& [_, b] : brokers_) deliver(*b);
}

double Runtime::transit(const Instance* a, const Instance* b, double bytes) const {
    const double base = hop(a, b, bytes);
    if (!network_->active() || !a || !b || a->service->kind == ServiceKind::external ||
        b->service->kind == ServiceKind::external) [[likely]]
        return base;
    return base + network_->extra_s(a->zone, b->zone, bytes);
}

}  // namespace stacksim::sim
