// Documented keys whose effect had no end-to-end test (tests/keys_covered.json maps each key of
// docs/file-formats.md to its tests). Each case runs the engine in child processes, with and
// without the key (or with two values), and checks the difference the docs describe.
#include <gtest/gtest.h>

#include <cmath>

#include "tests/support/simulate_in_child.hpp"

using nlohmann::json;
using stacksim::test_support::simulate_in_child;

namespace {

// `services` of a one-zone topology with a zero-latency network unless `network` is given.
std::string stack(const std::string& services, const std::string& workload, const std::string& extra = "",
                  const std::string& topology_extra = "", const std::string& duration = "10s") {
    return R"({"duration": ")" + duration + R"(", "interval": "1s", )" + extra + R"( "topology": {"zones": ["a", "b"], )" + topology_extra +
           R"( "services": )" + services + R"(}, "workload": )" + workload + "}";
}
const std::string kZeroNetwork = R"("network": {"intra_zone": {"latency": "0", "bandwidth": "1000Tbps"},
                                                "inter_zone": {"latency": "0", "bandwidth": "1000Tbps"}},)";
std::string open(const std::string& entry, const std::string& rate, const std::string& more = "") {
    return R"({"type": "open", "entry": ")" + entry + R"(", "rate": ")" + rate + R"(", "mix": {"e": 1})" + more + "}";
}
std::string app(const std::string& steps, const std::string& more = "", const std::string& machine = "c6i.4xlarge") {
    std::string s = R"("app": {"kind": "node_service", "zones": ["a"], "machine": ")";
    return s.append(machine).append("\"").append(more).append(R"(, "endpoints": {"e": {"steps": )").append(steps).append("}}}");
}
// The services object: "{" + the app + the other services (`rest` closes the object).
std::string services(const std::string& first, const std::string& rest) { return std::string("{").append(first).append(rest); }
const std::string kFixed1ms = R"({"dist": "deterministic", "mean": "1ms"})";

json service(const json& doc, const std::string& name) {
    for (const json& s : doc["summary"]["services"])
        if (s["service"] == name) return s;
    ADD_FAILURE() << "no service " << name;
    return json::object();
}
double mean_latency(const json& doc) { return doc["summary"]["latency_s"]["mean"].get<double>(); }
std::uint64_t errors(const json& doc, const char* kind) {
    return doc["summary"]["errors_by_kind"].value(kind, std::uint64_t{0});
}

}  // namespace

// "description" (topology, service, experiment) is free text: the results do not change.
TEST(DocumentedKeyEffects, DescriptionsAreFreeTextAndChangeNothing) {
    auto run = [](bool described) {
        const std::string d = described ? R"("description": "free text",)" : "";
        return simulate_in_child(stack(services(app(R"([{"cpu": "1ms"}])", described ? R"(, "description": "x")" : ""), "}"),
                                       open("app", "100/s"), d, d + kZeroNetwork),
                                 3, "keys");
    };
    const json a = run(true), b = run(false);
    EXPECT_EQ(a["summary"], b["summary"]);
}

// A machine type of the topology: `like` copies a catalog type, `vcpus` sets the cores (a
// load balancer's CPU servers), `speed` divides CPU times, `price` is what the run costs.
TEST(DocumentedKeyEffects, CustomMachineVcpusSpeedAndPriceReachTheRun) {
    auto run = [](const std::string& machine) {
        return simulate_in_child(stack(R"({"lb": {"kind": "load_balancer", "machine": "m", "zones": ["a"], "backend": "app",
                                                  "cpu_per_request": "0"},
                                           "app": {"kind": "node_service", "machine": "m", "zones": ["a"], "workers": 1,
                                                   "endpoints": {"e": {"steps": [{"cpu": {"dist": "deterministic", "mean": "2ms"}}]}}}})",
                                       open("lb", "10/s", R"(, "arrivals": "constant")"), "", R"("machines": {"m": )" + machine + "}," + kZeroNetwork),
                                 3, "keys");
    };
    // (NICs as fast as the zero network, so that only CPU time remains.)
    const json slow = run(R"({"like": "c6i.large", "vcpus": 4, "speed": 0.5, "price": "$1/h", "nic": "1000Tbps"})");
    const json fast = run(R"({"like": "c6i.large", "vcpus": 2, "speed": 1.0, "price": "$2/h", "nic": "1000Tbps"})");
    EXPECT_EQ(service(slow, "lb")["servers"].get<int>(), 4);
    EXPECT_EQ(service(fast, "lb")["servers"].get<int>(), 2);
    EXPECT_NEAR(mean_latency(slow), 0.004, 1e-6);  // 2 ms on a core of speed 0.5
    EXPECT_NEAR(mean_latency(fast), 0.002, 1e-6);
    EXPECT_NEAR(slow["cost"]["per_hour_usd"].get<double>(), 2 * 1.0, 1e-9);  // lb + app
    EXPECT_NEAR(fast["cost"]["per_hour_usd"].get<double>(), 2 * 2.0, 1e-9);
}

// A machine's `ram` is the default memory limit of a memory leak: 64 MiB at 16 MiB/s is an
// OOM kill 4 s after the leak starts; with 64 GiB of RAM there is none within the run.
TEST(DocumentedKeyEffects, MachineRamIsTheDefaultMemoryLimitOfALeak) {
    auto run = [](const std::string& ram) {
        return simulate_in_child(stack(services(app(R"([{"cpu": "1ms"}])", "", "m"), "}"),
                                       open("app", "50/s"),
                                       R"("chaos": [{"fault": "memory_leak", "target": "app", "at": "1s", "leak_rate": "16MiB/s"}],)",
                                       R"("machines": {"m": {"like": "c6i.large", "ram": ")" + ram + R"("}},)" + kZeroNetwork),
                                 3, "keys");
    };
    auto kills = [](const json& doc) {
        std::vector<double> t;
        for (const auto& ev : doc["control"]["events"])
            if (ev["kind"] == "oom_killed") t.push_back(ev["t_s"].get<double>());
        return t;
    };
    const auto small = kills(run("64MiB")), big = kills(run("64GiB"));
    ASSERT_FALSE(small.empty());
    EXPECT_NEAR(small.front(), 1 + 4, 0.1);
    EXPECT_TRUE(big.empty());
}

// `intra_zone`, `inter_zone` and `links`: a call costs a round trip of the link between the
// caller's and the callee's zones; a `links` entry overrides inter_zone for its pair. (The
// client's own hop to the entry carries no network cost.)
TEST(DocumentedKeyEffects, ZoneLinksSetTheCallLatency) {
    auto run = [](const std::string& network, const std::string& b_zone = "b") {
        return simulate_in_child(stack(services(app(R"([{"call": "b", "endpoint": "d"}])"), R"(,
                                        "b": {"kind": "node_service", "machine": "c6i.large", "zones": [")" + b_zone + R"("],
                                              "endpoints": {"d": {"steps": []}}}})"),
                                       open("app", "50/s"), "", R"("network": )" + network + ","),
                                 3, "keys");
    };
    const std::string big = R"("bandwidth": "1000Tbps")";
    const json inter = run(R"({"intra_zone": {"latency": "1ms", )" + big + R"(}, "inter_zone": {"latency": "5ms", )" + big + "}}");
    const json linked = run(R"({"intra_zone": {"latency": "1ms", )" + big + R"(}, "inter_zone": {"latency": "5ms", )" + big +
                            R"(}, "links": [{"zones": ["a", "b"], "latency": "20ms", )" + big + "}]}");
    const json intra = run(R"({"intra_zone": {"latency": "7ms", )" + big + R"(}, "inter_zone": {"latency": "0", )" + big + "}}", "a");
    EXPECT_NEAR(mean_latency(inter), 0.010, 1e-4);   // 2 x 5 ms
    EXPECT_NEAR(mean_latency(linked), 0.040, 1e-4);  // 2 x 20 ms
    EXPECT_NEAR(mean_latency(intra), 0.014, 1e-4);   // both in zone a: 2 x 7 ms
}

// `request` and `response` (call) and `payload` (publish) cross the network at its bandwidth:
// 125 000 B at 10 Mbps is 100 ms each way.
TEST(DocumentedKeyEffects, BodySizesCostTransferTime) {
    const std::string net = R"("network": {"intra_zone": {"latency": "0", "bandwidth": "10Mbps"},
                                           "inter_zone": {"latency": "0", "bandwidth": "10Mbps"}},)";
    auto run = [&](const std::string& steps) {
        return simulate_in_child(stack(services(app(steps), R"(,
            "b": {"kind": "node_service", "machine": "c6i.large", "zones": ["a"], "endpoints": {"d": {"steps": []}}},
            "q": {"kind": "queue", "machine": "m6i.large", "zones": ["a"], "publish_time": "0",
                  "consumer": {"service": "b", "endpoint": "d"}}})"),
                                       open("app", "5/s"), "", net),
                                 3, "keys");
    };
    const json req = run(R"([{"call": "b", "endpoint": "d", "request": "125000B", "response": "0B"}])");
    const json resp = run(R"([{"call": "b", "endpoint": "d", "request": "0B", "response": "250000B"}])");
    const json pub = run(R"([{"publish": "q", "payload": "125000B"}])");
    EXPECT_NEAR(mean_latency(req), 0.1, 1e-3);
    EXPECT_NEAR(mean_latency(resp), 0.2, 1e-3);
    EXPECT_NEAR(mean_latency(pub), 0.2, 1e-3);  // the message out, its acknowledgement back (costed like the payload)
}

// A machine's `nic` caps every transfer to or from its instances: the same 125 000 B request
// over 1000 Tbps links takes 100 ms when the callee's NIC is 10 Mbps, well under 1 ms otherwise.
TEST(DocumentedKeyEffects, MachineNicCapsTransfers) {
    auto run = [](const std::string& nic) {
        return simulate_in_child(stack(services(app(R"([{"call": "b", "endpoint": "d", "request": "125000B", "response": "0B"}])"), R"(,
            "b": {"kind": "node_service", "machine": "slow-nic", "zones": ["a"], "endpoints": {"d": {"steps": []}}}})"),
                                       open("app", "5/s"), "",
                                       R"("machines": {"slow-nic": {"like": "c6i.large", "nic": ")" + nic + R"("}},)" + kZeroNetwork),
                                 3, "keys");
    };
    EXPECT_NEAR(mean_latency(run("10Mbps")), 0.1, 1e-3);
    EXPECT_LT(mean_latency(run("1000Tbps")), 1e-3);  // then the caller's 12.5 Gbps NIC: 80 µs each way
}

// `max_in_flight` 1 on one worker: a request arriving while another is in service is refused
// (`rejected`); without it every request waits and completes.
TEST(DocumentedKeyEffects, MaxInFlightRefusesRequestsBeyondIt) {
    auto run = [](const std::string& more) {
        return simulate_in_child(stack(services(app(R"([{"cpu": {"dist": "deterministic", "mean": "5ms"}}])", R"(, "workers": 1)" + more), "}"),
                                       open("app", "100/s"), "", kZeroNetwork),
                                 3, "keys");
    };
    const json limited = run(R"(, "max_in_flight": 1)"), plain = run("");
    // Poisson arrivals find the single slot busy with probability rho / (1 + rho) (M/D/1/1: Erlang B).
    const double rho = 0.5, blocked = rho / (1 + rho);
    const json& s = limited["summary"];
    const double arrivals = s["arrivals"].get<double>();
    EXPECT_NEAR(static_cast<double>(errors(limited, "rejected")) / arrivals, blocked, 4 * std::sqrt(blocked * (1 - blocked) / arrivals));
    EXPECT_EQ(plain["summary"]["errors"].get<std::uint64_t>(), 0u);
}

// Consistent hashing with bounded loads and a single session: every request hashes to one
// backend. With `bounded_load` 1.0 a backend takes at most ceil(average) and the load spreads;
// with 10 the hashed backend keeps almost everything.
TEST(DocumentedKeyEffects, BoundedLoadSpreadsAHotKey) {
    auto run = [](const std::string& c) {
        return simulate_in_child(stack(R"({"lb": {"kind": "load_balancer", "machine": "c6i.large", "zones": ["a"], "backend": "app",
                                                  "cpu_per_request": "0", "algorithm": "consistent_hash", "bounded_load": )" + c + R"(},
                                           "app": {"kind": "node_service", "machine": "c6i.large", "zones": ["a"], "replicas": 4, "workers": 1,
                                                   "endpoints": {"e": {"steps": [{"cpu": "5ms"}]}}}})",
                                       open("lb", "400/s", R"(, "sessions": 1)"), "", kZeroNetwork),
                                 3, "keys");
    };
    auto busiest_share = [](const json& doc) {
        const json per = service(doc, "app")["instance_utilisation"];
        double sum = 0, top = 0;
        for (const auto& u : per) sum += u.get<double>(), top = std::max(top, u.get<double>());
        return top / sum;
    };
    EXPECT_LT(busiest_share(run("1.0")), 0.4);
    EXPECT_GT(busiest_share(run("10.0")), 0.7);
}

// `probe_cpu`: each health-check probe runs on the backend's event loop; 2 ms every 10 ms is
// 20 % of a worker with no traffic besides.
TEST(DocumentedKeyEffects, HealthCheckProbeCpuLoadsTheBackend) {
    auto run = [](const std::string& cpu) {
        return simulate_in_child(stack(R"({"lb": {"kind": "load_balancer", "machine": "c6i.large", "zones": ["a"], "backend": "app",
                                                  "cpu_per_request": "0", "health_check": {"interval": "10ms", "probe_cpu": {"dist": "deterministic", "mean": ")" +
                                                      cpu + R"("}}},
                                           "app": {"kind": "node_service", "machine": "c6i.large", "zones": ["a"], "workers": 1,
                                                   "endpoints": {"e": {"steps": []}}}})",
                                       open("lb", "1/s"), "", kZeroNetwork),
                                 3, "keys");
    };
    EXPECT_NEAR(service(run("2ms"), "app")["utilisation"].get<double>(), 0.2, 0.01);
    EXPECT_NEAR(service(run("100us"), "app")["utilisation"].get<double>(), 0.01, 0.005);
}

// Cache `threads` are its command servers; `capacity` divided by a step's `value_size` is
// how many keys a shard holds: uniform popularity over 1000 keys hits capacity / keys.
TEST(DocumentedKeyEffects, CacheThreadsCapacityAndValueSize) {
    auto run = [](const std::string& threads, const std::string& value_size) {
        return simulate_in_child(stack(services(app(R"([{"cache": "c", "keys": 1000, "value_size": ")" + value_size + R"("}])"), R"(,
            "c": {"kind": "cache", "machine": "r6i.large", "zones": ["a"], "capacity": "200KiB", "threads": )") + threads + R"(,
                  "op_time": {"dist": "deterministic", "mean": "1ms"}}})",
                                       open("app", "400/s"), R"("warmup": "5s", )", kZeroNetwork, "40s"),
                                 3, "keys");
    };
    auto hit_ratio = [](const json& doc) { return doc["summary"]["caches"][0]["hit_ratio"].get<double>(); };
    const json one = run("1", "1KiB"), two = run("2", "2KiB");
    EXPECT_EQ(service(one, "c")["servers"].get<int>(), 1);
    EXPECT_EQ(service(two, "c")["servers"].get<int>(), 2);
    EXPECT_NEAR(hit_ratio(one), 0.2, 0.02);  // 200 of 1000 keys
    EXPECT_NEAR(hit_ratio(two), 0.1, 0.02);  // 100 of 1000 keys
    // Each lookup is a GET, each miss adds a SET: utilisation per thread.
    EXPECT_NEAR(service(one, "c")["utilisation"].get<double>(), 400 * (1 + 0.8) * 0.001, 0.03);
    EXPECT_NEAR(service(two, "c")["utilisation"].get<double>(), 400 * (1 + 0.9) * 0.001 / 2, 0.03);
}

// `max_depth` with `backpressure`: a consumer of 10 messages/s fed 20/s fills 10 places; then
// `reject` fails the excess publishes (`queue_full`) and `block` holds the producers instead.
// `publish_time` is the broker's time per publish.
TEST(DocumentedKeyEffects, QueueDepthBackpressureAndPublishTime) {
    auto run = [](const std::string& backpressure) {
        return simulate_in_child(stack(services(app(R"([{"publish": "q"}])"), R"(,
            "q": {"kind": "queue", "machine": "m6i.large", "zones": ["a"], "max_depth": 10, "backpressure": ")") + backpressure + R"(",
                  "publish_time": {"dist": "deterministic", "mean": "2ms"}, "consumer": {"service": "w", "endpoint": "d"}},
            "w": {"kind": "node_service", "machine": "c6i.large", "zones": ["a"], "workers": 1,
                  "endpoints": {"d": {"steps": [{"cpu": {"dist": "deterministic", "mean": "100ms"}}]}}}})",
                                       open("app", "20/s"), "", kZeroNetwork),
                                 3, "keys");
    };
    const json reject = run("reject"), block = run("block");
    EXPECT_GT(errors(reject, "queue_full"), 50u);
    EXPECT_LT(mean_latency(reject), 0.01);
    EXPECT_EQ(block["summary"]["errors"].get<std::uint64_t>(), 0u);
    EXPECT_GT(mean_latency(block), 1.0);  // producers wait for space
    // 20 publishes/s x 2 ms on the broker's single server.
    EXPECT_NEAR(service(reject, "q")["utilisation"].get<double>(), 20 * 0.002, 0.01);
}

// `threshold` of a latency SLO: a request is good when it takes at most the threshold.
// Alerts: a burn-rate rule fires when both its `long_window` and `short_window` burn at least
// `burn_rate`; a dependency failing every call from 5 s makes the 1 s/2 s rule fire.
TEST(DocumentedKeyEffects, SloThresholdAndAlertWindows) {
    const json doc = simulate_in_child(
        stack(services(app(R"([{"cpu": )" + kFixed1ms + R"(}, {"call": "x"}])"), R"(, "x": {"kind": "external", "latency": "0"}})"),
              open("app", "100/s"),
              R"("slos": [{"name": "fast", "sli": "latency", "threshold": "500us", "objective": "99%"},
                          {"name": "ok", "sli": "latency", "threshold": "5ms", "objective": "99%"},
                          {"name": "up", "sli": "availability", "objective": "99%",
                           "alerts": [{"severity": "ticket", "long_window": "2s", "short_window": "1s", "burn_rate": 10},
                                      {"severity": "page", "long_window": "20s", "short_window": "1s", "burn_rate": 10}]}],
                 "chaos": [{"fault": "dependency_errors", "target": "x", "at": "5s", "for": "5s"}],)",
              kZeroNetwork),
        3, "keys");
    const json& slos = doc["slos"];
    EXPECT_EQ(slos[0]["good"].get<double>(), 0);                  // 1 ms > 500 us
    EXPECT_EQ(slos[1]["good"].get<double>(), slos[1]["valid"].get<double>());  // 1 ms <= 5 ms
    const json& alerts = slos[2]["alerts"];
    ASSERT_EQ(alerts.size(), 2u);
    ASSERT_FALSE(alerts[0]["fired"].empty());
    EXPECT_NEAR(alerts[0]["fired"][0]["at_s"].get<double>(), 5.0, 1.01);
    // The 20 s window has seen 5 s of errors in 10 s at most: burn 50 % / 1 % = 50 >= 10 once
    // errors are 10 % of its window, later than the 2 s window.
    ASSERT_FALSE(alerts[1]["fired"].empty());
    EXPECT_GE(alerts[1]["fired"][0]["at_s"].get<double>(), alerts[0]["fired"][0]["at_s"].get<double>());
}

// `retry.on`: only the listed error kinds are retried. A dependency failing half of the calls
// is retried by default (`dependency` is in the list) and not when only `timeout` is listed.
TEST(DocumentedKeyEffects, RetryOnSelectsTheRetriedErrors) {
    auto run = [](const std::string& on) {
        return simulate_in_child(stack(services(app(R"([{"call": "x", "resilience": {"retry": {"max_attempts": 2, "base": "1ms")" + on + R"(}}}])"), R"(, "x": {"kind": "external", "latency": "1ms", "error_rate": "50%"}})"),
                                       open("app", "200/s"), "", kZeroNetwork),
                                 3, "keys");
    };
    const json all = run(""), timeouts = run(R"(, "on": ["timeout"])");
    const double a = all["summary"]["arrivals"].get<double>();
    EXPECT_NEAR(all["summary"]["errors"].get<double>() / a, 0.25, 0.03);       // both attempts fail
    EXPECT_NEAR(timeouts["summary"]["errors"].get<double>() / a, 0.5, 0.03);  // no retry
}

// An external's `concurrency` makes it a queue: one server of fixed 10 ms at 50 calls/s waits
// rho S / (2 (1 - rho)) = 5 ms on average (M/D/1); unbounded, it is a pure 10 ms delay.
TEST(DocumentedKeyEffects, ExternalConcurrencyQueuesCalls) {
    auto run = [](const std::string& more) {
        return simulate_in_child(stack(services(app(R"([{"call": "x"}])"), R"(, "x": {"kind": "external",
                                           "latency": {"dist": "deterministic", "mean": "10ms"})" + more + "}}"),
                                       open("app", "50/s"), "", kZeroNetwork, "200s"),
                                 3, "keys");
    };
    EXPECT_NEAR(mean_latency(run("")), 0.010, 1e-6);
    EXPECT_NEAR(mean_latency(run(R"(, "concurrency": 1)")), 0.015, 0.0015);
}

namespace {
json edge_to(const json& doc, const std::string& dependency) {
    for (const json& e : doc["summary"].value("resilience", json::object()).value("edges", json::array()))
        if (e["dependency"] == dependency) return e;
    return json::object();
}
}  // namespace

// `hedge.budget`: hedges draw on a retry budget. Hedging after 5 ms on a 10 ms exponential
// dependency sends a copy for ~60 % of calls; a budget of 2 % (no floor) caps the copies.
TEST(DocumentedKeyEffects, HedgeBudgetCapsTheCopies) {
    auto run = [](const std::string& budget) {
        return simulate_in_child(stack(services(app(R"([{"call": "x", "resilience": {"hedge": {"delay": "5ms")" + budget + R"(}}}])"),
                                                R"(, "x": {"kind": "external", "latency": "10ms"}})"),
                                       open("app", "200/s"), "", kZeroNetwork, "30s"),
                                 3, "keys");
    };
    auto extra = [](const json& doc) {
        const json e = edge_to(doc, "x");
        return e.value("hedges", 0.0) / e.value("calls", 1.0);
    };
    EXPECT_NEAR(extra(run("")), std::exp(-0.5), 0.05);
    EXPECT_LT(extra(run(R"(, "budget": {"ratio": "2%", "min_per_s": 0})")), 0.03);
}

// `max_ejection_time` caps an outlier's ejection: a backend dead from 5 s is ejected for 4 s,
// then (still dead when it returns) for min(2 x 4, 6) = 6 s, and 6 s again after that.
TEST(DocumentedKeyEffects, MaxEjectionTimeCapsRepeatedEjections) {
    const json doc = simulate_in_child(
        stack(R"({"lb": {"kind": "load_balancer", "machine": "c6i.large", "zones": ["a"], "backend": "app", "cpu_per_request": "0",
                         "outlier_detection": {"consecutive_errors": 5, "base_ejection_time": "4s", "max_ejection_time": "6s",
                                               "max_ejection_percent": "25%"}},
                 "app": {"kind": "node_service", "machine": "c6i.large", "zones": ["a"], "replicas": 4,
                         "endpoints": {"e": {"steps": [{"cpu": "1ms"}]}}}})",
              open("lb", "400/s"), R"("chaos": [{"fault": "instance_crash", "target": "app", "fraction": "25%", "at": "5s", "for": "35s"}],)",
              kZeroNetwork, "40s"),
        3, "keys");
    std::vector<double> ejections;
    for (const json& e : doc["control"]["events"])
        if (e["kind"] == "outlier_ejected") ejections.push_back(e["ejection_s"].get<double>());
    ASSERT_GE(ejections.size(), 3u);
    EXPECT_DOUBLE_EQ(ejections[0], 4);
    EXPECT_DOUBLE_EQ(ejections[1], 6);
    EXPECT_DOUBLE_EQ(ejections[2], 6);
}

// `retry.budget.min_per_s`: retries allowed per second whatever the ratio. A dependency failing
// every call, retried under a budget of ratio 0: 20 retries/s with the floor, none without.
TEST(DocumentedKeyEffects, RetryBudgetMinimumRate) {
    auto run = [](const std::string& floor) {
        return simulate_in_child(stack(services(app(R"([{"call": "x", "resilience": {"retry": {"max_attempts": 2, "base": "1ms",
                                                      "budget": {"ratio": 0, "min_per_s": )" + floor + R"(}}}}])"),
                                                R"(, "x": {"kind": "external", "latency": "1ms", "error_rate": "100%"}})"),
                                       open("app", "200/s"), "", kZeroNetwork, "30s"),
                                 3, "keys");
    };
    auto retries_per_s = [](const json& doc) { return edge_to(doc, "x").value("retries", 0.0) / 30; };
    EXPECT_NEAR(retries_per_s(run("20")), 20, 2);
    EXPECT_EQ(retries_per_s(run("0")), 0);
}

// `circuit_breaker.sliding_window`: with "count" the window is the last `window_size` calls,
// with "time" the calls of the last `window_size` seconds. At 20 calls/s on one instance a
// dependency failing every call from 5 s trips a 100-call window at 50 % after 50 failures
// (~2.5 s); a 1-second time window with 10 minimum calls trips after ~10 failures (~0.5 s).
TEST(DocumentedKeyEffects, BreakerSlidingWindowCountsCallsOrSeconds) {
    auto opened_at = [](const std::string& window) {
        const json doc = simulate_in_child(
            stack(services(app(R"([{"call": "x", "resilience": {"circuit_breaker": {)" + window +
                               R"(, "failure_rate_threshold": "50%", "wait_in_open": "60s"}}}])"),
                           R"(, "x": {"kind": "external", "latency": "1ms"}})"),
                  open("app", "20/s", R"(, "arrivals": "constant")"),
                  R"("chaos": [{"fault": "dependency_errors", "target": "x", "at": "5s", "for": "10s", "error_rate": 1.0}],)",
                  kZeroNetwork, "15s"),
            3, "keys");
        const json& breakers = doc["summary"]["resilience"]["breakers"];
        EXPECT_EQ(breakers.size(), 1u);
        return breakers.empty() || breakers[0]["transitions"].empty() ? -1.0 : breakers[0]["transitions"][0]["at_s"].get<double>();
    };
    const double by_count = opened_at(R"("sliding_window": "count", "window_size": 100, "minimum_calls": 10)");
    const double by_time = opened_at(R"("sliding_window": "time", "window_size": 1, "minimum_calls": 10)");
    EXPECT_NEAR(by_count, 5 + 2.5, 0.1);
    EXPECT_NEAR(by_time, 5 + 0.5, 0.1);
}

// Autoscaling `drain_timeout`: an instance stopped by a scale-in finishes its requests in
// flight for at most this long. Requests wait 3 s on an external call; with 100 ms the
// stopped instance's requests are cut off, with 10 s they all complete.
TEST(DocumentedKeyEffects, AutoscalingDrainTimeoutBoundsTheScaleInDrain) {
    auto run = [](const std::string& drain) {
        return simulate_in_child(
            stack(services(app(R"([{"call": "x"}])",
                               R"(, "replicas": 2, "autoscaling": {"min": 1, "max": 2, "target_utilisation": "50%", "sync_period": "5s",
                                  "drain_timeout": ")" + drain + R"(", "scale_down": {"stabilization_window": "0s"}})"),
                           R"(, "x": {"kind": "external", "latency": {"dist": "deterministic", "mean": "3s"}}})"),
                  open("app", "20/s"), "", kZeroNetwork, "20s"),
            3, "keys");
    };
    const json cut = run("100ms"), patient = run("10s");
    EXPECT_GT(cut["summary"]["errors"].get<double>(), 10);
    EXPECT_EQ(patient["summary"]["errors"].get<double>(), 0);
}
