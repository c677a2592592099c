// Regression tests for simulator defects of issue 12 (section 4): each case failed before its
// fix. Every run is a child process (one SimGrid engine per process); tolerances are 99.9 %
// confidence intervals from batch means over the measured intervals.
#include <gtest/gtest.h>

#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "tests/support/batch_means.hpp"
#include "tests/support/simulate_in_child.hpp"

using nlohmann::json;
using stacksim::test_support::batch_means;
using stacksim::test_support::Estimate;
using stacksim::test_support::simulate_in_child;

namespace {

constexpr const char* kNoNetwork = R"("network": {"intra_zone": {"latency": "0", "bandwidth": "1000Tbps"}})";



const json& service(const json& doc, const std::string& name) {
    for (const auto& s : doc["summary"]["services"])
        if (s["service"] == name) return s;
    throw std::runtime_error("no service " + name);
}

}  // namespace

// Workers sharing cores (PM2 / cluster with more workers than vCPUs): utilisation is CPU time
// over the cores, not the time workers spend waiting for a core (was 1.23 at a CPU load of 0.75).
TEST(SimulatorDefects, UtilisationOfWorkersSharingCoresIsCpuTime) {
    auto run = [](int workers) {
        return simulate_in_child(std::string(R"({"duration": "30s", "warmup": "5s", "interval": "1s", "topology": {)") + kNoNetwork +
                                 R"(, "services": {"app": {"kind": "node_service", "machine": "c6i.large", "replicas": 2, "workers": )" +
                                 std::to_string(workers) + R"(, "endpoints": {"e": {"steps": [{"cpu": "2ms"}]}}}}},
            "workload": {"type": "open", "entry": "app", "rate": "1500/s", "mix": {"e": 1}}})");
    };
    const double load = 1500 * 0.002 / 4;  // 2 instances x 2 vCPUs
    for (int workers : {8, 2}) {
        const json doc = run(workers);
        const Estimate u = batch_means(doc, "utilisation", 5, "app");
        EXPECT_NEAR(u.mean, load, u.half_width) << workers << " workers";
        EXPECT_NEAR(service(doc, "app")["utilisation"].get<double>(), load, u.half_width) << workers << " workers";
        // Occupancy: the share of worker time taken by CPU tasks, waits for a shared core included.
        const double occupancy = service(doc, "app")["worker_occupancy"].get<double>();
        if (workers == 2) EXPECT_NEAR(occupancy, load, u.half_width);
        else EXPECT_GT(occupancy * workers / 2, load + u.half_width);  // busy workers outnumber busy cores
    }
}

// Several round-robin proxies in front of the same backends: each proxy's rotation starts at
// a random offset and clients reach the proxies independently, so the backends see a merge of
// independent rotations. That merge tends to Poisson arrivals as proxies are added, so the
// mean rises from the single-proxy value toward random routing's (M/M/1 here, 8 ms) but never
// above it; in lockstep it grew by ~1 ms per proxy (11.8 ms with 10, 30 ms with 30 proxies).
TEST(SimulatorDefects, RoundRobinBehindManyProxiesIsNotInLockstep) {
    auto run = [](int proxies) {
        return simulate_in_child(std::string(R"({"duration": "15s", "warmup": "3s", "interval": "500ms", "topology": {)") + kNoNetwork +
                                 R"(, "services": {
            "lb": {"kind": "load_balancer", "replicas": )" + std::to_string(proxies) +
                                 R"(, "machine": "c6i.large", "backend": "app", "algorithm": "round_robin", "cpu_per_request": "0"},
            "app": {"kind": "node_service", "machine": "c6i.large", "replicas": 40, "workers": 1, "endpoints": {"e": {"steps": [{"cpu": "2ms"}]}}}}},
            "workload": {"type": "open", "entry": "lb", "rate": "15000/s", "mix": {"e": 1}}})");
    };
    const double mm1_mean = 0.002 / (1 - 0.75);  // random routing: Poisson arrivals at each backend
    for (int proxies : {10, 30}) {
        const Estimate m = batch_means(run(proxies), "mean_s", 3);
        EXPECT_LT(m.mean, mm1_mean + m.half_width) << proxies << " proxies";
        EXPECT_LT(m.half_width, 0.1 * mm1_mean);
    }
}

// Proxy CPU, cache commands and broker publishes are given on a reference core: a machine of
// speed 0.5 takes twice as long (the docs and `analyze` divide; the simulator did not).
TEST(SimulatorDefects, CacheLbAndBrokerTimesAreDividedByMachineSpeed) {
    const json doc = simulate_in_child(std::string(R"({"duration": "20s", "warmup": "2s", "interval": "1s", "topology": {)") + kNoNetwork + R"(,
        "machines": {"half": {"like": "c6i.large", "speed": 0.5}},
        "services": {
          "lb": {"kind": "load_balancer", "replicas": 1, "machine": "half", "backend": "app", "cpu_per_request": {"dist": "deterministic", "mean": "300us"}},
          "app": {"kind": "node_service", "machine": "c6i.4xlarge", "replicas": 1, "endpoints": {"e": {"steps": [
              {"cache": "kv", "keys": 100, "on_miss": []}, {"publish": "jobs"}]}}},
          "kv": {"kind": "cache", "replicas": 1, "machine": "half", "max_keys": 1000, "op_time": {"dist": "deterministic", "mean": "300us"}},
          "jobs": {"kind": "queue", "replicas": 1, "machine": "half", "consumer": {"service": "app2", "endpoint": "c"}, "publish_time": {"dist": "deterministic", "mean": "300us"}},
          "app2": {"kind": "node_service", "machine": "c6i.large", "replicas": 1, "endpoints": {"c": {"steps": [{"cpu": "10us"}]}}}}},
        "workload": {"type": "open", "entry": "lb", "rate": "1200/s", "mix": {"e": 1}}})");
    // 1200/s x 300 µs / 0.5 = 0.72 of one server; the LB has 2 vCPUs (0.36 each).
    for (const auto& [name, expected] : {std::pair{"kv", 0.72}, {"jobs", 0.72}, {"lb", 0.36}}) {
        const Estimate u = batch_means(doc, "utilisation", 2, name);
        EXPECT_NEAR(u.mean, expected, std::max(u.half_width, 0.02 * expected)) << name;
    }
}

// Load shedding by queue time and a deployed version's cpu_factor: the shed path must cost the
// version's CPU too (it took the reference cost before).
TEST(SimulatorDefects, ShedByQueueTimeRunsTheDeployedVersionsCpuFactor) {
    const json doc = simulate_in_child(std::string(R"({"duration": "30s", "warmup": "10s", "interval": "1s", "topology": {)") + kNoNetwork + R"(,
        "services": {"app": {"kind": "node_service", "machine": "c6i.large", "replicas": 2, "workers": 1,
            "shedding": {"max_queue_time": "10s"}, "endpoints": {"e": {"steps": [{"cpu": "2ms"}]}}}}},
        "workload": {"type": "open", "entry": "app", "rate": "200/s", "mix": {"e": 1}},
        "deploys": [{"service": "app", "at": "1s", "strategy": "rolling", "startup": "1s", "drain_timeout": "1s",
                     "version": {"name": "v2", "cpu_factor": 3}}]})");
    // 200/s x 2 ms x 3 over 2 workers.
    const Estimate u = batch_means(doc, "utilisation", 10, "app");
    EXPECT_NEAR(u.mean, 200 * 0.002 * 3 / 2, std::max(u.half_width, 0.02));
}

// accept_queue 0 and shedding.max_queued 0 mean "no waiting": an idle worker takes the request.
TEST(SimulatorDefects, ZeroWaitingBoundsStillServeAnIdleWorker) {
    for (const char* bound : {R"("accept_queue": 0)", R"("shedding": {"max_queued": 0})"}) {
        const json doc = simulate_in_child(std::string(R"({"duration": "20s", "warmup": "2s", "interval": "1s", "topology": {)") + kNoNetwork + R"(,
            "services": {"app": {"kind": "node_service", "machine": "c6i.large", "replicas": 1, "workers": 1, )" + bound + R"(,
                "endpoints": {"e": {"steps": [{"cpu": "2ms"}]}}}}},
            "workload": {"type": "open", "entry": "app", "rate": "250/s", "mix": {"e": 1}}})");
        // M/M/1/1 (Erlang B with one server): a request is refused exactly when the worker is busy.
        const double a = 250 * 0.002, blocking = a / (1 + a);
        const double ok = doc["summary"]["completed"].get<double>(), errors = doc["summary"]["errors"].get<double>();
        ASSERT_GT(ok, 1000) << bound;
        const double p = errors / (ok + errors), se = std::sqrt(blocking * (1 - blocking) / (ok + errors));
        EXPECT_NEAR(p, blocking, 4 * se + 0.01) << bound;  // plus a little for correlation between neighbours
    }
}

// Odd durations: the default interval divides the run into whole intervals of up to 1 s, and
// the interval ends print as their decimal value.
TEST(SimulatorDefects, OddDurationsGetCleanIntervalEnds) {
    const json doc = simulate_in_child(std::string(R"({"duration": "30.2s", "topology": {)") + kNoNetwork + R"(,
        "services": {"app": {"kind": "node_service", "machine": "c6i.large", "replicas": 1, "endpoints": {"e": {"steps": [{"cpu": "1ms"}]}}}}},
        "workload": {"type": "open", "entry": "app", "rate": "10/s", "mix": {"e": 1}}})");
    const auto& t = doc["series"]["t_s"];
    ASSERT_EQ(t.size(), 151u);  // 200 ms intervals (the longest default that divides 30.2 s)
    for (std::size_t i = 0; i < t.size(); ++i) {
        const double expected = std::round(0.2 * static_cast<double>(i + 1) * 1e9) / 1e9;
        EXPECT_EQ(t[i].get<double>(), expected);
        EXPECT_EQ(t[i].dump(), json(expected).dump());  // 30.2, never 30.200000000000003
    }
    EXPECT_EQ(t.back().dump(), "30.2");
}
