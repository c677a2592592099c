// Active health checks run from every load-balancer instance (docs/control.md): in a zone
// partition each proxy ejects only the backends it cannot reach. Each case forks its engine.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "tests/support/simulate_in_child.hpp"

using nlohmann::json;
using stacksim::test_support::simulate_in_child;

namespace {

// Two proxies (zones a and b) in front of four instances (a, b, a, b); the zones are cut apart
// from 10 s to 30 s; 1 s connect timeout. Clients reach both proxies (they are outside the zones).
std::string partitioned(const std::string& health_check) {
    return R"({"duration": "40s", "interval": "1s", "topology": {"zones": ["a", "b"],
      "network": {"intra_zone": {"latency": "0", "bandwidth": "1000Tbps"}, "inter_zone": {"latency": "0", "bandwidth": "1000Tbps"}},
      "services": {
        "lb": {"kind": "load_balancer", "replicas": 2, "machine": "c6i.large", "backend": "app", "algorithm": "round_robin",
               "cpu_per_request": "0")" + health_check + R"(},
        "app": {"kind": "node_service", "machine": "c6i.large", "workers": 2, "replicas": 4, "endpoints": {"e": {"steps": [{"cpu": "2ms"}]}}}}},
      "workload": {"type": "open", "entry": "lb", "rate": "400/s", "mix": {"e": 1}},
      "chaos": [{"fault": "partition", "between": ["a", "b"], "at": "10s", "for": "20s"}]})";
}

double error_ratio_between(const json& doc, double from_s, double to_s) {  // intervals wholly inside
    double ok = 0, errors = 0;
    const auto& t = doc["series"]["t_s"];
    for (std::size_t i = 0; i < t.size(); ++i)
        if (t[i].get<double>() - 1 >= from_s - 1e-9 && t[i].get<double>() <= to_s + 1e-9) {
            ok += doc["series"]["completed_rps"][i].get<double>();
            errors += doc["series"]["errors_rps"][i].get<double>();
        }
    return errors / (ok + errors);
}

}  // namespace

TEST(HealthViews, InAPartitionEachProxyEjectsOnlyTheBackendsItCannotReach) {
    const json doc = simulate_in_child(partitioned(
        R"(, "health_check": {"interval": "1s", "timeout": "500ms", "unhealthy_threshold": 2, "healthy_threshold": 2})"));
    // Ejections, by the proxy that made them: lb#0 (zone a) ejects app#1 and app#3 (zone b), lb#1 the others.
    std::set<std::pair<std::string, std::string>> ejected;
    for (const json& e : doc["control"]["events"])
        if (e["kind"] == "health_check_ejected") ejected.emplace(e["from"].get<std::string>(), e["instance"].get<std::string>());
    EXPECT_EQ(ejected, (std::set<std::pair<std::string, std::string>>{
                           {"lb#0", "app#1"}, {"lb#0", "app#3"}, {"lb#1", "app#0"}, {"lb#1", "app#2"}}));
    // Within interval x threshold + connect timeout every proxy routes to its own side only:
    // nothing fails while the partition lasts (with one shared verdict lb#1 lost everything).
    EXPECT_EQ(error_ratio_between(doc, 14, 30), 0.0);
    EXPECT_EQ(error_ratio_between(doc, 34, 40), 0.0);  // all back after the heal
    // Without health checks half the requests cross the partition and time out.
    EXPECT_NEAR(error_ratio_between(simulate_in_child(partitioned("")), 12, 30), 0.5, 0.05);
}
