#pragma once
#include <set>
#include <string>
#include <vector>

#include "model/stack/topology.hpp"

// The service call graph (Boost.Graph). Sync calls hold the caller's request open, so a
// cycle of sync calls is unbounded recursion; async edges, cache/db/queue use and load
// balancer forwarding count for reachability only.
namespace stacksim::graph {

struct SyncCycle {
    std::vector<std::string> path;     // "service/endpoint" nodes, first == last
    std::vector<std::string> pointers; // the call step that closes each edge
};

// One sync cycle per strongly connected component that has one (empty when acyclic).
std::vector<SyncCycle> find_sync_cycles(const Topology& t);

// Services reachable from `entry` along every kind of edge, entry included.
std::set<std::string> reachable_services(const Topology& t, const std::string& entry);

}  // namespace stacksim::graph
