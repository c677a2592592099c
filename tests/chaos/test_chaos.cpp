// The chaos engine, end to end: each case runs a small experiment with faults in a child
// process (SimGrid allows one engine per process) and checks what the faults did.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "model/schema/loader.hpp"
#include "sim/engine/simulation.hpp"
#include "tests/support/simulate_in_child.hpp"

using nlohmann::json;
using namespace stacksim;

namespace {

using test_support::simulate_in_child;

// An LB (round robin) in front of `app` (`replicas` instances, 2 workers each on 2 vCPUs),
// spread over zones a, b, c; `more_services` and `chaos` are JSON fragments.
std::string stack(const std::string& chaos, const std::string& steps = R"([{"cpu": "2ms"}])", int replicas = 2,
                  const std::string& rate = "400/s", const std::string& more_services = "", const std::string& duration = "30s") {
    return R"({"duration": ")" + duration + R"(", "interval": "1s", "topology": {"zones": ["a", "b", "c"],
      "network": {"intra_zone": {"latency": "0", "bandwidth": "1000Tbps"}, "inter_zone": {"latency": "0", "bandwidth": "1000Tbps"}},
      "services": {
        "lb": {"kind": "load_balancer", "replicas": 1, "machine": "c6i.large", "backend": "app", "algorithm": "round_robin", "cpu_per_request": "0"},
        "app": {"kind": "node_service", "machine": "c6i.large", "workers": 2, "replicas": )" +
           std::to_string(replicas) + R"(, "endpoints": {"e": {"steps": )" + steps + R"(}}})" + more_services + R"(}},
      "workload": {"type": "open", "entry": "lb", "rate": ")" + rate + R"(", "mix": {"e": 1}},
      "chaos": )" + chaos + "}";
}

double error_ratio(const json& doc, std::size_t i) {
    const double ok = doc["series"]["completed_rps"][i].get<double>(), err = doc["series"]["errors_rps"][i].get<double>();
    return ok + err > 0 ? err / (ok + err) : 0;
}

}  // namespace

TEST(Chaos, InstanceCrashBehindRoundRobinFailsHalfTheRequestsDuringTheWindowOnly) {
    const json doc = simulate_in_child(stack(R"([{"fault": "instance_crash", "target": "app", "fraction": "50%", "at": "10s", "for": "10s"}])"));
    ASSERT_EQ(doc["faults"].size(), 1u);
    const json& f = doc["faults"][0];
    EXPECT_EQ(f["kind"], "instance_crash");
    EXPECT_EQ(f["instances"].size(), 1u);
    EXPECT_DOUBLE_EQ(f["start_s"].get<double>(), 10);
    EXPECT_DOUBLE_EQ(f["end_s"].get<double>(), 20);
    EXPECT_TRUE(f["ended"].get<bool>());
    EXPECT_NEAR(f["error_rate"].get<double>(), 0.5, 0.05);  // the LB keeps sending half to the dead one
    EXPECT_GT(f["requests_failed"].get<std::uint64_t>(), 1500u);
    EXPECT_GT(doc["summary"]["errors_by_kind"]["instance_down"].get<std::uint64_t>(), 1500u);
    // Outside the window (whole intervals), no errors.
    const auto& t = doc["series"]["t_s"];
    for (std::size_t i = 0; i < t.size(); ++i) {
        const double end = t[i].get<double>();
        if (end <= 10 || end - 1 >= 20) EXPECT_EQ(error_ratio(doc, i), 0) << "interval ending at " << end;
        else EXPECT_NEAR(error_ratio(doc, i), 0.5, 0.15) << "interval ending at " << end;
    }
    ASSERT_TRUE(f["time_to_recover_s"].is_number());
    EXPECT_LE(f["time_to_recover_s"].get<double>(), 1.0);
    EXPECT_NEAR(f["baseline"]["error_rate"].get<double>(), 0, 1e-12);
}

TEST(Chaos, ZoneOutageTakesDownExactlyTheInstancesInThatZone) {
    const std::string cache = R"(, "kv": {"kind": "cache", "replicas": 3, "machine": "r6i.large", "max_keys": 1000000, "op_time": "10us"})";
    const json doc = simulate_in_child(stack(R"([{"fault": "zone_outage", "target": "b", "at": "5s", "for": "10s"}])",
                                             R"([{"cpu": "1ms"}, {"cache": "kv", "keys": 1000, "on_miss": [{"cpu": "1ms"}]}])", 6,
                                             "400/s", cache, "20s"));
    ASSERT_EQ(doc["faults"].size(), 1u);
    const json& f = doc["faults"][0];
    // Instances are spread round-robin over the zones a, b, c: index 1 and 4 are in b.
    EXPECT_EQ(f["instances"], json({"app#1", "app#4", "kv#1"}));
    EXPECT_NEAR(f["error_rate"].get<double>(), 2.0 / 6, 0.06);
    // The LB itself (lb#0) is in zone a: it keeps running.
}

TEST(Chaos, CacheFlushDropsTheHitRatioThenItRecovers) {
    const std::string cache = R"(, "kv": {"kind": "cache", "replicas": 1, "machine": "r6i.large", "max_keys": 1000000, "op_time": "10us"})";
    const json doc = simulate_in_child(stack(R"([{"fault": "cache_flush", "target": "kv", "at": "20s", "for": "20s"}])",
                                             R"([{"cache": "kv", "keys": 20000, "zipf": 0.9, "on_miss": [{"cpu": "2ms"}]}])", 2,
                                             "1000/s", cache, "60s"));
    ASSERT_EQ(doc["faults"].size(), 1u);
    const json& h = doc["faults"][0]["hit_ratio"];
    EXPECT_GT(h["before"].get<double>(), 0.6);
    EXPECT_LT(h["lowest"].get<double>(), h["before"].get<double>() - 0.3);
    ASSERT_TRUE(h["recovered_s"].is_number());
    EXPECT_GT(h["recovered_s"].get<double>(), 1.0);
    EXPECT_LT(h["recovered_s"].get<double>(), 40.0);
    // The interval right after the flush is mostly misses.
    const auto& hr = doc["series"]["cache_hit_ratio"]["kv"];
    EXPECT_LT(hr[20].get<double>(), 0.5 * hr[18].get<double>());
}

TEST(Chaos, WorkerCrashHalvesCapacityUntilTheMasterRestartsIt) {
    // One instance, 2 workers at 70 % utilisation: losing one overloads the other for 5 s.
    const json doc = simulate_in_child(
        stack(R"([{"fault": "worker_crash", "target": "app", "at": "10s", "restart": "5s"}])", R"([{"cpu": "2ms"}])", 1, "700/s"));
    ASSERT_EQ(doc["faults"].size(), 1u);
    const json& f = doc["faults"][0];
    EXPECT_EQ(f["instances"].size(), 1u);
    EXPECT_DOUBLE_EQ(f["end_s"].get<double>(), 15);
    // The master stops dealing to the dead worker: only its in-flight requests fail as
    // instance_down (the survivor may reject some: it is overloaded).
    const json& kinds = doc["summary"]["errors_by_kind"];
    EXPECT_EQ(kinds.value("instance_down", std::uint64_t{0}), f["requests_lost"].get<std::uint64_t>());
    EXPECT_GT(f["p99_s"].get<double>(), 10 * f["baseline"]["p99_s"].get<double>());
    ASSERT_TRUE(f["time_to_recover_s"].is_number());
    EXPECT_GT(f["time_to_recover_s"].get<double>(), 0.5);  // the backlog takes a while to drain
}

TEST(Chaos, CpuSlowdownStretchesServiceTimes) {
    const json doc = simulate_in_child(stack(R"([{"fault": "cpu_slowdown", "target": "app", "at": "10s", "for": "10s", "factor": 4}])",
                                             R"([{"cpu": {"dist": "deterministic", "mean": "2ms"}}])", 2, "50/s"));
    const json& f = doc["faults"][0];
    EXPECT_EQ(f["requests_failed"].get<std::uint64_t>(), 0u);
    EXPECT_NEAR(f["p99_s"].get<double>(), 4 * f["baseline"]["p99_s"].get<double>(), 0.2 * 4 * f["baseline"]["p99_s"].get<double>());
}

TEST(Chaos, DependencyErrorsFailTheirShareOfCalls) {
    const std::string pay = R"(, "pay": {"kind": "external", "latency": "20ms"})";
    const json doc = simulate_in_child(stack(R"([{"fault": "dependency_errors", "target": "pay", "at": "10s", "for": "10s", "error_rate": "30%"}])",
                                             R"([{"cpu": "1ms"}, {"call": "pay"}])", 2, "400/s", pay));
    const json& f = doc["faults"][0];
    EXPECT_NEAR(f["error_rate"].get<double>(), 0.3, 0.05);
    EXPECT_GT(doc["summary"]["errors_by_kind"]["dependency"].get<std::uint64_t>(), 1000u);
}

TEST(Chaos, DependencyHangAddsLatencyToItsFraction) {
    const std::string pay = R"(, "pay": {"kind": "external", "latency": "20ms"})";
    const json doc = simulate_in_child(stack(R"([{"fault": "dependency_hang", "target": "pay", "at": "10s", "for": "10s", "fraction": "20%", "latency": "2s"}])",
                                             R"([{"cpu": "1ms"}, {"call": "pay"}])", 2, "100/s", pay));
    const json& f = doc["faults"][0];
    EXPECT_GT(f["p99_s"].get<double>(), 2.0);
    EXPECT_LT(f["baseline"]["p99_s"].get<double>(), 0.3);
}

TEST(Chaos, DbFailoverFailsWritesUntilTheReplicaIsPromoted) {
    const std::string db = R"(, "db": {"kind": "database", "machine": "r6i.large", "read_replicas": 1, "read_from_replicas": true})";
    const json doc = simulate_in_child(stack(R"([{"fault": "db_failover", "target": "db", "at": "10s", "restart": "5s"}])",
                                             R"([{"cpu": "1ms"}, {"db": "db", "op": "write", "query": "2ms"}])", 2, "200/s", db));
    const json& f = doc["faults"][0];
    EXPECT_EQ(f["instances"], json({"db#0"}));
    EXPECT_DOUBLE_EQ(f["end_s"].get<double>(), 15);
    EXPECT_GT(f["error_rate"].get<double>(), 0.95);
}

TEST(Chaos, RandomFaultsAreReproducibleFromTheSeed) {
    const std::string chaos = R"([{"fault": "instance_crash", "target": "app", "fraction": "50%", "mtbf": {"dist": "exponential", "mean": "8s"},
                                   "mttr": {"dist": "exponential", "mean": "3s"}}])";
    const json a = simulate_in_child(stack(chaos, R"([{"cpu": "2ms"}])", 4, "400/s", "", "60s"), 11);
    const json b = simulate_in_child(stack(chaos, R"([{"cpu": "2ms"}])", 4, "400/s", "", "60s"), 11);
    const json c = simulate_in_child(stack(chaos, R"([{"cpu": "2ms"}])", 4, "400/s", "", "60s"), 12);
    EXPECT_GE(a["faults"].size(), 2u);
    EXPECT_TRUE(a["faults"][0]["random"].get<bool>());
    EXPECT_EQ(a["faults"], b["faults"]);
    EXPECT_EQ(a["summary"], b["summary"]);
    EXPECT_EQ(a["series"], b["series"]);
    EXPECT_NE(a["faults"], c["faults"]);
}
