#include <gtest/gtest.h>

#include "model/graph/service_edges.hpp"
#include "model/schema/loader.hpp"

using namespace stacksim;

namespace {
bool has(const std::vector<graph::ServiceEdge>& edges, const std::string& from, const std::string& to, graph::ServiceEdge::Kind k) {
    for (const auto& e : edges)
        if (e.from == from && e.to == to && e.kind == k) return true;
    return false;
}
}  // namespace

// The flagship topology: every dependency the architect drew appears once, with its kind.
TEST(ServiceEdges, FlagshipTopologyEdgesMatchItsSteps) {
    schema::Diagnostics diag;
    const auto t = schema::load_topology(STACKSIM_SOURCE_DIR "/topologies/hyperly-1m.json", {}, diag);
    ASSERT_TRUE(t) << diag.format();
    const auto edges = graph::service_edges(*t);
    // Every load balancer forwards to its backend.
    for (const auto& [name, s] : t->services) {
        if (s.lb) {
            EXPECT_TRUE(has(edges, name, s.lb->backend, graph::ServiceEdge::Kind::forward)) << name;
        }
    }
    // No duplicates: each (from, to, kind) once.
    for (std::size_t i = 0; i < edges.size(); ++i)
        for (std::size_t j = i + 1; j < edges.size(); ++j) EXPECT_FALSE(edges[i] == edges[j]);
    // Every edge ends at a service of the topology.
    for (const auto& e : edges) EXPECT_TRUE(t->services.count(e.to)) << e.from << " -> " << e.to;
    EXPECT_GE(edges.size(), t->services.size() - 1);  // connected: at least a spanning set of edges
}
