// The whole-stack analytic model against exact queueing results on stacks small enough to
// solve by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "model/analytic/stack_model.hpp"
#include "model/schema/loader.hpp"

using namespace stacksim;

namespace {

// An experiment with an inline topology; `services` is the body of "services".
Experiment experiment(const std::string& services, const std::string& workload, const std::string& entry = "app",
                      const std::string& endpoint = "e") {
    static int n = 0;
    // ctest runs each test as its own process, in parallel: name files by test, not by a counter alone.
    const std::string path = testing::TempDir() + "/stack_model_" +
                             testing::UnitTest::GetInstance()->current_test_info()->name() + "_" + std::to_string(n++) + ".json";
    std::ofstream(path) << R"({"duration": "10min", "topology": {"services": {)" << services
                        << R"(}}, "workload": {"entry": ")" << entry << R"(", "mix": {")" << endpoint << R"(": 1}, )"
                        << workload << "}}";
    schema::Diagnostics diag;
    auto e = schema::load_experiment(path, {}, diag);
    EXPECT_TRUE(e) << diag.format();
    return e ? *e : Experiment{};
}

std::string node(const std::string& name, int replicas, int workers, const std::string& steps,
                 const std::string& machine = "c6i.4xlarge", const std::string& extra = "") {
    return "\"" + name + "\": {\"kind\": \"node_service\", \"machine\": \"" + machine + "\", \"replicas\": " +
           std::to_string(replicas) + ", \"workers\": " + std::to_string(workers) + extra +
           ", \"endpoints\": {\"e\": {\"steps\": " + steps + "}}}";
}

const analytic::StationReport& station(const analytic::AnalyticReport& r, const std::string& service,
                                       const std::string& role = "event loop") {
    for (const auto& s : r.stations)
        if (s.service == service && s.role == role) return s;
    throw std::runtime_error("no station " + service);
}

}  // namespace

TEST(StackModel, SingleWorkerIsMM1WithExponentialSojourn) {
    // μ = 100/s, λ = 80/s: W = 1/(μ-λ) = 50 ms; the sojourn time is exponential, p99 = W·ln 100.
    const auto r = analytic::analyze(experiment(node("app", 1, 1, R"([{"cpu": "10ms"}])"),
                                                R"("type": "open", "rate": "80/s")"));
    ASSERT_EQ(r.endpoints.size(), 1u);
    EXPECT_NEAR(station(r, "app").utilisation, 0.8, 1e-12);
    EXPECT_NEAR(r.endpoints[0].mean_s, 0.05, 1e-9);
    EXPECT_NEAR(r.endpoints[0].p99_s, 0.05 * std::log(100.0), 1e-6);
    EXPECT_NEAR(r.p99_s, 0.05 * std::log(100.0), 1e-6);
    EXPECT_NEAR(r.saturation_rate, 100, 1e-9);
}

TEST(StackModel, DatabaseQuerySlotsAreAnMMc) {
    // 2 query slots sharing one queue, μ = 5/s each, λ = 9/s: P(wait) = 0.85263, Wq = 0.85263 s (M/M/2).
    const auto r = analytic::analyze(experiment(
        node("app", 1, 16, R"([{"db": "db", "op": "read", "query": "200ms"}])") +
            R"(, "db": {"kind": "database", "machine": "r6i.large", "concurrency": 2})",
        R"("type": "open", "rate": "9/s")"));
    EXPECT_NEAR(station(r, "db", "primary").mean_wait_s, 0.85263, 1e-5);
}

TEST(StackModel, NodeWorkersEachHaveTheirOwnQueue) {
    // The cluster master deals requests round-robin: 2 workers are 2 queues at λ/2 = 4.5/s, each
    // seeing every 2nd arrival (Erlang-2). E2/M/1: σ = (2λ/(2λ + μ(1-σ)))², Wq = σ/(μ(1-σ)).
    const double lambda = 4.5, mu = 5;
    double sigma = 0;
    for (int i = 0; i < 10000; ++i) sigma = std::pow(2 * lambda / (2 * lambda + mu * (1 - sigma)), 2);
    const auto r = analytic::analyze(experiment(node("app", 1, 2, R"([{"cpu": "200ms"}])"),
                                                R"("type": "open", "rate": "9/s")"));
    EXPECT_NEAR(station(r, "app").mean_wait_s, sigma / (mu * (1 - sigma)), 1e-9);
    EXPECT_NEAR(r.endpoints[0].mean_s, 1 / (mu * (1 - sigma)), 1e-9);
    EXPECT_LT(station(r, "app").mean_wait_s, 1.8);  // below an M/M/1 at the same load
}

TEST(StackModel, ReplicasTimesWorkersAndCoreSpeed) {
    // 3 replicas x 2 workers on c7g (speed 0.95): S = 10 ms / 0.95.
    const auto r = analytic::analyze(experiment(node("app", 3, 2, R"([{"cpu": "10ms"}])", "c7g.large"),
                                                R"("type": "open", "rate": "300/s")"));
    const auto& s = station(r, "app");
    EXPECT_EQ(s.servers, 6);
    EXPECT_NEAR(s.mean_service_s, 0.01 / 0.95, 1e-12);
    EXPECT_NEAR(s.utilisation, 300 * 0.01 / 0.95 / 6, 1e-12);
}

TEST(StackModel, DeterministicServiceGivesPollaczekKhinchine) {
    // M/D/1 at ρ = 0.5, S = 10 ms: Wq = ρS / (2(1-ρ)) = 5 ms.
    const auto r = analytic::analyze(experiment(node("app", 1, 1, R"([{"cpu": {"dist": "deterministic", "mean": "10ms"}}])"),
                                                R"("type": "open", "rate": "50/s")"));
    EXPECT_NEAR(station(r, "app").mean_wait_s, 0.005, 1e-9);
}

TEST(StackModel, AsyncFeedbackIsAJacksonNetwork) {
    // A re-enqueues 30% of its work to itself and always forwards to B: λ_A = λ0/0.7, λ_B = λ_A.
    const auto r = analytic::analyze(experiment(
        node("a", 1, 4, R"([{"cpu": "1ms"}, {"branch": [{"p": 0.3, "steps": [{"call": "a", "endpoint": "e", "async": true}]}]}, {"call": "b", "endpoint": "e", "async": true}])") +
            "," + node("b", 1, 4, R"([{"cpu": "2ms"}])"),
        R"("type": "open", "rate": "700/s")", "a"));
    EXPECT_NEAR(station(r, "a").arrival_rate, 1000, 1e-6);
    EXPECT_NEAR(station(r, "b").arrival_rate, 1000, 1e-6);
    EXPECT_NEAR(station(r, "b").utilisation, 1000 * 0.002 / 4, 1e-9);
}

TEST(StackModel, EndlessAsyncLoopIsRejected) {
    const auto e = experiment(node("a", 1, 1, R"([{"cpu": "1ms"}, {"call": "a", "endpoint": "e", "async": true}])"),
                              R"("type": "open", "rate": "1/s")", "a");
    EXPECT_THROW(analytic::analyze(e), std::runtime_error);
}

TEST(StackModel, CacheMissesDriveTheDatabase) {
    // Uniform popularity over 1000 keys, room for 100: Che gives a hit ratio of exactly 10%.
    const auto r = analytic::analyze(experiment(
        node("app", 1, 8, R"([{"cache": "kv", "keys": 1000, "on_miss": [{"db": "db", "op": "read", "query": "1ms"}]}])") +
            R"(, "kv": {"kind": "cache", "machine": "r6i.large", "max_keys": 100},
                 "db": {"kind": "database", "machine": "r6i.large"})",
        R"("type": "open", "rate": "1000/s")"));
    ASSERT_EQ(r.caches.size(), 1u);
    EXPECT_NEAR(r.caches[0].hit_ratio, 0.1, 1e-6);
    EXPECT_NEAR(station(r, "db", "primary").arrival_rate, 900, 1e-3);
    EXPECT_NEAR(station(r, "kv", "commands").arrival_rate, 1000 + 900, 1e-3);  // GET + SET on miss
}

TEST(StackModel, AcceptQueueMakesAnMMcK) {
    // 1 worker, accept queue 4 -> K = 5 per worker; M/M/1/5 at ρ = 0.9: p_K = (1-ρ)ρ^5 / (1-ρ^6).
    const auto r = analytic::analyze(experiment(node("app", 1, 1, R"([{"cpu": "10ms"}])", "c6i.large", ", \"accept_queue\": 4"),
                                                R"("type": "open", "rate": "90/s")"));
    const double rho = 0.9, pk = (1 - rho) * std::pow(rho, 5) / (1 - std::pow(rho, 6));
    EXPECT_NEAR(station(r, "app").p_block, pk, 1e-9);
    EXPECT_NEAR(r.availability, 1 - pk, 1e-9);
}

TEST(StackModel, OverloadIsReportedNotHidden) {
    const auto r = analytic::analyze(experiment(node("app", 1, 1, R"([{"cpu": "10ms"}])"),
                                                R"("type": "open", "rate": "150/s")"));
    EXPECT_FALSE(r.stable);
    EXPECT_FALSE(std::isfinite(r.p99_s));
    EXPECT_NEAR(r.saturation_rate, 100, 1e-9);
    EXPECT_NEAR(station(r, "app").utilisation, 1.5, 1e-9);
    const auto j = analytic::to_json(r);
    EXPECT_TRUE(j["latency_s"]["p99"].is_null());
}

TEST(StackModel, ClosedLoopMatchesHandMva) {
    // One single-server station D = 10 ms, Z = 90 ms, N = 2:
    // R1 = D, X1 = 1/(D+Z), Q1 = X1·D, R2 = D(1+Q1), X2 = 2/(R2+Z).
    const double d = 0.01, z = 0.09, x1 = 1 / (d + z), r2 = d * (1 + x1 * d), x2 = 2 / (r2 + z);
    const auto r = analytic::analyze(experiment(node("app", 1, 1, R"([{"cpu": {"dist": "deterministic", "mean": "10ms"}}])"),
                                                R"("type": "closed", "users": 2, "think_time": {"dist": "deterministic", "mean": "90ms"})"));
    EXPECT_NEAR(r.offered_rate, x2, 1e-9);
    EXPECT_NEAR(r.mean_response_s, r2, 1e-9);
}

TEST(StackModel, LoadBalancerAndNetworkAddToTheResponse) {
    // LB proxy S = 100 µs deterministic on 2 vCPUs, intra-zone RTT 2 x 100 µs, backend M/M/1.
    const auto r = analytic::analyze(experiment(
        R"("lb": {"kind": "load_balancer", "machine": "c6i.large", "backend": "app",
                  "cpu_per_request": {"dist": "deterministic", "mean": "100us"}},)" +
            node("app", 1, 1, R"([{"cpu": "10ms"}])"),
        R"("type": "open", "rate": "50/s")", "lb"));
    const auto& lb = station(r, "lb", "proxy");
    EXPECT_EQ(lb.servers, 2);
    EXPECT_NEAR(r.endpoints[0].mean_s, lb.mean_response_s + 2 * 100e-6 + 8 * 0 + 1 / (100.0 - 50), 1e-9);
}

TEST(StackModel, CostSumsReplicaPrices) {
    const auto r = analytic::analyze(experiment(node("app", 3, 1, R"([{"cpu": "1ms"}])", "c6i.xlarge"),
                                                R"("type": "open", "rate": "10/s")"));
    EXPECT_NEAR(r.cost_per_h, 3 * 0.17, 1e-12);
    EXPECT_NEAR(r.cost_per_month, 3 * 0.17 * 730, 1e-9);
    EXPECT_NEAR(r.cost_per_million, 3 * 0.17 / (10 * 3600.0) * 1e6, 1e-9);
}
