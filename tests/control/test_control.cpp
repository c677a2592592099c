// The control loops end to end (docs/control.md): health checks, outlier ejection and the
// HPA, each in a small experiment run in a child process (one SimGrid engine per process).
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

using test_support::simulate_in_child;

// An LB in front of `app` (`replicas` c6i.large instances, 2 workers each); `lb_extra` and
// `app_extra` are JSON members added to the LB and to app; `workload_extra` to the workload.
std::string stack(const std::string& lb_extra, const std::string& app_extra, const std::string& chaos, int replicas = 4,
                  const std::string& rate = "400/s", const std::string& duration = "30s", const std::string& algorithm = "least_connections",
                  const std::string& steps = R"([{"cpu": "2ms"}])", const std::string& workload_extra = "") {
    return R"({"duration": ")" + duration + R"(", "interval": "1s", "topology": {"zones": ["a"],
      "network": {"intra_zone": {"latency": "0", "bandwidth": "1000Tbps"}},
      "services": {
        "lb": {"kind": "load_balancer", "replicas": 1, "machine": "c6i.large", "backend": "app", "algorithm": ")" + algorithm +
           R"(", "cpu_per_request": "0")" + lb_extra + R"(},
        "app": {"kind": "node_service", "machine": "c6i.large", "workers": 2, "replicas": )" + std::to_string(replicas) +
           app_extra + R"(, "endpoints": {"e": {"steps": )" + steps + R"(}}}}},
      "workload": {"type": "open", "entry": "lb", "rate": ")" + rate + R"(", "mix": {"e": 1})" + workload_extra + R"(},
      "chaos": )" + chaos + "}";
}

std::vector<json> events(const json& doc, const std::string& kind) {
    std::vector<json> out;
    for (const json& e : doc["control"]["events"])
        if (e["kind"] == kind) out.push_back(e);
    return out;
}

double errors_between(const json& doc, double from_s, double to_s) {  // intervals wholly inside
    double n = 0;
    const auto& t = doc["series"]["t_s"];
    for (std::size_t i = 0; i < t.size(); ++i)
        if (t[i].get<double>() - 1 >= from_s - 1e-9 && t[i].get<double>() <= to_s + 1e-9) n += doc["series"]["errors_rps"][i].get<double>();
    return n;
}

const std::string kCrash = R"([{"fault": "instance_crash", "target": "app", "fraction": "25%", "at": "10s", "for": "10s"}])";
const std::string kHealthCheck = R"(, "health_check": {"interval": "1s", "timeout": "500ms", "unhealthy_threshold": 3, "healthy_threshold": 2})";

}  // namespace

TEST(HealthChecks, EjectCrashedInstanceWithinIntervalTimesThresholdAndErrorsStop) {
    const json with = simulate_in_child(stack(kHealthCheck, "", kCrash));
    const json without = simulate_in_child(stack("", "", kCrash));
    const std::string dead = with["faults"][0]["instances"][0];
    const auto ejected = events(with, "health_check_ejected");
    ASSERT_EQ(ejected.size(), 1u);
    EXPECT_EQ(ejected[0]["instance"], dead);
    EXPECT_EQ(ejected[0]["load_balancer"], "lb");
    const double t_eject = ejected[0]["t_s"].get<double>();
    EXPECT_GE(t_eject, 10.0);
    EXPECT_LE(t_eject, 10.0 + 1.0 * 3 + 0.5);  // interval x unhealthy_threshold (+ the probe timeout)
    // Back after healthy_threshold passing probes once it has restarted at 20 s.
    const auto back = events(with, "health_check_returned");
    ASSERT_EQ(back.size(), 1u);
    EXPECT_EQ(back[0]["instance"], dead);
    EXPECT_GE(back[0]["t_s"].get<double>(), 20.0);
    EXPECT_LE(back[0]["t_s"].get<double>(), 20.0 + 2 * 1.0 + 1.0);
    // From the interval after the ejection to the end of the crash: no errors at all; without
    // health checks, least connections keeps feeding the dead instance (most requests fail).
    const double from = std::ceil(t_eject);
    EXPECT_EQ(errors_between(with, from, 20), 0);
    EXPECT_GT(errors_between(without, from, 20), 100 * (20 - from));
    EXPECT_EQ(events(without, "health_check_ejected").size(), 0u);
    EXPECT_LT(with["summary"]["errors"].get<double>(), without["summary"]["errors"].get<double>() / 3);
}

TEST(HealthChecks, AnOverloadedInstanceFailsProbesByTimeout) {
    // One instance runs 20x slower (a noisy neighbour): its event loops queue seconds of work,
    // the probes wait behind it and time out; the LB takes it out of rotation.
    const json doc = simulate_in_child(stack(kHealthCheck, "", R"([{"fault": "cpu_slowdown", "target": "app", "fraction": "25%", "at": "5s", "for": "20s", "factor": 20}])",
                                             4, "600/s", "30s", "round_robin"));
    const auto ejected = events(doc, "health_check_ejected");
    ASSERT_GE(ejected.size(), 1u);
    EXPECT_EQ(ejected[0]["instance"], doc["faults"][0]["instances"][0]);
    EXPECT_GT(ejected[0]["t_s"].get<double>(), 5.0);
    EXPECT_LT(ejected[0]["t_s"].get<double>(), 15.0);
}

TEST(OutlierDetection, EjectsAnInstanceAfterConsecutiveErrorsAndReturnsItAfterTheEjectionTime) {
    const std::string od = R"(, "outlier_detection": {"consecutive_errors": 5, "base_ejection_time": "4s", "max_ejection_percent": "25%"})";
    const json with = simulate_in_child(stack(od, "", kCrash, 4, "400/s", "30s", "round_robin"));
    const json without = simulate_in_child(stack("", "", kCrash, 4, "400/s", "30s", "round_robin"));
    const std::string dead = with["faults"][0]["instances"][0];
    const auto ejected = events(with, "outlier_ejected");
    ASSERT_GE(ejected.size(), 2u);
    EXPECT_EQ(ejected[0]["instance"], dead);
    EXPECT_LT(ejected[0]["t_s"].get<double>(), 10.2);  // 5 consecutive errors at 100 requests/s each
    EXPECT_NEAR(ejected[0]["ejection_s"].get<double>(), 4, 1e-9);
    // Back after 4 s, still dead: ejected again at once, for twice as long (Envoy's multiplier).
    const auto back = events(with, "outlier_returned");
    ASSERT_GE(back.size(), 1u);
    EXPECT_NEAR(back[0]["t_s"].get<double>() - ejected[0]["t_s"].get<double>(), 4, 1e-6);
    EXPECT_NEAR(ejected[1]["ejection_s"].get<double>(), 8, 1e-9);
    // max_ejection_percent 25 % of 4: never a second instance at once.
    for (const json& e : ejected) EXPECT_EQ(e["instance"], dead);
    // A handful of failed requests per ejection, against a quarter of 10 s of traffic without it.
    EXPECT_LT(with["faults"][0]["requests_failed"].get<double>(), 30);
    EXPECT_GT(without["faults"][0]["requests_failed"].get<double>(), 800);
}

TEST(Autoscaling, ScalesOutWithinSyncPlusStartupWhenLoadDoublesAndBackInAfterTheDownWindow) {
    // 2 instances x 2 cores, 10 ms per request: 150/s is 37.5 % CPU (within the 10 % tolerance
    // of the 40 % target); at 300/s (from 60 s) 75 %: desired = ceil(2 x 0.75 / 0.4) = 4.
    // With a 3 s start-up, the next sync sees 4 instances near 40 %: no overshoot.
    const std::string hpa = R"(, "autoscaling": {"min": 2, "max": 8, "target_utilisation": "40%", "sync_period": "15s",
        "startup": "3s", "scale_down": {"stabilization_window": "60s"}})";
    const json doc = simulate_in_child(stack("", hpa, "[]", 2, "150/s", "300s", "least_connections", R"([{"cpu": "10ms"}])",
                                             R"(, "profile": [{"at": "60s", "rate": "300/s"}, {"at": "150s", "rate": "150/s"}])"));
    const auto up = events(doc, "scale_up");
    ASSERT_GE(up.size(), 1u);
    EXPECT_GT(up[0]["t_s"].get<double>(), 60.0);
    EXPECT_LE(up[0]["t_s"].get<double>(), 60.0 + 15 + 1e-6);  // the first sync after the step
    EXPECT_EQ(up[0]["from"], 2);
    EXPECT_EQ(up[0]["to"], 4);
    const auto ready = events(doc, "instance_ready");
    ASSERT_EQ(ready.size(), 2u);
    EXPECT_NEAR(ready[0]["t_s"].get<double>(), up[0]["t_s"].get<double>() + 3, 1e-6);  // start-up time
    // The replicas series: 2 until the scale-up, 4 after it (starting instances are billed).
    const auto& t = doc["series"]["t_s"];
    const auto& replicas = doc["series"]["replicas"]["app"];
    for (std::size_t i = 0; i < t.size(); ++i) {
        const double end = t[i].get<double>();
        if (end < 60) {
            EXPECT_EQ(replicas[i], 2) << end;
        }
        if (end >= 60 + 15 + 1 && end <= 150) {
            EXPECT_EQ(replicas[i], 4) << end;
        }
    }
    // Load halves at 150 s: the scale-down waits for the 60 s stabilisation window.
    const auto down = events(doc, "scale_down");
    ASSERT_GE(down.size(), 1u);
    EXPECT_GE(down[0]["t_s"].get<double>(), 150.0 + 60 - 15);
    EXPECT_LE(down[0]["t_s"].get<double>(), 150.0 + 60 + 15 + 1e-6);
    EXPECT_EQ(down.back()["to"], 2);
    EXPECT_EQ(replicas.back(), 2);
    EXPECT_EQ(events(doc, "instance_stopped").size(), 2u);
    for (const json& e : events(doc, "instance_stopped")) EXPECT_EQ(e["requests_cut"], 0);  // drained
    // Cost follows the replicas: the priced instances are the series' time average.
    double sum = 0;
    for (const auto& r : replicas) sum += r.get<double>();
    for (const json& s : doc["cost"]["services"])
        if (s["service"] == "app") {
            EXPECT_NEAR(s["replicas"].get<double>(), sum / static_cast<double>(replicas.size()), 1e-9);
        }
    EXPECT_LT(doc["summary"]["errors"].get<double>(), 1);
}

TEST(Autoscaling, WithoutLoadChangeNothingScales) {
    const std::string hpa = R"(, "autoscaling": {"min": 1, "max": 8, "target_utilisation": "40%"})";
    const json doc = simulate_in_child(stack("", hpa, "[]", 2, "150/s", "60s", "least_connections", R"([{"cpu": "10ms"}])"));
    EXPECT_EQ(doc["control"]["events"].size(), 0u);
    for (const auto& r : doc["series"]["replicas"]["app"]) EXPECT_EQ(r, 2);
}
