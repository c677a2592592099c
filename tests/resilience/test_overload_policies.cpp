// Overload protection and tail policies end to end (docs/resilience.md): token-bucket rate
// limits, load shedding, hedged requests, client-side adaptive throttling, stale-if-error and
// the overall deadline. Each case runs in a child process (one SimGrid engine per process);
// the bounds come from the mechanism, not from a recorded run.
#include <gtest/gtest.h>

#include <cmath>

#include "tests/support/simulate_in_child.hpp"

using nlohmann::json;
using stacksim::test_support::simulate_in_child;

namespace {

// A zero-latency network, so that the bounds below are the policies' alone.
std::string experiment(const std::string& services, const std::string& workload, const std::string& extra = "") {
    return R"({"duration": "30s", "interval": "1s", )" + extra + R"( "topology": {"zones": ["a"],
      "network": {"intra_zone": {"latency": "0", "bandwidth": "1000Tbps"}}, "services": )" + services +
           R"(}, "workload": )" + workload + "}";
}

std::uint64_t count(const json& j, const char* key) { return j.contains(key) ? j[key].get<std::uint64_t>() : 0; }

json overload_of(const json& doc, const std::string& service) {
    for (const json& o : doc["summary"].value("overload", json::array()))
        if (o["service"] == service) return o;
    return json::object();
}

json edge_to(const json& doc, const std::string& dependency) {
    for (const json& e : doc["summary"].value("resilience", json::object()).value("edges", json::array()))
        if (e["dependency"] == dependency) return e;
    return json::object();
}

}  // namespace

// A global bucket of `rate` tokens/s and `burst` tokens, full at the start, under Poisson
// arrivals at 4x the rate: the bucket is (almost) never full, so no token is wasted and exactly
// rate x T + burst requests get through (less the fraction of a token left at the end).
TEST(OverloadPolicies, TokenBucketAdmitsRateTimesDurationPlusBurstAndRejectsTheRest) {
    const json doc = simulate_in_child(experiment(R"({
        "lb": {"kind": "load_balancer", "machine": "c6i.large", "replicas": 2, "backend": "app", "cpu_per_request": "0",
               "rate_limit": {"rate": "100/s", "burst": 50, "scope": "global"}},
        "app": {"kind": "node_service", "machine": "c6i.large", "workers": 2, "replicas": 2,
                "endpoints": {"e": {"steps": [{"cpu": {"dist": "deterministic", "mean": "1ms"}}]}}}})",
                                                  R"({"type": "open", "entry": "lb", "rate": "400/s", "mix": {"e": 1}})"),
                                       3, "overload");
    const json& s = doc["summary"];
    const double admitted_bound = 100 * 30 + 50;
    const auto completed = s["completed"].get<std::uint64_t>();
    EXPECT_LE(static_cast<double>(completed), admitted_bound);
    EXPECT_GE(static_cast<double>(completed), admitted_bound - 3);  // a token fraction, requests in flight
    // Everything else was rejected with its own error class, counted at the load balancer.
    const auto limited = count(s["errors_by_kind"], "rate_limited");
    EXPECT_EQ(limited, count(overload_of(doc, "lb"), "rate_limited"));
    EXPECT_NEAR(static_cast<double>(completed + limited), s["arrivals"].get<double>(), 2);
    // The arrivals themselves are Poisson(400 x 30): within 4 standard deviations.
    EXPECT_NEAR(s["arrivals"].get<double>(), 12000, 4 * std::sqrt(12000.0));
}

// One worker at 5 ms (200/s) under 400/s: without shedding its queue grows by 200 requests a
// second. With max_queued 20 nobody waits behind more than 20 others: sojourn <= 21 x 5 ms.
// With max_queue_time 50 ms a served request waited at most 50 ms: sojourn <= 55 ms.
// (Plus the bodies' transfers at the c6i.large NICs, 12.5 Gbps: kTransfer bounds them.)
TEST(OverloadPolicies, SheddingBoundsQueueLengthAndQueueTime) {
    auto run = [](const std::string& shedding) {
        return simulate_in_child(experiment(R"({
            "lb": {"kind": "load_balancer", "machine": "c6i.large", "backend": "app", "cpu_per_request": "0"},
            "app": {"kind": "node_service", "machine": "c6i.large", "workers": 1, "replicas": 1, )" + shedding + R"(
                    "endpoints": {"e": {"steps": [{"cpu": {"dist": "deterministic", "mean": "5ms"}}]}}}})",
                                            R"({"type": "open", "entry": "lb", "rate": "400/s", "mix": {"e": 1}})",
                                            R"("warmup": "5s",)"),
                                 5, "overload");
    };
    const json none = run(""), by_length = run(R"("shedding": {"max_queued": 20},)"),
               by_time = run(R"("shedding": {"max_queue_time": "50ms"},)");
    EXPECT_GT(none["summary"]["latency_s"]["p50"].get<double>(), 1.0);  // seconds of queue
    const json& l = by_length["summary"];
    constexpr double kTransfer = 1e-4;
    EXPECT_LE(l["latency_s"]["max"].get<double>(), 21 * 0.005 + kTransfer);
    for (const json& d : by_length["series"]["queue_depth"]["app"]) EXPECT_LE(d.get<double>(), 20);
    // Half the load is shed; the worker stays busy on the other half.
    const double shed_share = count(l["errors_by_kind"], "shed") / l["arrivals"].get<double>();
    EXPECT_NEAR(shed_share, 0.5, 0.03);
    EXPECT_EQ(count(l["errors_by_kind"], "shed"), count(overload_of(by_length, "app"), "shed_queue_length"));
    const json& t = by_time["summary"];
    EXPECT_LE(t["latency_s"]["max"].get<double>(), 0.050 + 0.005 + kTransfer);
    EXPECT_NEAR(count(t["errors_by_kind"], "shed") / t["arrivals"].get<double>(), 0.5, 0.03);
    EXPECT_EQ(count(t["errors_by_kind"], "shed"), count(overload_of(by_time, "app"), "shed_queue_time"));
}

// The same queue-time shedding when workers share cores (SimGrid actors): 4 event loops on 2
// vCPUs serve 400/s of 800/s; a served request waited <= 50 ms and then ran at >= half a core.
TEST(OverloadPolicies, QueueTimeSheddingAlsoHoldsForWorkersSharingCores) {
    const json doc = simulate_in_child(experiment(R"({
        "lb": {"kind": "load_balancer", "machine": "c6i.large", "backend": "app", "cpu_per_request": "0"},
        "app": {"kind": "node_service", "machine": "c6i.large", "workers": 4, "replicas": 1,
                "shedding": {"max_queue_time": "50ms"},
                "endpoints": {"e": {"steps": [{"cpu": {"dist": "deterministic", "mean": "5ms"}}]}}}})",
                                                  R"({"type": "open", "entry": "lb", "rate": "800/s", "mix": {"e": 1}})",
                                                  R"("warmup": "5s",)"),
                                       5, "overload");
    const json& s = doc["summary"];
    EXPECT_LE(s["latency_s"]["max"].get<double>(), 0.050 + 2 * 0.005 + 1e-4);  // + transfers at 12.5 Gbps NICs
    EXPECT_NEAR(count(s["errors_by_kind"], "shed") / s["arrivals"].get<double>(), 0.5, 0.04);
}

// A lognormal dependency (mean 10 ms, cv 2: sigma^2 = ln 5): x95 ~ 36 ms, x99 ~ 85 ms. Hedging
// once at the observed p95 sends a second copy for the 5 % of calls slower than it, and the
// call's tail becomes P(X1 > t) P(X2 > t - x95) = 1 % at t ~ 45 ms: p99 drops by about half.
TEST(OverloadPolicies, HedgingAtP95CutsP99OfAHeavyTailForAboutFivePercentMoreLoad) {
    auto run = [](const std::string& policy) {
        return simulate_in_child(experiment(R"({
            "lb": {"kind": "load_balancer", "machine": "c6i.large", "backend": "app", "cpu_per_request": "0"},
            "app": {"kind": "node_service", "machine": "c6i.large", "workers": 2, "replicas": 2,
                    "endpoints": {"e": {"steps": [{"call": "dep", "resilience": )" + policy + R"(}]}}},
            "dep": {"kind": "external", "latency": {"dist": "lognormal", "mean": "10ms", "cv": 2}}})",
                                            R"({"type": "open", "entry": "lb", "rate": "400/s", "mix": {"e": 1}})",
                                            R"("warmup": "5s",)"),
                                 9, "overload");
    };
    const json plain = run(R"({"timeout": "10s"})"), hedged = run(R"({"hedge": {"delay": "p95", "max_hedges": 1}})");
    const double p99 = plain["summary"]["latency_s"]["p99"].get<double>(),
                 p99_hedged = hedged["summary"]["latency_s"]["p99"].get<double>();
    EXPECT_NEAR(p99, 0.085, 0.015);
    EXPECT_LT(p99_hedged, 0.7 * p99);
    EXPECT_NEAR(p99_hedged, 0.045, 0.012);
    const json e = edge_to(hedged, "dep");
    const double extra = static_cast<double>(count(e, "hedges")) / static_cast<double>(count(e, "calls"));
    EXPECT_GT(extra, 0.04);
    EXPECT_LT(extra, 0.065);
    EXPECT_GT(count(e, "hedge_wins"), count(e, "hedges") / 2);  // a copy sent 36 ms later usually wins
    EXPECT_EQ(hedged["summary"]["errors"].get<std::uint64_t>(), 0u);
    std::cout << "p99 " << p99 << " -> hedged " << p99_hedged << ", extra load " << extra << "\n";
}

// The backend admits 100 requests/s (a global token bucket) and rejects the rest; the clients
// want 400/s. The SRE book's throttle settles where requests = k x accepts: with k = 2 the
// clients send 200/s and reject the other half locally, p = 1 - 2 x 100 / 400 = 0.5.
TEST(OverloadPolicies, AdaptiveThrottlingRejectRatioConvergesToTheFormula) {
    const json doc = simulate_in_child(experiment(R"({
        "lb": {"kind": "load_balancer", "machine": "c6i.large", "backend": "app", "cpu_per_request": "0"},
        "app": {"kind": "node_service", "machine": "c6i.large", "workers": 2, "replicas": 2,
                "endpoints": {"e": {"steps": [{"call": "dep", "endpoint": "d",
                                               "resilience": {"adaptive_throttle": {"k": 2, "window": "10s"}}}]}}},
        "dep": {"kind": "node_service", "machine": "c6i.large", "workers": 2, "replicas": 1,
                "rate_limit": {"rate": "100/s", "burst": 10, "scope": "global"},
                "endpoints": {"d": {"steps": [{"cpu": {"dist": "deterministic", "mean": "1ms"}}]}}}})",
                                                  R"({"type": "open", "entry": "lb", "rate": "400/s", "mix": {"e": 1}})",
                                                  R"("warmup": "15s",)"),
                                       13, "overload");
    const json e = edge_to(doc, "dep");
    const double calls = static_cast<double>(count(e, "calls"));
    const double throttled = static_cast<double>(count(e, "throttled")) / calls;
    const double accepted = doc["summary"]["completed"].get<double>() / calls;
    EXPECT_NEAR(accepted, 0.25, 0.01);  // the bucket's 100/s of 400/s
    EXPECT_NEAR(throttled, 1 - 2 * accepted, 0.04);
    // What was sent and not accepted was rate limited by the backend.
    EXPECT_NEAR(static_cast<double>(count(overload_of(doc, "dep"), "rate_limited")) / calls, 1 - throttled - accepted, 0.02);
}

// Keys expire after 2 s; the origin fails from 10 s to 25 s. Without stale-if-error every
// request fails once its key has expired; with it the expired entries are served instead.
TEST(OverloadPolicies, StaleIfErrorKeepsAvailabilityUpDuringAnOriginOutage) {
    auto run = [](const std::string& stale) {
        return simulate_in_child(experiment(R"({
            "lb": {"kind": "load_balancer", "machine": "c6i.large", "backend": "app", "cpu_per_request": "0"},
            "app": {"kind": "node_service", "machine": "c6i.large", "workers": 2, "replicas": 2,
                    "endpoints": {"e": {"steps": [{"cache": "redis", "keys": 50, "ttl": "2s", )" + stale + R"(
                                                   "on_miss": [{"call": "origin"}]}]}}},
            "redis": {"kind": "cache", "machine": "c6i.large", "max_keys": 1000},
            "origin": {"kind": "external", "latency": {"dist": "deterministic", "mean": "5ms"}}})",
                                            R"({"type": "open", "entry": "lb", "rate": "400/s", "mix": {"e": 1}})",
                                            R"("chaos": [{"fault": "dependency_errors", "target": "origin", "at": "10s", "for": "15s", "error_rate": 1.0}],)"),
                                 17, "overload");
    };
    const json plain = run(""), stale = run(R"("stale_if_error": "60s",)");
    auto availability = [](const json& doc, double from, double to) {
        double ok = 0, all = 0;
        const json& s = doc["series"];
        for (std::size_t i = 0; i < s["t_s"].size(); ++i) {
            const double t = s["t_s"][i].get<double>();
            if (t <= from || t > to) continue;
            ok += s["completed_rps"][i].get<double>();
            all += s["completed_rps"][i].get<double>() + s["errors_rps"][i].get<double>();
        }
        return all > 0 ? ok / all : 0;
    };
    EXPECT_LT(availability(plain, 13, 25), 0.05);  // every key expired by 12 s
    EXPECT_GT(availability(stale, 10, 25), 0.999);
    const auto served = count(overload_of(stale, "redis"), "stale_served");
    // Every key has expired by 12 s: from then to 25 s every lookup finds a stale entry.
    EXPECT_GT(static_cast<double>(served), 0.9 * 13 * 400);
    EXPECT_LT(static_cast<double>(served), 1.1 * 15 * 400);
    EXPECT_EQ(stale["summary"]["errors"].get<std::uint64_t>(), 0u);
}

// The edge sets a 100 ms deadline; the first dependency takes Exp(60 ms). Requests it answers
// after the deadline are never sent on to `b`: b gets P(X < 100 ms) = 1 - e^(-5/3) = 81 % of the
// calls, and every client answer comes within the deadline.
TEST(OverloadPolicies, DeadlinePreventsDownstreamWorkForExpiredRequests) {
    auto run = [](const std::string& deadline) {
        return simulate_in_child(experiment(R"({
            "lb": {"kind": "load_balancer", "machine": "c6i.large", "backend": "app", "cpu_per_request": "0", )" + deadline + R"(},
            "app": {"kind": "node_service", "machine": "c6i.large", "workers": 2, "replicas": 2,
                    "endpoints": {"e": {"steps": [{"call": "ext"}, {"call": "b", "endpoint": "d"}]}}},
            "ext": {"kind": "external", "latency": "60ms"},
            "b": {"kind": "node_service", "machine": "c6i.large", "workers": 2, "replicas": 1,
                  "endpoints": {"d": {"steps": [{"cpu": {"dist": "deterministic", "mean": "1ms"}}]}}}})",
                                            R"({"type": "open", "entry": "lb", "rate": "200/s", "mix": {"e": 1}})"),
                                 19, "overload");
    };
    const json plain = run(R"("max_connections": 10000)"), bounded = run(R"("deadline": "100ms")");
    EXPECT_GT(plain["summary"]["latency_s"]["max"].get<double>(), 0.3);
    const json& s = bounded["summary"];
    EXPECT_LE(s["latency_s"]["max"].get<double>(), 0.1 + 1e-6);
    const double arrivals = s["arrivals"].get<double>();
    const double expected = 1 - std::exp(-100.0 / 60.0);
    const double to_b = static_cast<double>(count(edge_to(bounded, "b"), "attempts")) / arrivals;
    EXPECT_NEAR(to_b, expected, 0.025);
    EXPECT_NEAR(count(s["errors_by_kind"], "deadline_exceeded") / arrivals, 1 - expected, 0.025);
    // b's busy time is exactly the requests it was sent (1 ms each): nothing expired reached it.
    double b_util = 0;
    for (const json& svc : s["services"])
        if (svc["service"] == "b") b_util = svc["utilisation"].get<double>();
    EXPECT_NEAR(b_util * 2 * 30 / 0.001, to_b * arrivals, 0.02 * arrivals);
}

// A policy on a database step: the database (one query slot, 10 ms) gets 150 queries/s for its
// 100/s, so its queue grows without bound. A 50 ms timeout bounds every request (successful
// ones answer within it); timed-out queries are retried once, and the edge counts it all. The
// server accepts every pool connection (max_connections), so that each failure is a timeout.
TEST(OverloadPolicies, DatabaseStepsTakeTimeoutsAndRetries) {
    const json doc = simulate_in_child(experiment(R"({
        "lb": {"kind": "load_balancer", "machine": "c6i.large", "backend": "app", "cpu_per_request": "0"},
        "app": {"kind": "node_service", "machine": "c6i.large", "workers": 2, "replicas": 2,
                "resilience": {"db": {"timeout": "50ms", "retry": {"max_attempts": 2, "base": "1ms"}}},
                "endpoints": {"e": {"steps": [{"db": "db", "op": "write", "query": {"dist": "deterministic", "mean": "10ms"}}]}}},
        "db": {"kind": "database", "machine": "c6i.large", "concurrency": 1, "pool": {"size": 1000}, "max_connections": 100000}})",
                                                  R"({"type": "open", "entry": "lb", "rate": "150/s", "mix": {"e": 1}})",
                                                  R"("warmup": "5s",)"),
                                       23, "overload");
    const json& s = doc["summary"];
    EXPECT_LE(s["latency_s"]["max"].get<double>(), 2 * 0.050 + 0.001 + 1e-6);  // two attempts and a backoff
    EXPECT_GT(count(s["errors_by_kind"], "timeout"), 1000u);
    const json e = edge_to(doc, "db");
    ASSERT_FALSE(e.empty());
    EXPECT_GT(count(e, "retries"), count(e, "calls") / 2);
    EXPECT_NEAR(static_cast<double>(count(e, "attempts")), static_cast<double>(count(e, "calls") + count(e, "retries")), 10);  // warm-up edge
}
