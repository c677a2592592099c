#include "sim/metrics/limit_counts.hpp"
#include "sim/metrics/recorder.hpp"

namespace stacksim::sim {

void LimitCounts::consumer_error(const std::string& queue, ErrorKind why) { ++queues_[queue].errors[to_string(why)]; }

void LimitCounts::add_to(nlohmann::json& summary, const Topology& topology) const {
    using nlohmann::json;
    auto count = [](const auto& map, const std::string& key) {
        const auto it = map.find(key);
        return it == map.end() ? std::uint64_t{0} : it->second;
    };
    json limits = json::array(), replication = json::array();
    for (const auto& [name, s] : topology.services) {
        if (s.kind == ServiceKind::load_balancer)
            limits.push_back({{"service", name}, {"kind", "load_balancer"}, {"max_connections", s.lb->max_connections},
                              {"refused", count(refused_, name)}});
        if (s.kind != ServiceKind::database) continue;
        limits.push_back({{"service", name}, {"kind", "database"}, {"max_connections", s.database->max_connections},
                          {"refused", count(refused_, name)}});
        if (s.database->read_replicas == 0 || !s.database->read_from_replicas) continue;
        const auto it = replication_.find(name);
        const Replication r = it == replication_.end() ? Replication{} : it->second;
        replication.push_back({{"database", name}, {"replication_lag_s", s.database->replication_lag_s},
                               {"replica_reads", r.reads}, {"stale_reads", r.stale},
                               {"stale_ratio", r.reads ? static_cast<double>(r.stale) / static_cast<double>(r.reads) : 0.0}});
    }
    summary["connection_limits"] = limits;
    summary["replication"] = replication;
    json& queues = summary["queues"];
    if (!queues.is_array()) queues = json::array();
    for (const auto& [name, s] : topology.services) {
        if (s.kind != ServiceKind::queue) continue;
        json* entry = nullptr;
        for (json& q : queues)
            if (q.value("queue", "") == name) entry = &q;
        if (!entry) {
            queues.push_back({{"queue", name}, {"accepted", 0}, {"rejected", 0}});
            entry = &queues.back();
        }
        const auto it = queues_.find(name);
        const Deliveries d = it == queues_.end() ? Deliveries{} : it->second;
        std::uint64_t errors = 0;
        for (const auto& [_, n] : d.errors) errors += n;
        (*entry)["acked"] = d.events[static_cast<std::size_t>(QueueEvent::acked)];
        (*entry)["redelivered"] = d.events[static_cast<std::size_t>(QueueEvent::redelivered)];
        (*entry)["dead_lettered"] = d.events[static_cast<std::size_t>(QueueEvent::dead_lettered)];
        (*entry)["dropped"] = d.events[static_cast<std::size_t>(QueueEvent::dropped)];
        (*entry)["consumer_errors"] = errors;
        (*entry)["consumer_errors_by_kind"] = d.errors.empty() ? json::object() : json(d.errors);
    }
}

}  // namespace stacksim::sim
