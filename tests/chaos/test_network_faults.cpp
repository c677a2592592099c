// Network and resource faults end to end (forked engines): partitions, degraded links, dead
// hosts (connect timeout), disk slowdowns and memory leaks ending in OOM kills. Expected values
// are derived from the mechanism (docs/chaos.md): connect timeout, netem latency/jitter, RTO
// backoff, limit / leak rate.
#include <gtest/gtest.h>

#include <cmath>

#include "tests/support/simulate_in_child.hpp"

using nlohmann::json;
using namespace stacksim;

namespace {

using test_support::simulate_in_child;

struct Stack {
    std::string chaos = "[]";
    std::string steps = R"([{"cpu": {"dist": "deterministic", "mean": "2ms"}}])";
    std::string app_zones = R"(["a", "b"])";
    int replicas = 2;
    std::string rate = "400/s";
    std::string lb_extra;       // e.g. a health_check block
    std::string more_services;  // JSON members appended to "services"
    std::string duration = "20s", interval = "100ms", connect_timeout = "500ms", arrivals = "poisson";

    // An LB in zone a (round robin) in front of `app` spread over app_zones, zero base network
    // latency so that every added delay is the fault's.
    [[nodiscard]] std::string json_text() const {
        return R"({"duration": ")" + duration + R"(", "interval": ")" + interval + R"(", "topology": {"zones": ["a", "b", "c"],
          "network": {"connect_timeout": ")" + connect_timeout + R"(", "intra_zone": {"latency": "0", "bandwidth": "1000Tbps"},
                      "inter_zone": {"latency": "0", "bandwidth": "1000Tbps"}},
          "services": {
            "lb": {"kind": "load_balancer", "replicas": 1, "zones": ["a"], "machine": "c6i.large", "backend": "app",
                   "algorithm": "round_robin", "cpu_per_request": "0")" + lb_extra + R"(},
            "app": {"kind": "node_service", "machine": "c6i.large", "workers": 2, "zones": )" + app_zones +
               R"(, "replicas": )" + std::to_string(replicas) + R"(, "endpoints": {"e": {"steps": )" + steps + R"(}}})" +
               more_services + R"(}},
          "workload": {"type": "open", "entry": "lb", "rate": ")" + rate + R"(", "arrivals": ")" + arrivals + R"(", "mix": {"e": 1}},
          "chaos": )" + chaos + "}";
    }
};

// Errors finishing in the intervals that end within (from, to].
double errors_between(const json& doc, double from, double to) {
    const auto& t = doc["series"]["t_s"];
    double n = 0;
    for (std::size_t i = 0; i < t.size(); ++i)
        if (t[i].get<double>() > from + 1e-9 && t[i].get<double>() <= to + 1e-9)
            n += doc["series"]["errors_rps"][i].get<double>() * doc["experiment_interval_s"].get<double>();
    return n;
}

json run(const Stack& s, std::uint64_t seed = 7) {
    json doc = simulate_in_child(s.json_text(), seed, "netfaults");
    const double interval = std::stod(s.interval) / (s.interval.ends_with("ms") ? 1000 : 1);
    doc["experiment_interval_s"] = interval;
    return doc;
}

std::uint64_t kind_count(const json& doc, const char* kind) {
    return doc["summary"]["errors_by_kind"].value(kind, std::uint64_t{0});
}

}  // namespace

TEST(NetworkFaults, PartitionFailsCrossZoneCallsAfterTheConnectTimeoutOnly) {
    Stack s;
    s.chaos = R"([{"fault": "partition", "between": ["a", "b"], "at": "5s", "for": "5s"}])";
    const json doc = run(s);
    ASSERT_EQ(doc["faults"].size(), 1u);
    const json& f = doc["faults"][0];
    EXPECT_EQ(f["between"], json({"a", "b"}));
    // Round robin sends every other request to app#1 in zone b: those fail, app#0 (zone a) serves.
    EXPECT_GT(kind_count(doc, "connect_timeout"), 800u);
    EXPECT_EQ(kind_count(doc, "instance_down"), 0u);
    EXPECT_NEAR(f["error_rate"].get<double>(), 0.5, 0.06);
    // Not instant: the first failure finishes a connect timeout (0.5 s) after the partition began.
    EXPECT_EQ(errors_between(doc, 5.0, 5.4), 0);
    EXPECT_GT(errors_between(doc, 5.5, 6.0), 50);
    // Calls started before the heal at 10 s fail until 10.5 s; then none.
    EXPECT_EQ(errors_between(doc, 10.6, 20), 0);
}

TEST(NetworkFaults, HealthChecksTakeThePartitionedInstanceOutOfRotation) {
    Stack s;
    s.chaos = R"([{"fault": "partition", "between": ["a", "b"], "at": "5s", "for": "10s"}])";
    s.lb_extra = R"(, "health_check": {"interval": "1s", "timeout": "300ms", "unhealthy_threshold": 2, "healthy_threshold": 1})";
    const json doc = run(s);
    double ejected_at = -1;
    for (const auto& ev : doc["control"]["events"])
        if (ev["kind"] == "health_check_ejected" && ejected_at < 0) ejected_at = ev["t_s"].get<double>();
    // Probes every 1 s from the LB (zone a) time out; 2 failures in a row eject app#1.
    ASSERT_GT(ejected_at, 5.0);
    EXPECT_LE(ejected_at, 5.0 + 2 * 1.0 + 0.3 + 1e-9);
    // Once ejected, no new call crosses the partition: no errors after the last connect timeout.
    EXPECT_GT(errors_between(doc, 5.0, ejected_at + 0.6), 0);
    EXPECT_EQ(errors_between(doc, ejected_at + 0.6, 20), 0);
}

TEST(NetworkFaults, LinkDegradationAddsItsLatencyAndJitterBothWays) {
    Stack s;  // every request crosses a -> b (app only in zone b), light load: no queueing
    s.app_zones = R"(["b"])";
    s.replicas = 1;
    s.rate = "50/s";
    s.arrivals = "constant";
    s.chaos = R"([{"fault": "link_degradation", "between": ["a", "b"], "at": "5s", "for": "10s", "latency": "40ms", "jitter": "10ms"}])";
    const json doc = run(s);
    const json& f = doc["faults"][0];
    const double base = f["baseline"]["p99_s"].get<double>();
    // Out and back each get 40 ms + U(-10, 10) ms: the sum of the jitters is triangular on
    // [-20, 20] ms, whose 99th percentile is 20 - sqrt(0.02 x 400) = 17.2 ms.
    const double expected = base + 2 * 0.040 + (0.020 - std::sqrt(0.02 * 0.020 * 0.020));
    EXPECT_NEAR(f["p99_s"].get<double>(), expected, 0.03 * expected);  // histogram 1 % + sampling
    EXPECT_EQ(f["requests_failed"].get<std::uint64_t>(), 0u);
    ASSERT_TRUE(f["time_to_recover_s"].is_number());
    EXPECT_LE(f["time_to_recover_s"].get<double>(), 0.2);  // the last slow replies land just after the end
}

TEST(NetworkFaults, PacketLossCostsRetransmissionTimeouts) {
    Stack s;
    s.app_zones = R"(["b"])";
    s.replicas = 1;
    s.rate = "100/s";
    s.duration = "40s";
    s.interval = "1s";
    s.chaos = R"([{"fault": "link_degradation", "between": ["a", "b"], "at": "0s", "for": "40s", "loss": "10%"}])";
    const json doc = run(s);
    // Expected extra delay of a message of n segments: sum over j >= 1 of P(some segment is lost
    // j times in a row) x the j-th RTO (0.2 s x 2^(j-1)); request 1 KiB (1 segment), response
    // 4 KiB (3 segments of 1448 bytes).
    auto expected_delay = [](double n, double p) {
        double d = 0;
        for (int j = 1; j <= 15; ++j) d += (1 - std::pow(1 - std::pow(p, j), n)) * 0.2 * std::pow(2.0, j - 1);
        return d;
    };
    const double extra = expected_delay(1, 0.1) + expected_delay(3, 0.1);  // about 94 ms
    const double mean = doc["summary"]["latency_s"]["mean"].get<double>();
    // The standard deviation of the added delay is about 0.15 s; with ~4000 requests the mean
    // is within 4 standard errors (0.01 s) of the expectation.
    EXPECT_NEAR(mean, 0.002 + extra, 0.01);
    EXPECT_EQ(doc["summary"]["errors"].get<std::uint64_t>(), 0u);
}

TEST(NetworkFaults, JitterAndLossAreReproducibleFromTheSeed) {
    Stack s;
    s.chaos = R"([{"fault": "link_degradation", "between": ["a", "b"], "at": "2s", "for": "10s", "latency": "5ms", "jitter": "5ms", "loss": "5%"}])";
    const json a = run(s, 3), b = run(s, 3), c = run(s, 4);
    EXPECT_EQ(a["series"], b["series"]);
    EXPECT_EQ(a["faults"], b["faults"]);
    EXPECT_NE(a["series"]["p99_s"], c["series"]["p99_s"]);
}

TEST(NetworkFaults, CallsToADeadHostFailAfterTheConnectTimeoutButACrashedProcessResetsAtOnce) {
    Stack host;
    host.chaos = R"([{"fault": "host_crash", "target": "app", "fraction": "50%", "at": "5s", "for": "5s"}])";
    const json h = run(host);
    EXPECT_GT(kind_count(h, "connect_timeout"), 800u);
    // Only the requests in flight on it when it died fail before the connect timeout.
    EXPECT_LE(errors_between(h, 5.0, 5.4), h["faults"][0]["requests_lost"].get<double>());
    EXPECT_GT(errors_between(h, 5.5, 6.0), 50);

    Stack process = host;
    process.chaos = R"([{"fault": "instance_crash", "target": "app", "fraction": "50%", "at": "5s", "for": "5s"}])";
    const json p = run(process);
    EXPECT_EQ(kind_count(p, "connect_timeout"), 0u);
    EXPECT_GT(errors_between(p, 5.0, 5.1), 5);  // RST: refused within the first interval
}

TEST(NetworkFaults, ZoneOutageCutsTheZoneOffLikeAPartition) {
    Stack s;
    s.app_zones = R"(["a", "b"])";
    s.chaos = R"([{"fault": "zone_outage", "target": "b", "at": "5s", "for": "5s"}])";
    const json doc = run(s);
    const json& f = doc["faults"][0];
    EXPECT_EQ(f["instances"], json({"app#1"}));
    EXPECT_GT(kind_count(doc, "connect_timeout"), 800u);
    EXPECT_NEAR(f["error_rate"].get<double>(), 0.5, 0.06);
    EXPECT_EQ(errors_between(doc, 10.6, 20), 0);
}

TEST(ResourceFaults, DiskSlowdownStretchesDatabaseQueries) {
    Stack s;
    s.rate = "20/s";
    s.arrivals = "constant";  // no queueing: the p99 is the service time
    s.steps = R"([{"cpu": {"dist": "deterministic", "mean": "1ms"}}, {"db": "db", "op": "write", "query": {"dist": "deterministic", "mean": "10ms"}}])";
    s.more_services = R"(, "db": {"kind": "database", "machine": "r6i.large", "zones": ["a"]})";
    s.chaos = R"([{"fault": "disk_slowdown", "target": "db", "at": "5s", "for": "10s", "factor": 3},
                  {"fault": "disk_slowdown", "target": "db", "at": "16s", "for": "3s", "factor": 3, "io_share": "50%"}])";
    const json doc = run(s);
    const double base = doc["faults"][0]["baseline"]["p99_s"].get<double>();
    // The 10 ms query takes 3 x 10 ms (all of it I/O), then 10 x (0.5 + 0.5 x 3) = 20 ms.
    EXPECT_NEAR(doc["faults"][0]["p99_s"].get<double>(), base + 0.020, 0.02 * (base + 0.020));
    EXPECT_NEAR(doc["faults"][1]["p99_s"].get<double>(), base + 0.010, 0.02 * (base + 0.010));
}

TEST(ResourceFaults, MemoryLeakOomKillsAtLimitOverLeakRateAndAgainAfterEachRestart) {
    Stack s;
    s.duration = "40s";
    s.chaos = R"([{"fault": "memory_leak", "target": "app", "fraction": "50%", "at": "3s", "leak_rate": "10MiB/s",
                   "memory_limit": "50MiB", "restart": "2s"}])";
    const json doc = run(s);
    const json& f = doc["faults"][0];
    ASSERT_EQ(f["instances"].size(), 1u);
    // 50 MiB / 10 MiB/s = 5 s after the leak starts, then 5 s after each 2 s restart.
    std::vector<double> kills;
    for (const auto& ev : doc["control"]["events"])
        if (ev["kind"] == "oom_killed") kills.push_back(ev["t_s"].get<double>());
    ASSERT_EQ(kills.size(), 5u);  // at 8, 15, 22, 29, 36
    for (std::size_t k = 0; k < kills.size(); ++k) EXPECT_NEAR(kills[k], 3 + 5 + 7.0 * static_cast<double>(k), 0.1) << k;
    EXPECT_EQ(f["oom_kills"].size(), kills.size());
    EXPECT_EQ(f["oom_kills"][0]["instance"], f["instances"][0]);
    // While it restarts, round robin sends half the traffic to it: refused (RST) at once.
    EXPECT_GT(kind_count(doc, "instance_down"), 4u * 2 * 150);
    EXPECT_GT(errors_between(doc, 8.0, 8.2), 0);
    EXPECT_EQ(errors_between(doc, 10.2, 15.0), 0);  // restarted at 10 s, healthy until the next kill
}

TEST(ResourceFaults, PerRequestLeakRunsOutAfterLimitOverLeakPerRequestRequests) {
    Stack s;
    s.replicas = 1;
    s.app_zones = R"(["a"])";
    s.rate = "100/s";
    s.arrivals = "constant";
    s.chaos = R"([{"fault": "memory_leak", "target": "app", "at": "2s", "leak_per_request": "1MiB", "memory_limit": "300MiB", "restart": "1s"}])";
    const json doc = run(s);
    std::vector<double> kills;
    for (const auto& ev : doc["control"]["events"])
        if (ev["kind"] == "oom_killed") kills.push_back(ev["t_s"].get<double>());
    // 300 requests at 100/s: 3 s after the start and 3 s after each 1 s restart.
    ASSERT_GE(kills.size(), 4u);
    for (std::size_t k = 0; k < 4; ++k) EXPECT_NEAR(kills[k], 2 + 3 + 4.0 * static_cast<double>(k), 0.05) << k;
}
