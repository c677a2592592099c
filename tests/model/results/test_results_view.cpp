#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "model/results/results_view.hpp"

using namespace stacksim;
using nlohmann::json;

namespace {

json tiny_run() {
    return json::parse(R"({
      "kind": "run", "name": "tiny", "duration_s": 3, "warmup_s": 1, "interval_s": 1,
      "inputs": {"experiment": "e.json", "topology": "t.json", "overrides": ["seed=2"]},
      "summary": {"throughput_rps": 10, "availability": 0.9, "latency_s": {"p50": 0.01, "p95": 0.02, "p99": 0.03},
                  "services": [{"service": "api", "kind": "node_service", "utilisation": 0.5}]},
      "series": {"t_s": [1, 2, 3], "completed_rps": [9, 10, 11], "p99_s": [null, 0.02, 0.03],
                 "utilisation": {"api": [0.4, 0.5, 0.6]}, "replicas": {"api": [2, 2, 3]},
                 "retries_rps": {"api->inventory": [0, 5, 50]}},
      "slos": [{"name": "avail", "sli": "availability", "objective": 0.99, "met": false, "sli_value": 0.9,
                "alerts": [{"severity": "page", "fired": [{"at_s": 2, "resolved_s": null}]}],
                "series": {"budget_remaining": [1, 0.5, 0.2]}}],
      "faults": [{"kind": "zone_outage", "target": "a", "start_s": 1, "end_s": 2.5, "ended": true}],
      "control": {"events": [{"t_s": 2, "kind": "scale_up", "service": "api"}]},
      "cost": {"per_hour_usd": 1.5, "per_month_usd": 1095, "per_million_requests_usd": 0.04}
    })");
}

std::string message_of(const json& doc) {
    try {
        results::parse_run(doc, "r.json");
    } catch (const results::ResultsError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(ResultsView, RunSeriesSlosFaultsAndCostAreRead) {
    const auto v = results::parse_run(tiny_run(), "r.json");
    EXPECT_EQ(v.name, "tiny");
    ASSERT_EQ(v.t_s.size(), 3u);
    EXPECT_TRUE(std::isnan(v.total("p99_s")[0]));  // null: an interval without successful requests
    EXPECT_DOUBLE_EQ(v.total("p99_s")[2], 0.03);
    EXPECT_TRUE(v.total("p50_s").empty());         // absent series read as empty
    EXPECT_DOUBLE_EQ(v.utilisation.at("api")[1], 0.5);
    EXPECT_DOUBLE_EQ(v.replicas.at("api")[2], 3);
    EXPECT_DOUBLE_EQ(v.retries_rps.at("api->inventory")[2], 50);  // per-edge maps, not arrays
    ASSERT_EQ(v.slos.size(), 1u);
    ASSERT_EQ(v.slos[0].alerts.size(), 1u);
    EXPECT_FALSE(v.slos[0].alerts[0].resolved_s.has_value());
    EXPECT_DOUBLE_EQ(v.slos[0].budget_remaining[2], 0.2);
    ASSERT_EQ(v.faults.size(), 1u);
    EXPECT_DOUBLE_EQ(v.faults[0].end_s, 2.5);
    ASSERT_EQ(v.control.size(), 1u);
    EXPECT_TRUE(v.cost.present);
    EXPECT_DOUBLE_EQ(v.cost.per_hour_usd, 1.5);
    EXPECT_EQ(v.overrides, std::vector<std::string>{"seed=2"});
}

TEST(ResultsView, ErrorsNameTheFileAndPointer) {
    auto doc = tiny_run();
    doc["series"]["completed_rps"] = json::array({1, 2});
    EXPECT_NE(message_of(doc).find("r.json:/series/completed_rps: expected 3 values"), std::string::npos) << message_of(doc);
    doc = tiny_run();
    doc["series"]["utilisation"]["api"][1] = "busy";
    EXPECT_NE(message_of(doc).find("r.json:/series/utilisation/api/1: expected a number, got string"), std::string::npos)
        << message_of(doc);
    doc = tiny_run();
    doc.erase("series");
    EXPECT_NE(message_of(doc).find("r.json:/series: expected the per-interval series"), std::string::npos) << message_of(doc);
    doc = tiny_run();
    doc["kind"] = "weather";
    EXPECT_NE(message_of(doc).find("r.json:/kind: expected \"run\", \"replications\" or \"sweep\""), std::string::npos)
        << message_of(doc);
    EXPECT_NE(message_of(json::parse(R"({"workload": {}})")).find("not a results document"), std::string::npos);
}

TEST(ResultsView, SweepPointsResolveAgainstTheDocument) {
    const json doc = json::parse(R"({"kind": "sweep", "name": "s", "target_load_rps": 100,
      "points": [{"id": "p0", "strategy": "horizontal", "status": "done", "load_rps": 100, "replicas": 4,
                  "results": "points/p0/results.json", "latency_s": {"p99": 0.2}, "slos_met": true,
                  "cost": {"per_hour_usd": 3}},
                 {"id": "p1", "strategy": "vertical", "status": "failed", "load_rps": 100, "error": "exit code 2"}],
      "analysis": {"loads": [{"load_rps": 100, "cheapest": "p0"}], "recommendation": {"text": "scale out"}}})");
    const auto s = results::parse_sweep(doc, "/data/sw/sweep.json");
    ASSERT_EQ(s.points.size(), 2u);
    EXPECT_EQ(s.points[0].results, "/data/sw/points/p0/results.json");
    EXPECT_DOUBLE_EQ(s.points[0].cost.per_hour_usd, 3);
    EXPECT_EQ(s.points[1].results, "");
    EXPECT_EQ(s.points[1].error, "exit code 2");
    EXPECT_EQ(s.cheapest_by_load.at(100), "p0");
    EXPECT_EQ(s.recommendation, "scale out");
}

TEST(ResultsView, DirectoryOfRunsOpensEveryRunInNameOrder) {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / "stacksim-results-view-test";
    fs::remove_all(dir);
    for (const char* name : {"b", "a"}) {
        fs::create_directories(dir / name);
        auto doc = tiny_run();
        doc["name"] = name;
        std::ofstream(dir / name / "results.json") << doc.dump();
    }
    const auto opened = results::open_results(dir.string());
    ASSERT_EQ(opened.runs.size(), 2u);
    EXPECT_EQ(opened.runs[0].name, "a");
    EXPECT_FALSE(opened.sweep);
    std::ofstream(dir / "a" / "results.json") << "{ not json";
    EXPECT_THROW(results::open_results(dir.string()), results::ResultsError);
    EXPECT_THROW(results::open_results((dir / "missing").string()), results::ResultsError);
    fs::remove_all(dir);
}
