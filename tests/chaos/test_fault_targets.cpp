// Dependency faults on databases and caches, and the attribution of failures when faults
// overlap (docs/chaos.md). Each case runs in a child process (one SimGrid engine per process).
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "tests/support/simulate_in_child.hpp"

using nlohmann::json;
using stacksim::test_support::simulate_in_child;

namespace {

// `app` (2 instances) runs `steps`; `more` adds services; no network delay.
std::string stack(const std::string& steps, const std::string& more, const std::string& chaos, const std::string& rate = "200/s",
                  const std::string& app_more = "") {
    return R"({"duration": "30s", "interval": "1s", "topology": {
      "network": {"intra_zone": {"latency": "0", "bandwidth": "1000Tbps"}},
      "services": {
        "app": {"kind": "node_service", "machine": "c6i.large", "replicas": 2, )" + app_more + R"("endpoints": {"e": {"steps": )" + steps + R"(}}})" + more + R"(}},
      "workload": {"type": "open", "entry": "app", "rate": ")" + rate + R"(", "mix": {"e": 1}},
      "chaos": )" + chaos + "}";
}

const std::string kDb = R"(, "pg": {"kind": "database", "machine": "r6i.large"})";
const std::string kCache = R"(, "kv": {"kind": "cache", "replicas": 1, "machine": "r6i.large", "max_keys": 1000000, "op_time": "10us"})";
const std::string kQuery = R"([{"cpu": "1ms"}, {"db": "pg", "op": "read", "query": "2ms"}])";
const std::string kQueue = R"(, "jobs": {"kind": "queue", "machine": "c6i.large", "consumer": {"service": "app", "endpoint": "c"}})";
const std::string kPublish = R"([{"cpu": "1ms"}, {"publish": "jobs"}]}, "c": {"steps": [{"cpu": "100us"}])";
// Every lookup hits after the first (10 keys): only the fault can fail or slow it.
const std::string kLookup = R"([{"cpu": "1ms"}, {"cache": "kv", "keys": 10, "on_miss": [{"cpu": "1ms"}]}])";

double p99_while(const json& fault) { return fault["p99_s"].get<double>(); }

}  // namespace

TEST(FaultTargets, DependencyErrorsOnADatabaseACacheOrAQueueFailItsQueriesLookupsAndPublishes) {
    for (const auto& [more, steps, target] : {std::tuple{kDb, kQuery, "pg"}, {kCache, kLookup, "kv"}, {kQueue, kPublish, "jobs"}}) {
        const json doc = simulate_in_child(stack(steps, more,
            std::string(R"([{"fault": "dependency_errors", "target": ")") + target + R"(", "at": "10s", "for": "10s", "error_rate": "40%"}])"));
        const json& f = doc["faults"][0];
        EXPECT_EQ(f["instances"][0], std::string(target) + "#0");
        // About 2000 requests finish in the window; 40 % of them fail (binomial, 5 sigma).
        const double n = f["requests"].get<double>(), failed = f["requests_failed"].get<double>();
        ASSERT_GT(n, 1500) << target;
        EXPECT_NEAR(failed / n, 0.4, 5 * std::sqrt(0.4 * 0.6 / n)) << target;
        EXPECT_EQ(doc["summary"]["errors_by_kind"]["dependency"].get<double>(), failed) << target;  // none outside the window
    }
}

TEST(FaultTargets, DependencyHangOnADatabaseACacheOrAQueueDelaysItsAnswers) {
    for (const auto& [more, steps, target] : {std::tuple{kDb, kQuery, "pg"}, {kCache, kLookup, "kv"}, {kQueue, kPublish, "jobs"}}) {
        const json doc = simulate_in_child(stack(steps, more,
            std::string(R"([{"fault": "dependency_hang", "target": ")") + target + R"(", "at": "10s", "for": "10s", "fraction": "5%", "latency": "200ms"}])"));
        const json& f = doc["faults"][0];
        // 5 % of the queries / lookups / publishes take 200 ms more: the window's p99 is above 200 ms, the
        // baseline's (a few ms) is not.
        EXPECT_GT(p99_while(f), 0.2) << target;
        EXPECT_LT(f["baseline"]["p99_s"].get<double>(), 0.05) << target;
        EXPECT_EQ(doc["summary"]["errors"].get<double>(), 0) << target;
    }
}

// A cache flush (misses only; the origin has capacity to spare) overlaps a payment provider's
// errors: every failure came from the provider, so the flush is charged none of them.
TEST(FaultTargets, OverlappingFaultsChargeFailuresToTheFaultTheyCameFrom) {
    const std::string pay = R"(, "pay": {"kind": "external", "latency": "5ms"})";
    const json doc = simulate_in_child(stack(R"([{"cache": "kv", "keys": 1000, "on_miss": [{"cpu": "1ms"}]}, {"call": "pay"}])", kCache + pay,
        R"([{"fault": "cache_flush", "target": "kv", "at": "10s", "for": "15s"},
            {"fault": "dependency_errors", "target": "pay", "at": "15s", "for": "10s", "error_rate": "30%"}])"));
    ASSERT_EQ(doc["faults"].size(), 2u);
    const json& flush = doc["faults"][0];
    const json& errors = doc["faults"][1];
    ASSERT_EQ(flush["kind"], "cache_flush");
    const auto all = doc["summary"]["errors"].get<std::uint64_t>();
    ASSERT_GT(all, 300u);
    EXPECT_EQ(errors["requests_failed"].get<std::uint64_t>(), all);
    EXPECT_EQ(flush["requests_failed"].get<std::uint64_t>(), 0u);
    EXPECT_EQ(flush["requests_failed_while_active"].get<std::uint64_t>(), all);  // what it used to be charged
    EXPECT_EQ(flush["error_rate"].get<double>(), 0.0);
}

// Failures with no fault of their own (a worker overloaded while two faults are active) are
// split between the active faults in turn, not counted twice.
TEST(FaultTargets, FailuresWithoutAnOriginAreSplitNotDoubleCounted) {
    const json doc = simulate_in_child(stack(R"([{"cpu": "2ms"}])", "",
        R"([{"fault": "cpu_slowdown", "target": "app", "at": "10s", "for": "10s", "factor": 4},
            {"fault": "cpu_slowdown", "target": "app", "at": "10s", "for": "10s", "factor": 1}])", "1500/s",
        R"("workers": 1, "accept_queue": 20, )"));
    ASSERT_EQ(doc["faults"].size(), 2u);
    const auto a = doc["faults"][0]["requests_failed"].get<std::uint64_t>(), b = doc["faults"][1]["requests_failed"].get<std::uint64_t>();
    const auto while_active = doc["faults"][0]["requests_failed_while_active"].get<std::uint64_t>();
    ASSERT_GT(while_active, 1000u);
    EXPECT_EQ(a + b, while_active);
    EXPECT_LE(a > b ? a - b : b - a, 1u);
}
