#pragma once
#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <string>

#include "model/stack/topology.hpp"

// What the components' limits and guarantees did during the measured period (docs/results.md):
// connections refused at `max_connections` (load balancers, database servers), reads served by
// lagging read replicas and how many of them were stale, and the fate of queue deliveries
// (acknowledged, redelivered after the visibility timeout, dead-lettered or dropped after
// `max_deliveries`, consumer failures by error kind).
namespace stacksim::sim {

enum class ErrorKind;

class LimitCounts {
public:
    enum class QueueEvent { acked, redelivered, dead_lettered, dropped, kCount };

    void connection_refused(const std::string& service) { ++refused_[service]; }
    void replica_read(const std::string& database, bool stale) {
        auto& r = replication_[database];
        ++r.reads;
        r.stale += stale;
    }
    void queue_event(const std::string& queue, QueueEvent e) { ++queues_[queue].events[static_cast<std::size_t>(e)]; }
    void consumer_error(const std::string& queue, ErrorKind why);

    // Adds summary.connection_limits and summary.replication, and the delivery counters to each
    // entry of summary.queues (entries are added for queues that have none yet).
    void add_to(nlohmann::json& summary, const Topology& topology) const;

private:
    struct Replication { std::uint64_t reads = 0, stale = 0; };
    struct Deliveries {
        std::array<std::uint64_t, static_cast<std::size_t>(QueueEvent::kCount)> events{};
        std::map<std::string, std::uint64_t> errors;  // consumer failures by error kind
    };
    std::map<std::string, std::uint64_t> refused_;
    std::map<std::string, Replication> replication_;
    std::map<std::string, Deliveries> queues_;
};

}  // namespace stacksim::sim
