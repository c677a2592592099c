#include <gtest/gtest.h>

#include <fstream>

#include "model/schema/loader.hpp"
#include "model/schema/reader.hpp"

using namespace stacksim;

TEST(Parsers, FlagshipExperimentLoadsCompletely) {
    schema::Diagnostics diag;
    auto e = schema::load_experiment(std::string(STACKSIM_SOURCE_DIR) + "/experiments/hyperly-1m.json", {}, diag);
    ASSERT_TRUE(e) << diag.format();
    EXPECT_NEAR(e->workload.rate_per_s, 1e6 / 60, 1e-6);
    ASSERT_EQ(e->workload.mix.size(), 3u);
    double total = 0;
    for (const auto& m : e->workload.mix) total += m.weight;
    EXPECT_DOUBLE_EQ(total, 1.0);
    const Service& api = e->topology.services.at("api");
    EXPECT_EQ(api.kind, ServiceKind::node_service);
    EXPECT_EQ(api.replicas, 8);
    EXPECT_EQ(api.zones.size(), 2u);
    const auto& steps = api.endpoints.at("GET /products/:id").steps;
    ASSERT_EQ(steps.size(), 3u);
    const auto& cache = std::get<CacheStep>(steps[1].body);
    EXPECT_EQ(cache.key_space, 5e6);
    EXPECT_EQ(cache.on_miss.size(), 2u);
    EXPECT_EQ(std::get<DbStep>(cache.on_miss[0].body).query.kind, Distribution::Kind::lognormal);
    EXPECT_EQ(e->topology.services.at("postgres").replicas, 3);
    EXPECT_EQ(e->slos.size(), 3u);
    EXPECT_DOUBLE_EQ(e->slos[1].threshold_s, 0.3);
}

TEST(Parsers, DistributionsCarryMeanAndVariability) {
    schema::Diagnostics diag;
    schema::Context ctx{"mem", diag};
    auto emp = schema::read_distribution(
        schema::json::parse(R"({"dist": "empirical", "values": ["1ms", "3ms"], "weights": [3, 1]})"), "", ctx);
    ASSERT_TRUE(emp) << diag.format();
    EXPECT_NEAR(emp->mean_s, 0.0015, 1e-12);
    // E[S^2] = .75e-6 + .25*9e-6 = 3e-6; scv = 3e-6 / 2.25e-6 - 1
    EXPECT_NEAR(emp->scv(), 3.0 / 2.25 - 1, 1e-9);
    auto bare = schema::read_distribution(schema::json("2ms"), "", ctx);
    ASSERT_TRUE(bare);
    EXPECT_EQ(bare->kind, Distribution::Kind::exponential);
    EXPECT_DOUBLE_EQ(bare->scv(), 1.0);
    EXPECT_FALSE(diag.has_errors());
}

TEST(Parsers, WorkloadProfileMeanRate) {
    Workload w;
    w.rate_per_s = 100;
    w.profile = {{60, 200, false}, {120, 400, true}};
    // 0-60 s at 100, 60-120 s ramping 200 -> 400 (mean 300), then 400 until 180 s.
    EXPECT_NEAR(w.mean_rate_per_s(180), (60 * 100 + 60 * 300 + 60 * 400) / 180.0, 1e-9);
    EXPECT_DOUBLE_EQ(w.peak_rate_per_s(), 400);
}

TEST(Parsers, AnnotationsLikeChainsAndInlineTopologyPointers) {
    const std::string path = testing::TempDir() + "/inline_experiment.json";
    std::ofstream(path) << R"({"duration": "500ms", "topology": {
        "machines": {"_comment": "custom types", "big": {"like": "base", "vcpus": 64}, "base": {"like": "c6i.large", "speed": 1.2}},
        "services": {"_comment": "only one service", "app": {"kind": "node_service", "machine": "big", "replicas": 0,
                     "endpoints": {"_note": "x", "e": {"steps": [{"cpu": "1ms"}]}}}}},
      "workload": {"type": "open", "entry": "app", "rate": "1/s", "mix": {"e": 1, "_why": "only endpoint"}}})";
    schema::Diagnostics diag;
    EXPECT_FALSE(schema::load_experiment(path, {}, diag));
    ASSERT_EQ(diag.error_count(), 1u) << diag.format();
    EXPECT_TRUE(diag.contains("/topology/services/app/replicas", "expected an integer between 1 and 10000, got 0"));
    schema::Diagnostics ok;
    auto e = schema::load_experiment(path, {"topology.services.app.replicas=2"}, ok);
    ASSERT_TRUE(e) << ok.format();
    const MachineType* big = e->topology.machines.find("big");
    ASSERT_TRUE(big);
    EXPECT_EQ(big->vcpus, 64);
    EXPECT_DOUBLE_EQ(big->core_speed, 1.2);                  // from "base"
    EXPECT_DOUBLE_EQ(big->price_per_h, 0.085);               // from c6i.large through "base"
    EXPECT_DOUBLE_EQ(e->interval_s, 0.5);                    // default interval shrinks to a short run
}
