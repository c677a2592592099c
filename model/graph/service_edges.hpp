#pragma once
#include <string>
#include <vector>

#include "model/stack/topology.hpp"

// The service-level dependency edges of a topology, for drawing it: who calls, forwards to,
// reads, writes or publishes to whom (one edge per caller, callee and kind).
namespace stacksim::graph {

struct ServiceEdge {
    enum class Kind { call, async_call, forward, cache, database, publish, consume };
    std::string from, to;
    Kind kind = Kind::call;
    friend bool operator==(const ServiceEdge&, const ServiceEdge&) = default;
};
const char* to_string(ServiceEdge::Kind k);

// In service-name order, then by the order steps appear.
std::vector<ServiceEdge> service_edges(const Topology& t);

}  // namespace stacksim::graph
