// max_connections end to end (docs/file-formats.md): a load balancer at its connection limit
// refuses new connections, and a database server refuses pool connections past its limit
// (PostgreSQL "too many clients"). Each case runs in a child process (one SimGrid engine per
// process); the bounds come from the mechanism, not from a recorded run.
#include <gtest/gtest.h>

#include <cmath>

#include "tests/support/simulate_in_child.hpp"

using nlohmann::json;
using stacksim::test_support::simulate_in_child;

namespace {

// A zero-latency network, so that the bounds below are the limits' alone.
std::string experiment(const std::string& services, const std::string& rate, const std::string& duration = "10s") {
    return R"({"duration": ")" + duration + R"(", "interval": "1s", "topology": {"zones": ["a"],
      "network": {"intra_zone": {"latency": "0", "bandwidth": "1000Tbps"}}, "services": )" + services +
           R"(}, "workload": {"type": "open", "entry": "lb", "rate": ")" + rate + R"(", "mix": {"e": 1}}})";
}

std::uint64_t count(const json& j, const char* key) { return j.contains(key) ? j[key].get<std::uint64_t>() : 0; }

std::uint64_t refused(const json& doc, const std::string& service) {
    for (const json& c : doc["summary"]["connection_limits"])
        if (c["service"] == service) return c["refused"].get<std::uint64_t>();
    ADD_FAILURE() << "no connection_limits entry for " << service;
    return 0;
}

}  // namespace

// One proxy (2 vCPUs, a fixed 1 ms per request: 2000/s) offered 4000/s. With max_connections 50
// a request finds at most 49 others holding a connection, so it waits at most 49 / 2 ms for the
// proxy's CPU; the excess is refused (`rejected`) and counted. Without a real limit the
// proxy's queue grows all run long (about 2000/s) and so does the latency.
TEST(ConnectionLimits, LoadBalancerRefusesPastMaxConnectionsAndBoundsItsQueue) {
    auto run = [](const std::string& max_connections) {
        return simulate_in_child(experiment(R"({
            "lb": {"kind": "load_balancer", "machine": "c6i.large", "backend": "app", "max_connections": )" + max_connections + R"(,
                   "cpu_per_request": {"dist": "deterministic", "mean": "1ms"}},
            "app": {"kind": "node_service", "machine": "c6i.4xlarge", "replicas": 2,
                    "endpoints": {"e": {"steps": [{"cpu": {"dist": "deterministic", "mean": "100us"}}]}}}})",
                                            "4000/s"),
                                 11, "limits");
    };
    const json limited = run("50"), unlimited = run("10000000");
    const json& s = limited["summary"];
    const double arrivals = s["arrivals"].get<double>();
    const auto rejected = count(s["errors_by_kind"], "rejected");
    EXPECT_EQ(rejected, refused(limited, "lb"));
    EXPECT_EQ(s["errors"].get<std::uint64_t>(), rejected);  // nothing else fails
    // The proxy is saturated: it completes its capacity and refuses the rest.
    EXPECT_NEAR(s["completed"].get<double>(), 2000 * 10, 50);
    EXPECT_NEAR(static_cast<double>(rejected), arrivals - 20000, 50 + 4 * std::sqrt(arrivals));
    EXPECT_LE(s["latency_s"]["max"].get<double>(), 49 * 0.001 / 2 + 0.001 + 0.0001 + 1e-6);
    const json& u = unlimited["summary"];
    EXPECT_EQ(u["errors"].get<std::uint64_t>(), 0u);
    EXPECT_EQ(refused(unlimited, "lb"), 0u);
    EXPECT_GT(u["latency_s"]["max"].get<double>(), 4.0);  // ~ 2000/s x 10 s backlog / 2000/s
}

// Four client instances with pools of 10 connections each against one server that accepts 25:
// fixed 50 ms writes at 1000/s want ~50 connections. The server never holds more than 25, so
// at most 25 / 50 ms = 500 queries/s complete; the pools' attempts to open more are refused
// (`rejected`), counted per database. With the default limit (500) nothing is refused.
TEST(ConnectionLimits, DatabaseRefusesConnectionsPastMaxConnections) {
    auto run = [](const std::string& limit) {
        return simulate_in_child(experiment(R"({
            "lb": {"kind": "load_balancer", "machine": "c6i.large", "backend": "app", "cpu_per_request": "0"},
            "app": {"kind": "node_service", "machine": "c6i.large", "workers": 2, "replicas": 4,
                    "endpoints": {"e": {"steps": [{"db": "db", "op": "write", "query": {"dist": "deterministic", "mean": "50ms"}}]}}},
            "db": {"kind": "database", "machine": "r6i.4xlarge", "concurrency": 1000, "pool": {"size": 10} )" + limit + "}}",
                                            "1000/s"),
                                 5, "limits");
    };
    const json limited = run(R"(, "max_connections": 25)"), plain = run("");
    const json& s = limited["summary"];
    const auto rejected = count(s["errors_by_kind"], "rejected");
    EXPECT_GT(rejected, 1000u);
    EXPECT_EQ(rejected, refused(limited, "db"));
    EXPECT_LE(s["completed"].get<double>(), 25 / 0.05 * 10 + 25);
    EXPECT_GT(s["completed"].get<double>(), 0.9 * 25 / 0.05 * 10);  // the 25 connections stay busy
    EXPECT_EQ(plain["summary"]["errors"].get<std::uint64_t>(), 0u);
    EXPECT_EQ(refused(plain, "db"), 0u);
}
