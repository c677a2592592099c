// Resilience policies end to end: each case runs an experiment in a child process (SimGrid
// allows one engine per process) and checks what the policies did to the run.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <fstream>

#include "model/schema/loader.hpp"
#include "sim/engine/simulation.hpp"
#include "tests/support/simulate_in_child.hpp"

using nlohmann::json;
using namespace stacksim;

namespace {

using test_support::simulate_file_in_child;

using test_support::simulate_in_child;

// lb -> app (2 instances x 2 workers, 1 ms CPU) -> `dep`; `policy` is the call step's
// resilience object, `dep` a JSON service, `chaos` a JSON list.
std::string stack(const std::string& policy, const std::string& dep, const std::string& chaos = "[]",
                  const std::string& rate = "400/s", const std::string& duration = "40s") {
    return R"({"duration": ")" + duration + R"(", "interval": "1s", "topology": {"zones": ["a"],
      "network": {"intra_zone": {"latency": "0", "bandwidth": "1000Tbps"}},
      "services": {
        "lb": {"kind": "load_balancer", "machine": "c6i.large", "backend": "app", "cpu_per_request": "0"},
        "app": {"kind": "node_service", "machine": "c6i.large", "workers": 2, "replicas": 2,
                "endpoints": {"e": {"steps": [{"cpu": "1ms"}, {"call": "dep", "endpoint": "d", "resilience": )" + policy + R"(}]}}},
        "dep": )" + dep + R"(}},
      "workload": {"type": "open", "entry": "lb", "rate": ")" + rate + R"(", "mix": {"e": 1}},
      "chaos": )" + chaos + "}";
}

const json& edge(const json& doc) { return doc["summary"]["resilience"]["edges"][0]; }

// Fraction of the arrivals in intervals [from_s, to_s) that completed successfully.
double goodput(const json& doc, double from_s, double to_s) {
    double ok = 0, arrivals = 0;
    const json& s = doc["series"];
    for (std::size_t i = 0; i < s["t_s"].size(); ++i) {
        const double t = s["t_s"][i].get<double>();
        if (t <= from_s || t > to_s) continue;
        ok += s["completed_rps"][i].get<double>();
        arrivals += s["arrivals_rps"][i].get<double>();
    }
    return arrivals > 0 ? ok / arrivals : 0;
}

}  // namespace

// The issue's metastability example: the same 30 s dependency outage (60 s - 30 s: inventory's
// answers hang) with unbudgeted retries (3 attempts) and with a 10 % retry budget.
TEST(Resilience, UnbudgetedRetriesTurnAnOutageIntoASustainedRetryStormABudgetRecovers) {
    const json storm = simulate_file_in_child(std::string(STACKSIM_SOURCE_DIR) + "/experiments/retry-storm.json", 11);
    const json budget = simulate_file_in_child(std::string(STACKSIM_SOURCE_DIR) + "/experiments/retry-budget.json", 11);
    // Before the outage both are healthy (inventory at ~80 %).
    EXPECT_GT(goodput(storm, 10, 30), 0.99);
    EXPECT_GT(goodput(budget, 10, 30), 0.99);
    // Long after the outage ended the unbudgeted stack still fails nearly everything: retries
    // keep inventory saturated with work nobody waits for.
    const double storm_after = goodput(storm, 70, 120), budget_after = goodput(budget, 65, 120);
    EXPECT_LT(storm_after, 0.1);
    const json& util = storm["series"]["utilisation"]["inventory"];
    for (std::size_t i = 70; i < 119; ++i) EXPECT_GT(util[i].get<double>(), 0.97) << "t=" << i;
    const json& attempts = storm["series"]["attempts_rps"]["api->inventory"];
    double offered = 0;
    for (std::size_t i = 70; i < 119; ++i) offered += attempts[i].get<double>() / 49;
    EXPECT_GT(offered, 2.0 * 400);  // ~3x the arrivals, 2x inventory's capacity of ~400/s
    // With the budget it is back within seconds of the outage's end (60 s).
    EXPECT_GT(budget_after, 0.99);
    EXPECT_GT(goodput(budget, 62, 65), 0.95);
    EXPECT_LE(edge(budget)["retry_ratio"].get<double>(), 0.1 + 2.0 / 320 + 0.01);  // ratio + min_per_s
    EXPECT_GT(edge(budget)["retries_denied"].get<std::uint64_t>(), 1000u);
    ASSERT_EQ(storm["faults"].size(), 1u);
    EXPECT_TRUE(storm["faults"][0]["time_to_recover_s"].is_null());  // never recovers in the run
    ASSERT_EQ(budget["faults"].size(), 1u);
    ASSERT_TRUE(budget["faults"][0]["time_to_recover_s"].is_number());
    EXPECT_LE(budget["faults"][0]["time_to_recover_s"].get<double>(), 3.0);
    std::cout << "goodput 70-120 s: unbudgeted " << storm_after << ", budgeted " << budget_after
              << "; inventory attempts/s after the outage (unbudgeted) " << offered << "\n";
}

TEST(Resilience, BreakerOpensWithinItsWindowHalfOpensAfterItsWaitAndClosesWhenTheDependencyHeals) {
    // 100 % errors from 10 s to 30 s; each app instance's breaker sees ~200 calls/s.
    const json doc = simulate_in_child(
        stack(R"({"circuit_breaker": {"window_size": 20, "minimum_calls": 20, "failure_rate_threshold": "50%",
                  "wait_in_open": "4s", "half_open_calls": 5}})",
              R"({"kind": "external", "latency": {"dist": "deterministic", "mean": "5ms"}})",
              R"([{"fault": "dependency_errors", "target": "dep", "at": "10s", "for": "20s", "error_rate": 1.0}])"));
    const json& breakers = doc["summary"]["resilience"]["breakers"];
    ASSERT_EQ(breakers.size(), 2u);  // one per calling instance
    for (const json& b : breakers) {
        const json& tr = b["transitions"];
        ASSERT_GE(tr.size(), 4u);
        EXPECT_EQ(tr[0]["from"], "closed");
        EXPECT_EQ(tr[0]["to"], "open");
        // 10 failures in a 20-call window reach 50 %: at 200 calls/s that is ~50 ms.
        EXPECT_GE(tr[0]["at_s"].get<double>(), 10.0);
        EXPECT_LT(tr[0]["at_s"].get<double>(), 10.2);
        for (std::size_t i = 0; i + 1 < tr.size(); ++i)
            if (tr[i]["to"] == "open") {
                EXPECT_EQ(tr[i + 1]["to"], "half_open");
                EXPECT_NEAR(tr[i + 1]["at_s"].get<double>() - tr[i]["at_s"].get<double>(), 4.0, 1e-9);
            }
        // While the fault lasts the probes fail and it reopens; after 30 s the probes succeed.
        EXPECT_EQ(tr.back()["to"], "closed");
        EXPECT_GT(tr.back()["at_s"].get<double>(), 30.0);
        EXPECT_LT(tr.back()["at_s"].get<double>(), 34.5);
        EXPECT_EQ(b["state_at_end"], "closed");
    }
    // Open means failing fast: most of the fault's errors never reached the dependency.
    const json& kinds = doc["summary"]["errors_by_kind"];
    EXPECT_GT(kinds["circuit_open"].get<std::uint64_t>(), 10u * kinds["dependency"].get<std::uint64_t>());
    EXPECT_GE(edge(doc)["breaker_opens"].get<std::uint64_t>(), 2u * 5);  // (10, 14, 18, 22, 26) x 2 instances
}

TEST(Resilience, TimeoutsBoundTheCallersLatencyWhileTheCalleeKeepsWorking) {
    // dep takes 100 ms of CPU per call on 2 cores (~60 % busy at 12 calls/s); the caller
    // waits 30 ms: every call times out, yet dep does all the work (abandoned, not cancelled).
    const json doc = simulate_in_child(
        stack(R"({"timeout": "30ms"})", R"({"kind": "node_service", "machine": "c6i.large", "workers": 2,
                  "endpoints": {"d": {"steps": [{"cpu": {"dist": "deterministic", "mean": "100ms"}}]}}})",
              "[]", "12/s"));
    const json& s = doc["summary"];
    EXPECT_EQ(s["completed"].get<std::uint64_t>(), 0u);
    EXPECT_EQ(s["errors_by_kind"]["timeout"].get<std::uint64_t>(), s["errors"].get<std::uint64_t>());
    EXPECT_EQ(edge(doc)["timeouts"].get<std::uint64_t>(), s["errors"].get<std::uint64_t>());
    double dep_util = 0;
    for (const json& svc : s["services"])
        if (svc["service"] == "dep") dep_util = svc["utilisation"].get<double>();
    EXPECT_NEAR(dep_util, 12 * 0.1 / 2, 0.08);
    // With a timeout above the work: exponential 20 ms latency, 50 ms timeout: e^-2.5 time out
    // and no successful request is slower than the timeout plus the caller's own CPU.
    const json ok = simulate_in_child(stack(R"({"timeout": "50ms"})", R"({"kind": "external", "latency": "20ms"})"));
    const double share = ok["summary"]["errors_by_kind"]["timeout"].get<double>() /
                         (ok["summary"]["errors"].get<double>() + ok["summary"]["completed"].get<double>());
    EXPECT_NEAR(share, std::exp(-2.5), 0.015);
    EXPECT_LT(ok["summary"]["latency_s"]["max"].get<double>(), 0.050 + 0.015);
}

TEST(Resilience, RetriesRecoverTransientErrorsAndBudgetsCapTheirRatio) {
    // 30 % of calls fail: 3 attempts leave 0.3^3 = 2.7 % failing, with ~0.39 retries per call.
    const std::string dep = R"({"kind": "external", "latency": "5ms", "error_rate": 0.3})";
    const json plain = simulate_in_child(stack(R"({"retry": {"max_attempts": 3, "base": "10ms"}})", dep));
    const json& s = plain["summary"];
    EXPECT_NEAR(s["availability"].get<double>(), 1 - 0.027, 0.006);
    EXPECT_NEAR(edge(plain)["retry_ratio"].get<double>(), 0.3 + 0.09, 0.02);
    // A 10 % budget without a minimum rate caps retries at a tenth of the calls.
    const json capped = simulate_in_child(
        stack(R"({"retry": {"max_attempts": 3, "base": "10ms", "budget": {"ratio": "10%", "min_per_s": 0}}})", dep));
    EXPECT_LE(edge(capped)["retry_ratio"].get<double>(), 0.101);
    EXPECT_GT(edge(capped)["retry_ratio"].get<double>(), 0.09);
    EXPECT_GT(edge(capped)["retries_denied"].get<std::uint64_t>(), 0u);
    EXPECT_LT(capped["summary"]["availability"].get<double>(), s["availability"].get<double>());
}

TEST(Resilience, BulkheadCapsConcurrentCallsAndRejectsTheExcess) {
    // dep answers in 100 ms; each app instance may have 5 calls outstanding: at most
    // 2 x 5 / 0.1 s = 100 calls/s get through out of 400/s (a little less: a freed slot waits
    // for the next arrival, ~5 ms at 200/s per instance).
    const json doc = simulate_in_child(
        stack(R"({"bulkhead": {"max_concurrent": 5}})", R"({"kind": "external", "latency": {"dist": "deterministic", "mean": "100ms"}})"));
    const json& s = doc["summary"];
    EXPECT_NEAR(s["throughput_rps"].get<double>(), 2 * 5 / 0.105, 4);
    EXPECT_GT(s["errors_by_kind"]["bulkhead_full"].get<std::uint64_t>(), 0u);
    EXPECT_EQ(edge(doc)["bulkhead_full"], s["errors_by_kind"]["bulkhead_full"]);
}

TEST(Resilience, SameSeedSameResults) {
    const std::string exp = stack(
        R"({"timeout": "20ms", "retry": {"max_attempts": 3, "jitter": "decorrelated", "budget": {"ratio": "20%"}},
            "circuit_breaker": {"window_size": 50, "minimum_calls": 20, "wait_in_open": "2s"}})",
        R"({"kind": "external", "latency": "10ms", "error_rate": 0.2})", "[]", "400/s", "10s");
    json a = simulate_in_child(exp, 3), b = simulate_in_child(exp, 3);
    a.erase("wall");
    b.erase("wall");
    EXPECT_EQ(a.dump(), b.dump());
}
