// Deploys end to end (docs/control.md#deploys): canary confinement and rollback, rolling
// update with and without graceful drain, blue/green switch, LB slow start, PM2 reload vs
// restart. Each case simulates in a forked child (one SimGrid engine per process).
#include <gtest/gtest.h>

#include <cmath>

#include "tests/support/simulate_in_child.hpp"

using nlohmann::json;
using stacksim::test_support::simulate_in_child;

namespace {

// lb -> app (`replicas` c6i.large, `workers` workers); app's endpoint does `steps` (an
// external `ext` answers in 100 ms, so requests are in flight when instances stop).
std::string stack(const std::string& deploy, const std::string& lb_extra = "", int replicas = 4, const std::string& rate = "1000/s",
                  const std::string& duration = "40s", const std::string& steps = R"([{"cpu": "2ms"}])",
                  const std::string& machine = "c6i.large", int workers = 2) {
    return R"({"duration": ")" + duration + R"(", "interval": "1s", "topology": {"zones": ["a"],
      "network": {"intra_zone": {"latency": "0", "bandwidth": "1000Tbps"}},
      "services": {
        "lb": {"kind": "load_balancer", "replicas": 1, "machine": "c6i.large", "backend": "app", "algorithm": "round_robin",
               "cpu_per_request": "0")" + lb_extra + R"(},
        "app": {"kind": "node_service", "machine": ")" + machine + R"(", "workers": )" + std::to_string(workers) +
           R"(, "replicas": )" + std::to_string(replicas) + R"(, "endpoints": {"e": {"steps": )" + steps + R"(}}},
        "ext": {"kind": "external", "latency": {"dist": "deterministic", "mean": "100ms"}}}},
      "workload": {"type": "open", "entry": "lb", "rate": ")" + rate + R"(", "mix": {"e": 1}},
      "deploys": [)" + deploy + "]}";
}

std::vector<json> events(const json& doc, const std::string& kind) {
    std::vector<json> out;
    for (const json& e : doc["control"]["events"])
        if (e["kind"] == kind) out.push_back(e);
    return out;
}

json version(const json& doc, const std::string& v) {
    for (const json& x : doc["deploys"][0]["versions"])
        if (x["version"] == v) return x;
    return json();
}

// Requests of version v over the intervals ending in (from, to], and of all versions.
std::pair<double, double> requests_between(const json& doc, const std::string& v, double from, double to) {
    const auto& t = doc["series"]["t_s"];
    double mine = 0, all = 0;
    for (std::size_t i = 0; i < t.size(); ++i) {
        const double end = t[i].get<double>();
        if (end <= from + 1e-9 || end > to + 1e-9) continue;
        for (const auto& [name, s] : doc["series"]["versions"]["app"].items()) {
            all += s["requests_rps"][i].get<double>();
            if (name == v) mine += s["requests_rps"][i].get<double>();
        }
    }
    return {mine, all};
}

const std::string kExtSteps = R"([{"cpu": "2ms"}, {"call": "ext"}])";

}  // namespace

TEST(Deploys, CanaryAtFivePercentConfinesABadVersionsErrorsToItsShare) {
    const json doc = simulate_in_child(stack(R"({"service": "app", "at": "5s", "strategy": "canary", "startup": "1s",
        "version": {"error_rate": 1.0}, "steps": [{"weight": "5%", "pause": "10min"}]})"));
    const auto weight = events(doc, "canary_weight");
    ASSERT_EQ(weight.size(), 1u);
    const double from = std::ceil(weight[0]["t_s"].get<double>());
    const auto [bad, all] = requests_between(doc, "v2", from, 40);
    ASSERT_GT(all, 20000);
    // The canary's share is the weight within a binomial 99.9 % interval; every one of its
    // requests failed, none of the stable version's.
    const double share = bad / all, sd = std::sqrt(0.05 * 0.95 / all);
    EXPECT_NEAR(share, 0.05, 3.3 * sd);
    EXPECT_EQ(version(doc, "v2")["error_rate"], 1.0);
    EXPECT_EQ(version(doc, "v1")["errors"], 0);
    const double errors = doc["summary"]["errors"].get<double>(), finished = errors + doc["summary"]["completed"].get<double>();
    EXPECT_LT(errors / finished, 0.05 + 3.3 * sd);
    EXPECT_EQ(doc["deploys"][0]["outcome"], "in_progress");
}

TEST(Deploys, CanaryRollsBackWithinTheAnalysisIntervalAndAGoodOneIsPromoted) {
    const std::string canary = R"({"service": "app", "at": "5s", "strategy": "canary", "startup": "1s",
        "version": {"error_rate": ERR}, "steps": [{"weight": "10%", "pause": "10s"}, {"weight": "50%", "pause": "5s"}],
        "analysis": {"max_error_rate": "5%", "interval": "4s", "min_requests": 50}})";
    auto with = [&](const std::string& err) { return std::string(canary).replace(canary.find("ERR"), 3, err); };
    const json bad = simulate_in_child(stack(with("0.5")));
    const double t_weight = events(bad, "canary_weight")[0]["t_s"].get<double>();
    const auto rolled = events(bad, "deploy_rolled_back");
    ASSERT_EQ(rolled.size(), 1u);
    EXPECT_NEAR(rolled[0]["t_s"].get<double>(), t_weight + 4, 1e-6);  // the first measurement fails
    EXPECT_GT(rolled[0]["error_rate"].get<double>(), 0.3);
    EXPECT_EQ(bad["deploys"][0]["outcome"], "rolled_back");
    EXPECT_EQ(events(bad, "canary_weight").size(), 1u);  // never reached 50 %
    const auto [after, all] = requests_between(bad, "v2", std::ceil(t_weight + 4) + 1, 40);
    EXPECT_EQ(after, 0);  // traffic back on the stable version
    EXPECT_GT(all, 0);
    const json good = simulate_in_child(stack(with("0")));
    EXPECT_EQ(events(good, "deploy_rolled_back").size(), 0u);
    EXPECT_EQ(good["deploys"][0]["outcome"], "completed");
    EXPECT_EQ(events(good, "canary_weight").size(), 2u);
    EXPECT_EQ(good["series"]["versions"]["app"]["v2"]["share"].back(), 1.0);
    EXPECT_EQ(good["summary"]["errors"], 0);
}

TEST(Deploys, RollingUpdateWithGracefulDrainLosesNothingWithoutDrainItDoes) {
    const std::string rolling = R"({"service": "app", "at": "5s", "strategy": "rolling", "startup": "2s", "max_surge": 1,
        "max_unavailable": 0, "drain_timeout": "DRAIN", "version": {"cpu_factor": 1.2}})";
    auto with = [&](const std::string& d) { return std::string(rolling).replace(rolling.find("DRAIN"), 5, d); };
    const json graceful = simulate_in_child(stack(with("30s"), "", 4, "400/s", "40s", kExtSteps));
    const json cut = simulate_in_child(stack(with("0s"), "", 4, "400/s", "40s", kExtSteps));
    for (const json* doc : {&graceful, &cut}) {
        EXPECT_EQ((*doc)["deploys"][0]["outcome"], "completed");
        EXPECT_EQ(events(*doc, "instance_stopped").size(), 4u);
        EXPECT_EQ((*doc)["series"]["versions"]["app"]["v2"]["share"].back(), 1.0);
        for (const auto& r : (*doc)["series"]["replicas"]["app"]) EXPECT_LE(r.get<int>(), 4 + 1);  // max_surge
    }
    EXPECT_EQ(graceful["summary"]["errors"], 0);
    for (const json& e : events(graceful, "instance_stopped")) EXPECT_EQ(e["requests_cut"], 0);
    // 100 requests/s per instance x 100 ms in flight: each instance killed at once cuts some.
    double lost = 0;
    for (const json& e : events(cut, "instance_stopped")) lost += e["requests_cut"].get<double>();
    EXPECT_GT(lost, 4 * 2);
    EXPECT_EQ(cut["summary"]["errors"].get<double>(), lost);
}

TEST(Deploys, BlueGreenSwitchesAllTrafficAtOnce) {
    const json doc = simulate_in_child(stack(R"({"service": "app", "at": "5s", "strategy": "blue_green", "startup": "3s",
        "soak": "2s", "scale_down_delay": "5s", "version": {}})", "", 4, "1000/s", "30s", kExtSteps));
    const auto sw = events(doc, "traffic_switched");
    ASSERT_EQ(sw.size(), 1u);
    const double t = sw[0]["t_s"].get<double>();
    EXPECT_GE(t, 5 + 3 + 2 - 1e-9);
    EXPECT_LE(t, 5 + 3 + 2 + 0.2);
    // Every interval before the switch is all blue; every interval after the one holding it
    // (blue's in-flight requests finish within 100 ms) is all green.
    const auto& times = doc["series"]["t_s"];
    const auto& share = doc["series"]["versions"]["app"]["v2"]["share"];
    for (std::size_t i = 0; i < times.size(); ++i) {
        const double end = times[i].get<double>();
        if (end <= t) {
            EXPECT_EQ(share[i], 0.0) << end;
        }
        if (end - 1 >= t + 0.2) {
            EXPECT_EQ(share[i], 1.0) << end;
        }
    }
    EXPECT_EQ(doc["summary"]["errors"], 0);
    EXPECT_EQ(doc["deploys"][0]["outcome"], "completed");
    EXPECT_NEAR(events(doc, "instance_draining")[0]["t_s"].get<double>(), t + 5, 0.1);  // scale_down_delay
}

TEST(Deploys, SlowStartRampsTheNewInstancesShareLinearly) {
    // 4 instances; the first new one is ready at 2 + 30 s and shares the LB with 3 old ones until
    // the next is ready at 62 s. With slow start over 20 s its weight is f = elapsed / 20 s, so
    // its expected share is f / (3 + f); without slow start it is 1/4 at once.
    const std::string deploy = R"({"service": "app", "at": "2s", "strategy": "rolling", "startup": "30s", "max_surge": 1,
        "max_unavailable": 0, "version": {}})";
    const json slow = simulate_in_child(stack(deploy, R"(, "slow_start": {"window": "20s"})", 4, "1000/s", "60s"));
    const json plain = simulate_in_child(stack(deploy, "", 4, "1000/s", "60s"));
    ASSERT_NEAR(events(slow, "instance_ready")[0]["t_s"].get<double>(), 32, 1e-6);
    for (const double f : {0.25, 0.5, 0.75}) {
        const double mid = 32 + f * 20;
        const auto [mine, all] = requests_between(slow, "v2", mid - 1, mid + 1);
        const double expected = f / (3 + f), sd = std::sqrt(expected * (1 - expected) / all);
        EXPECT_NEAR(mine / all, expected, 4 * sd + 0.01) << "f = " << f;
    }
    const auto [after, all_after] = requests_between(slow, "v2", 53, 60);
    EXPECT_NEAR(after / all_after, 0.25, 0.03);
    const auto [half, all_half] = requests_between(plain, "v2", 41, 43);
    EXPECT_NEAR(half / all_half, 0.25, 0.03);
}

TEST(Deploys, Pm2ReloadKeepsWorkersListeningAndLosesNothingRestartDoesNot) {
    const std::string pm2 = R"({"service": "app", "at": "5s", "strategy": "STRATEGY", "startup": "1s", "version": {}})";
    auto with = [&](const std::string& s) { return std::string(pm2).replace(pm2.find("STRATEGY"), 8, s); };
    const int workers = 4;
    const json reload = simulate_in_child(stack(with("pm2_reload"), "", 2, "400/s", "30s", kExtSteps, "c6i.xlarge", workers));
    const json restart = simulate_in_child(stack(with("pm2_restart"), "", 2, "400/s", "30s", kExtSteps, "c6i.xlarge", workers));
    // Listening workers per instance, replayed from the events.
    auto min_listening = [&](const json& doc) {
        std::map<std::string, int> listening;
        int lowest = workers;
        for (const json& e : doc["control"]["events"]) {
            const std::string inst = e.value("instance", "");
            if (!listening.contains(inst)) listening[inst] = workers;
            if (e["kind"] == "worker_listening") ++listening[inst];
            if (e["kind"] == "worker_shutdown") lowest = std::min(lowest, --listening[inst]);
        }
        return lowest;
    };
    EXPECT_GE(min_listening(reload), workers - 1);
    EXPECT_EQ(events(reload, "worker_stopped").size(), 2u * workers);
    EXPECT_EQ(reload["summary"]["errors"], 0);
    EXPECT_EQ(reload["deploys"][0]["outcome"], "completed");
    EXPECT_EQ(reload["series"]["versions"]["app"]["v2"]["share"].back(), 1.0);
    EXPECT_EQ(min_listening(restart), 0);
    EXPECT_GT(restart["summary"]["errors"].get<double>(), 100);  // ~1 s of refused connections
    EXPECT_EQ(restart["deploys"][0]["outcome"], "completed");
}

TEST(Deploys, SlowStartAggressionAndMinWeightShapeTheRamp) {
    // As above (one new instance beside 3 old ones from 32 s, a 20 s window), with the weight
    // max(min_weight, f^(1 / aggression)): aggression 2 gives sqrt(f); min_weight 50 % holds
    // the weight at 0.5 until f reaches it. The share is weight / (3 + weight).
    const std::string deploy = R"({"service": "app", "at": "2s", "strategy": "rolling", "startup": "30s", "max_surge": 1,
        "max_unavailable": 0, "version": {}})";
    const json convex = simulate_in_child(stack(deploy, R"(, "slow_start": {"window": "20s", "aggression": 2})", 4, "1000/s", "60s"));
    const json floored = simulate_in_child(stack(deploy, R"(, "slow_start": {"window": "20s", "min_weight": "50%"})", 4, "1000/s", "60s"));
    for (const double f : {0.25, 0.5}) {
        const double mid = 32 + f * 20;
        for (const auto& [doc, weight] : {std::pair{&convex, std::sqrt(f)}, std::pair{&floored, std::max(0.5, f)}}) {
            const auto [mine, all] = requests_between(*doc, "v2", mid - 1, mid + 1);
            const double expected = weight / (3 + weight), sd = std::sqrt(expected * (1 - expected) / all);
            EXPECT_NEAR(mine / all, expected, 4 * sd + 0.01) << "f = " << f << ", weight " << weight;
        }
    }
}

TEST(Deploys, Pm2KillTimeoutCutsTheDrainAndFromVersionNamesTheOldVersion) {
    // PM2 reload drains each old worker until kill_timeout, then kills it. Requests take 100 ms
    // (the external call): the default 1600 ms lets them finish; 10 ms kills those in flight.
    // `from_version` names the version running at the start in the results.
    const std::string pm2 = R"({"service": "app", "at": "5s", "strategy": "pm2_reload", "startup": "1s", "version": {},
                                "from_version": "legacy")";
    const json patient = simulate_in_child(stack(pm2 + "}", "", 2, "400/s", "20s", kExtSteps, "c6i.xlarge", 4));
    const json hasty = simulate_in_child(stack(pm2 + R"(, "kill_timeout": "10ms"})", "", 2, "400/s", "20s", kExtSteps, "c6i.xlarge", 4));
    EXPECT_EQ(patient["summary"]["errors"], 0);
    EXPECT_GT(hasty["summary"]["errors"].get<double>(), 4);  // ~ 400/s x 100 ms / 8 workers per killed worker
    EXPECT_TRUE(version(patient, "legacy").is_object());
    EXPECT_TRUE(version(patient, "v1").is_null());
}
