// Every run judges itself, end to end (docs/results.md, "steady_state"): an overloaded queue
// consumer makes the run unstable, a healthy one is steady, and a cold cache measured too
// early is a transient with a suggested warm-up that then suffices. Each run forks its own
// SimGrid engine.
#include <gtest/gtest.h>

#include <string>

#include "tests/support/simulate_in_child.hpp"

namespace stacksim {
namespace {

using nlohmann::json;
using test_support::simulate_in_child;

// 300 jobs/s into a queue drained by `replicas` consumers of two single-slot workers each,
// 10 ms of CPU per job (at most 200 jobs/s per replica).
std::string queue_stack(int replicas) {
    return R"({"duration": "40s", "warmup": "5s", "interval": "1s", "topology": {"zones": ["a"],
      "services": {
        "lb": {"kind": "load_balancer", "machine": "c6i.large", "backend": "app", "cpu_per_request": "0"},
        "app": {"kind": "node_service", "machine": "c6i.xlarge",
                "endpoints": {"POST /job": {"steps": [{"cpu": "0.1ms"}, {"publish": "jobs", "payload": "1KiB"}]}}},
        "jobs": {"kind": "queue", "machine": "m6i.large", "max_depth": 100000,
                 "consumer": {"service": "worker", "endpoint": "process"}},
        "worker": {"kind": "node_service", "machine": "c6i.large", "replicas": )" + std::to_string(replicas) + R"(,
                   "endpoints": {"process": {"steps": [{"cpu": "10ms"}]}}}}},
      "workload": {"type": "open", "entry": "lb", "rate": "300/s", "mix": {"POST /job": 1}},
      "slos": [{"name": "availability", "sli": "availability", "objective": "99%"}]})";
}

const json& resource(const json& steady, const std::string& name) {
    for (const auto& r : steady["resources"])
        if (r["name"] == name) return r;
    static const json none;
    ADD_FAILURE() << "no resource " << name << " in " << steady.dump(1);
    return none;
}

TEST(SteadyRuns, AnOverloadedConsumerIsUnstableAndItsSlosAreNotConclusive) {
    const json r = simulate_in_child(queue_stack(1), 7, "steady");
    const json& s = r["steady_state"];
    EXPECT_EQ(s["verdict"], "unstable") << s.dump(1);
    const json& q = resource(s, "queue jobs");
    EXPECT_EQ(q["status"], "growing");
    // The growth is what is published minus what the consumers finish, which is between 0
    // and their CPU's 200 jobs/s: the estimate's interval meets that range, and is tight.
    // (A busy consumer finishes close to 200/s, so the growth sits at the range's lower end.)
    double published = 0;
    for (const auto& x : r["summary"]["queues"])
        if (x["queue"] == "jobs") published = x["accepted"].get<double>() / r["summary"]["measured_s"].get<double>();
    EXPECT_NEAR(published, 300, 300 * 0.05);
    EXPECT_GE(q["slope_ci"][1].get<double>(), published - 200) << q.dump();
    EXPECT_LE(q["slope_ci"][0].get<double>(), published) << q.dump();
    EXPECT_LT(q["slope_ci"][1].get<double>() - q["slope_ci"][0].get<double>(), 0.1 * q["slope_per_s"].get<double>());
    ASSERT_TRUE(q["time_to_full_s"].is_number());
    EXPECT_NEAR(q["time_to_full_s"].get<double>(), (100000 - q["end"].get<double>()) / q["slope_per_s"].get<double>(), 1e-6);
    ASSERT_EQ(r["slos"].size(), 1u);
    EXPECT_EQ(r["slos"][0]["conclusive"], false);
}

TEST(SteadyRuns, AConsumerWithHeadroomIsSteady) {
    const json r = simulate_in_child(queue_stack(4), 7, "steady");  // 800 jobs/s of CPU
    const json& s = r["steady_state"];
    EXPECT_EQ(s["verdict"], "steady") << s.dump(1);
    EXPECT_EQ(resource(s, "queue jobs")["status"], "stable");
    EXPECT_EQ(r["slos"][0]["conclusive"], true);
}

// 1000 lookups/s over 10,000 equally popular keys into an empty cache that holds them all:
// the hit ratio climbs as 1 - exp(-t / 10 s), so a 2 s warm-up measures a cold cache.
std::string cold_cache(const std::string& warmup) {
    return R"({"duration": "4min", "warmup": ")" + warmup + R"(", "interval": "1s", "topology": {"zones": ["a"],
      "services": {
        "lb": {"kind": "load_balancer", "machine": "c6i.large", "backend": "app", "cpu_per_request": "0"},
        "app": {"kind": "node_service", "machine": "c6i.xlarge",
                "endpoints": {"GET /x": {"steps": [{"cpu": "0.2ms"},
                  {"cache": "kv", "keys": 10000, "on_miss": [{"db": "db", "op": "read", "query": "3ms"}]}]}}},
        "kv": {"kind": "cache", "machine": "r6i.large", "max_keys": 20000},
        "db": {"kind": "database", "machine": "r6i.xlarge"}}},
      "workload": {"type": "open", "entry": "lb", "rate": "1000/s", "mix": {"GET /x": 1}}})";
}

TEST(SteadyRuns, AColdCacheWithATooShortWarmupIsATransientAndTheSuggestionSuffices) {
    const json cold = simulate_in_child(cold_cache("2s"), 7, "steady");
    const json& s = cold["steady_state"];
    EXPECT_EQ(s["verdict"], "transient") << s.dump(1);
    EXPECT_FALSE(s["warmup"]["adequate"].get<bool>());
    ASSERT_TRUE(s["warmup"]["suggested_s"].is_number()) << s.dump(1);
    const double suggested = s["warmup"]["suggested_s"].get<double>();
    EXPECT_GT(suggested, 10);  // at least one time constant
    EXPECT_LE(suggested, 120);  // and within the run's first half
    const json warm = simulate_in_child(cold_cache(std::to_string(static_cast<int>(suggested)) + "s"), 7, "steady");
    EXPECT_EQ(warm["steady_state"]["verdict"], "steady") << warm["steady_state"].dump(1);
}

TEST(SteadyRuns, ADatabasesDepthCountsClientsWaitingForAPooledConnection) {
    // One connection per client instance, 20 ms queries, 100 requests/s: half of them wait in
    // the pool (the database's own query slots stay free), until the 1 s pool timeout.
    const json r = simulate_in_child(R"({"duration": "20s", "warmup": "2s", "interval": "1s", "topology": {"zones": ["a"],
      "services": {
        "lb": {"kind": "load_balancer", "machine": "c6i.large", "backend": "app", "cpu_per_request": "0"},
        "app": {"kind": "node_service", "machine": "c6i.large", "workers": 1,
                "endpoints": {"GET /x": {"steps": [{"db": "db", "op": "read", "query": "20ms"}]}}},
        "db": {"kind": "database", "machine": "r6i.xlarge", "pool": {"size": 1, "timeout": "1s"}}}},
      "workload": {"type": "open", "entry": "lb", "rate": "100/s", "mix": {"GET /x": 1}}})", 7, "steady");
    double waiting = 0;
    for (const auto& v : r["series"]["queue_depth"]["db"]) waiting = std::max(waiting, v.get<double>());
    EXPECT_GT(waiting, 10) << r["series"]["queue_depth"]["db"].dump();
    EXPECT_GT(r["summary"]["connection_pools"][0]["waits"].get<double>(), 0);
}

}  // namespace
}  // namespace stacksim
