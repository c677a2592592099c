// replication_lag end to end: a read served by a read replica before the replica has applied
// the same session's last write is stale (read-your-writes), and is counted.
#include <gtest/gtest.h>

#include <cmath>

#include "tests/support/simulate_in_child.hpp"

using nlohmann::json;
using stacksim::test_support::simulate_in_child;

namespace {

json replication_of(const json& doc) {
    const json& list = doc["summary"]["replication"];
    EXPECT_EQ(list.size(), 1u);
    return list.empty() ? json::object() : list[0];
}

// Sessions write ("w") and read ("r") half of the time each; zero network latency and a
// database with unbounded query slots, so commits are the Poisson writes delayed by 1 ms.
json run(const std::string& lag, int sessions) {
    return simulate_in_child(R"({"duration": "20s", "interval": "1s", "topology": {"zones": ["a"],
      "network": {"intra_zone": {"latency": "0", "bandwidth": "1000Tbps"}}, "services": {
        "app": {"kind": "node_service", "machine": "c6i.4xlarge", "workers": 16,
                "endpoints": {"w": {"steps": [{"db": "db", "op": "write", "query": {"dist": "deterministic", "mean": "1ms"}}]},
                              "r": {"steps": [{"db": "db", "op": "read", "query": {"dist": "deterministic", "mean": "1ms"}}]},
                              "wr": {"steps": [{"db": "db", "op": "write", "query": {"dist": "deterministic", "mean": "1ms"}},
                                               {"db": "db", "op": "read", "query": {"dist": "deterministic", "mean": "1ms"}}]}}},
        "db": {"kind": "database", "machine": "r6i.4xlarge", "concurrency": 100000, "read_replicas": 2, "pool": {"size": 1000},
               "replication_lag": ")" + lag + R"("}}},
      "workload": {"type": "open", "entry": "app", "rate": "1000/s", "sessions": )" + std::to_string(sessions) + R"(,
                   "mix": {"w": 50, "r": 50}}})",
                             13, "replication");
}

}  // namespace

// Each of 10 sessions writes at 50/s; a read is stale when its session committed within the
// lag before it, P = 1 - exp(-50/s x 20 ms) = 1 - 1/e. Zero lag: no read is stale.
TEST(ReplicationLag, ReadsOfASessionsRecentWriteFromAReplicaAreStale) {
    const json lagging = replication_of(run("20ms", 10));
    const double reads = lagging["replica_reads"].get<double>();
    EXPECT_NEAR(reads, 10000, 4 * std::sqrt(5000.0));
    const double p = 1 - std::exp(-1.0);
    EXPECT_NEAR(lagging["stale_reads"].get<double>() / reads, p, 4 * std::sqrt(p * (1 - p) / reads));
    const json current = replication_of(run("0", 10));
    EXPECT_GT(current["replica_reads"].get<double>(), 9000);
    EXPECT_EQ(current["stale_reads"].get<std::uint64_t>(), 0u);
}
