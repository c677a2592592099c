#include <gtest/gtest.h>

#include "model/sweep/analysis.hpp"

using namespace stacksim;
using namespace stacksim::sweep;
using nlohmann::json;

namespace {

PointRecord point(std::size_t index, const char* strategy, double load, const char* machine, int replicas, double cost,
                  bool slos_met, double throughput, double utilisation, const char* status = "done") {
    PointRecord p;
    p.index = index;
    p.id = "p" + std::to_string(index);
    p.strategy = strategy;
    p.load_rps = load;
    p.load = std::to_string(static_cast<int>(load)) + "/s";
    p.service = "api";
    p.machine = machine;
    p.replicas = replicas;
    p.status = status;
    p.cost_per_h = cost;
    p.slos_met = slos_met;
    p.slos = {{"availability", slos_met, std::nullopt, false}};
    p.throughput_rps = throughput;
    p.max_utilisation = utilisation;
    p.p99_s = slos_met ? 0.1 : 0.9;
    return p;
}

// Two loads; scale out on c6i.xlarge ($0.17/h each, $0.50/h for the rest of the stack) or up
// with 2 replicas.
std::vector<PointRecord> sweep_points() {
    return {
        point(0, "horizontal", 100, "c6i.xlarge", 2, 0.84, true, 100, 0.6),
        point(1, "horizontal", 100, "c6i.xlarge", 4, 1.18, true, 100, 0.35),
        point(2, "vertical", 100, "c6i.xlarge", 2, 0.84, true, 100, 0.62),
        point(3, "vertical", 100, "c6i.2xlarge", 2, 1.18, true, 100, 0.3),
        point(4, "horizontal", 200, "c6i.xlarge", 2, 0.84, false, 150, 1.0),
        point(5, "horizontal", 200, "c6i.xlarge", 4, 1.18, true, 200, 0.7),
        point(6, "horizontal", 200, "c6i.xlarge", 6, 1.52, true, 200, 0.55),
        point(7, "horizontal", 200, "c6i.xlarge", 8, 1.86, true, 200, 0.5),
        point(8, "vertical", 200, "c6i.xlarge", 2, 0.84, false, 150, 1.0),
        point(9, "vertical", 200, "c6i.2xlarge", 2, 1.18, true, 200, 0.8),
        point(10, "vertical", 200, "c6i.4xlarge", 2, 1.86, true, 200, 0.45),
    };
}

}  // namespace

TEST(SweepAnalysis, CheapestPerLoadMeetsEverySlo) {
    const auto a = analyze(sweep_points(), std::nullopt);
    ASSERT_EQ(a.loads.size(), 2u);
    EXPECT_DOUBLE_EQ(a.loads[0].load_rps, 100);
    EXPECT_EQ(a.loads[0].cheapest, "p0");   // tie on cost with p2: more headroom wins
    EXPECT_EQ(a.loads[0].horizontal, "p0");
    EXPECT_EQ(a.loads[0].vertical, "p2");
    EXPECT_EQ(a.loads[1].cheapest, "p5");   // tie with p9 ($1.18/h): 30 % headroom beats 20 %
    EXPECT_EQ(a.loads[1].horizontal, "p5");
    EXPECT_EQ(a.loads[1].vertical, "p9");
}

TEST(SweepAnalysis, FailedPointsAndMissedSlosAreNeverCheapest) {
    auto points = sweep_points();
    points.push_back(point(11, "horizontal", 200, "c6i.large", 3, 0.1, true, 200, 0.5, "failed"));
    points[5].slos_met = false;
    const auto a = analyze(points, std::nullopt);
    EXPECT_EQ(a.loads[1].cheapest, "p9");
    EXPECT_EQ(a.loads[1].horizontal, "p6");
}

TEST(SweepAnalysis, RecommendationForTheTargetLoad) {
    const auto a = analyze(sweep_points(), std::nullopt);  // default: the highest load
    ASSERT_TRUE(a.recommended);
    EXPECT_EQ(*a.recommended, "p5");
    EXPECT_EQ(a.recommended_strategy, "horizontal");
    EXPECT_NEAR(a.headroom, 0.3, 1e-12);
    EXPECT_EQ(a.text, "scale out: 4 x c6i.xlarge meets every SLO at 200/s with 30 % headroom for $1.18/h (whole stack); "
                      "scaling up needs 2 x c6i.2xlarge ($1.18/h)");
    auto points = sweep_points();
    points[5].busiest = "api";
    EXPECT_NE(analyze(points, std::nullopt).text.find("with 30 % headroom (busiest: api at 70 %) for"), std::string::npos);
    const auto low = analyze(sweep_points(), 120.0);  // closest swept load: 100/s
    EXPECT_DOUBLE_EQ(*low.target_load_rps, 100);
    EXPECT_EQ(*low.recommended, "p0");
}

TEST(SweepAnalysis, SaysSoWhenNothingMeetsTheSlos) {
    auto points = sweep_points();
    for (auto& p : points) p.slos_met = p.load_rps != 200.0 && p.slos_met;
    const auto a = analyze(points, std::nullopt);
    EXPECT_FALSE(a.recommended);
    EXPECT_FALSE(a.loads[1].cheapest);
    EXPECT_NE(a.text.find("no configuration tried meets every SLO at 200/s"), std::string::npos) << a.text;
    EXPECT_NE(a.text.find("the lowest p99"), std::string::npos) << a.text;
}

TEST(SweepAnalysis, CapacityKneeAndUslFromTheHorizontalPoints) {
    const auto a = analyze(sweep_points(), std::nullopt);
    EXPECT_EQ(a.scaled_machine, "c6i.xlarge");
    ASSERT_EQ(a.capacity.size(), 4u);  // replicas 2, 4, 6, 8 at 200/s
    EXPECT_DOUBLE_EQ(a.capacity[0].capacity_rps, 150);        // overloaded: what it delivered
    EXPECT_NEAR(a.capacity[1].capacity_rps, 200 / 0.7, 1e-9);  // throughput / max utilisation
    // 75 req/s per replica at 2; gains per replica: 67.9, 39.0, 18.2 -> below 50 % after 6.
    ASSERT_TRUE(a.knee);
    EXPECT_EQ(a.knee->replicas, 6);
    EXPECT_TRUE(a.usl.ok);
    EXPECT_GE(a.usl.sigma, 0);
    EXPECT_GT(a.usl.r_squared, 0.9);
    const json j = to_json(a);
    EXPECT_EQ(j["knee"]["replicas"], 6);
    EXPECT_EQ(j["recommendation"]["point"], "p5");
    EXPECT_TRUE(j["usl"].is_object());
}

TEST(SweepAnalysis, NoKneeWhileCapacityStillScales) {
    std::vector<PointRecord> points;
    for (int n : {1, 2, 3, 4}) points.push_back(point(static_cast<std::size_t>(n), "grid", 100, "m", n, n, true, 100, 1.0 / n));
    const auto a = analyze(points, std::nullopt);
    EXPECT_EQ(a.capacity.size(), 4u);
    EXPECT_FALSE(a.knee);
    EXPECT_NE(a.knee_note.find("no knee up to 4 replicas"), std::string::npos);
    EXPECT_NEAR(a.usl.sigma, 0, 1e-3);
    EXPECT_EQ(a.text.substr(0, 9), "cheapest:");
}

TEST(SweepAnalysis, EstimatesSlosFromTheSummaryQuantiles) {
    const json summary = json::parse(R"({
      "completed": 999, "errors": 1, "latency_s": {"p50": 0.01, "p90": 0.1, "p95": 0.2, "p99": 0.31, "p999": 0.5, "max": 1},
      "endpoints": [{"endpoint": "POST /orders", "completed": 10, "errors": 0,
                     "latency_s": {"p50": 0.1, "p90": 0.2, "p95": 0.25, "p99": 0.29, "p999": 0.6}}]})");
    Slo avail{"availability", Slo::Sli::availability, "", 0.999};
    Slo p99{"p99", Slo::Sli::latency, "", 0.99, 0.3};
    Slo p95{"p95", Slo::Sli::latency, "", 0.95, 0.3};
    Slo orders{"orders", Slo::Sli::latency, "POST /orders", 0.99, 0.3};
    Slo p98{"p98", Slo::Sli::latency, "", 0.98, 0.3};  // judged by p99, the next reported quantile
    const auto v = estimate_slos({avail, p99, p95, orders, p98}, summary);
    ASSERT_EQ(v.size(), 5u);
    EXPECT_TRUE(v[0].met);
    EXPECT_NEAR(*v[0].sli_value, 0.999, 1e-12);
    EXPECT_FALSE(v[1].met);
    EXPECT_TRUE(v[2].met);
    EXPECT_TRUE(v[3].met);
    EXPECT_FALSE(v[4].met);
    EXPECT_TRUE(v[1].estimated);
}

TEST(SweepAnalysis, MeasuresARunDocumentPreferringItsSlosAndCost) {
    json run = json::parse(R"({"kind": "run", "summary": {"completed": 100, "errors": 0, "availability": 1,
        "throughput_rps": 50, "latency_s": {"p50": 0.01, "p95": 0.02, "p99": 0.4},
        "services": [{"service": "lb", "utilisation": 0.1}, {"service": "api", "utilisation": 0.8}]}})");
    const std::vector<Slo> slos{{"p99", Slo::Sli::latency, "", 0.99, 0.3}};
    PointRecord p;
    measure(p, run, slos, 2.0);
    EXPECT_EQ(p.status, "done");
    EXPECT_FALSE(p.slos_met);  // estimated: p99 0.4 s > 0.3 s
    EXPECT_EQ(p.busiest, "api");
    EXPECT_DOUBLE_EQ(p.max_utilisation, 0.8);
    EXPECT_DOUBLE_EQ(p.cost_per_h, 2.0);
    EXPECT_NEAR(p.cost_per_million, 2.0 / (50 * 3600) * 1e6, 1e-9);
    EXPECT_DOUBLE_EQ(p.capacity_rps(), 62.5);
    run["slos"] = json::parse(R"([{"name": "p99", "met": true, "sli_value": 0.995}])");
    run["cost"] = json::parse(R"({"per_hour_usd": 3, "per_month_usd": 2190, "per_million_requests_usd": 16.7})");
    measure(p, run, slos, 2.0);
    EXPECT_TRUE(p.slos_met);
    EXPECT_FALSE(p.slos[0].estimated);
    EXPECT_DOUBLE_EQ(p.cost_per_h, 3);
    EXPECT_DOUBLE_EQ(p.cost_per_million, 16.7);
}

TEST(SweepAnalysis, PointsRoundTripThroughJson) {
    auto p = sweep_points()[5];
    p.overrides = {"workload.rate=200/s", "topology.services.api.replicas=4"};
    p.results = "points/p5/results.json";
    p.slos = {{"p99", true, 0.995, false}};
    const PointRecord q = point_from_json(to_json(p));
    EXPECT_EQ(to_json(q), to_json(p));
    auto f = p;
    f.status = "failed";
    f.error = "exit code 2";
    EXPECT_EQ(to_json(point_from_json(to_json(f))), to_json(f));
    EXPECT_FALSE(to_json(f).contains("throughput_rps"));
    const std::string csv = to_csv({p, f});
    EXPECT_EQ(csv.substr(0, csv.find(',')), "id");
    EXPECT_NE(csv.find("p5,horizontal,workload.rate=200/s;topology.services.api.replicas=4,200/s,200,api,4,c6i.xlarge,200,"),
              std::string::npos) << csv;
    EXPECT_NE(csv.find(",failed\n"), std::string::npos);
}

TEST(SweepAnalysis, WithoutSlosNothingIsRecommended) {
    auto points = sweep_points();
    for (auto& p : points) p.slos.clear(), p.slos_met = false;
    const auto a = analyze(points, 200.0);
    EXPECT_FALSE(a.recommended);
    EXPECT_NE(a.text.find("no SLOs: nothing to judge"), std::string::npos) << a.text;
    EXPECT_TRUE(to_json(a)["recommendation"]["point"].is_null());
    // measure() of a run without SLOs does not call it a pass.
    PointRecord p;
    measure(p, json{{"summary", {{"throughput_rps", 10}, {"services", json::array()}}}, {"slos", json::array()}}, {}, 1.0);
    EXPECT_FALSE(p.slos_met);
    EXPECT_FALSE(p.ok());
}

TEST(SweepAnalysis, AnUnstablePointIsNeverRecommended) {
    auto points = sweep_points();
    for (auto& p : points)
        if (p.id == "p5") p.steady = "unstable";  // the cheapest at 200/s, but its queue grows
    const auto a = analyze(points, 200.0);
    ASSERT_TRUE(a.recommended);
    EXPECT_NE(*a.recommended, "p5");
    EXPECT_EQ(*a.recommended, "p9");
    // A run document's steady_state verdict reaches the point record.
    PointRecord p;
    measure(p, json{{"summary", {{"throughput_rps", 10}, {"services", json::array()}}},
                    {"slos", json::array({{{"name", "a"}, {"met", true}, {"sli_value", 1.0}}})},
                    {"steady_state", {{"verdict", "unstable"}}}},
            {}, 1.0);
    EXPECT_TRUE(p.slos_met);
    EXPECT_FALSE(p.ok());
    EXPECT_EQ(point_from_json(to_json(p)).steady, "unstable");
    // When only unstable points met the SLOs, the text says so.
    for (auto& q : points)
        if (q.load_rps == 200.0 && q.slos_met) q.steady = "unstable";
    const auto none = analyze(points, 200.0);
    EXPECT_FALSE(none.recommended);
    EXPECT_NE(none.text.find("not in steady state"), std::string::npos) << none.text;
}

TEST(SweepAnalysis, TheCapacityIsLabelledWithTheBusiestService) {
    auto points = sweep_points();
    for (auto& p : points) p.busiest = "postgres";  // scaling api, but the database saturates
    const auto a = analyze(points, 200.0);
    EXPECT_EQ(a.scaled_service, "api");
    EXPECT_EQ(a.limited_by, "postgres");
    EXPECT_NE(a.knee_note.find("postgres"), std::string::npos) << a.knee_note;
    EXPECT_EQ(to_json(a)["capacity"]["limited_by"], "postgres");
}
