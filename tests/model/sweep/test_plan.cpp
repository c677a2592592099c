#include <gtest/gtest.h>

#include "model/schema/loader.hpp"
#include "model/sweep/plan.hpp"

using namespace stacksim;
using namespace stacksim::sweep;

TEST(SweepParam, SplitsValuesOnTopLevelCommas) {
    std::string err;
    auto p = parse_param(R"(topology.services.app.replicas=1,2,{"a": [1, 2]},"x,y")", err);
    ASSERT_TRUE(p) << err;
    EXPECT_EQ(p->path, "topology.services.app.replicas");
    EXPECT_EQ(p->values, (std::vector<std::string>{"1", "2", R"({"a": [1, 2]})", R"("x,y")"}));
}

TEST(SweepParam, RejectsMalformedText) {
    for (const char* bad : {"replicas", "=1,2", "a.b=", "a.b=1,,2", "a.b=[1,2", "a.b=1,"}) {
        std::string err;
        EXPECT_FALSE(parse_param(bad, err)) << bad;
        EXPECT_FALSE(err.empty()) << bad;
    }
}

TEST(SweepPlan, GridIsTheCartesianProductLastParameterFastest) {
    std::string err;
    const auto a = *parse_param("workload.rate=1/s,2/s", err);
    const auto b = *parse_param("topology.services.app.replicas=1,2,3", err);
    const auto points = plan({"duration=10s"}, {}, {a, b});
    ASSERT_EQ(points.size(), 6u);
    EXPECT_EQ(points[0].overrides,
              (std::vector<std::string>{"duration=10s", "workload.rate=1/s", "topology.services.app.replicas=1"}));
    EXPECT_EQ(points[1].overrides[2], "topology.services.app.replicas=2");
    EXPECT_EQ(points[3].overrides[1], "workload.rate=2/s");
    for (std::size_t i = 0; i < points.size(); ++i) {
        EXPECT_EQ(points[i].index, i);
        EXPECT_EQ(points[i].strategy, "grid");
        EXPECT_EQ(points[i].id, point_id(i, points[i].overrides));
        EXPECT_EQ(points[i].id.substr(0, 4), "p00" + std::to_string(i));
    }
    EXPECT_EQ(plan({}, {}, {}).size(), 1u);  // no parameters: the experiment itself
}

TEST(SweepPlan, IdsAreStableAndDependOnTheOverrides) {
    EXPECT_EQ(point_id(3, {"a=1", "b=2"}), point_id(3, {"a=1", "b=2"}));
    EXPECT_NE(point_id(3, {"a=1", "b=2"}), point_id(3, {"a=1", "b=3"}));
    EXPECT_NE(point_id(3, {"a=1"}), point_id(4, {"a=1"}));
    EXPECT_EQ(point_id(12, {}).size(), std::string("p012-abcdef").size());
}

TEST(SweepPlan, PresetsSetMachineReplicasAndOneWorkerPerVcpu) {
    schema::Diagnostics diag;
    auto e = schema::load_experiment(std::string(STACKSIM_CORPUS_DIR) + "/good/minimal-experiment.json", {}, diag);
    ASSERT_TRUE(e) << diag.format();
    SweepSpec spec;
    spec.loads = {{"100/s", 100}, {"200/s", 200}};
    spec.horizontal = SweepSpec::Horizontal{"app", "c6i.xlarge", {2, 4}};
    spec.vertical = SweepSpec::Vertical{"app", 2, {"c6i.2xlarge"}};
    const auto both = preset_points(spec, e->topology, true, true);
    ASSERT_EQ(both.size(), 6u);
    EXPECT_EQ(both[0].strategy, "horizontal");
    EXPECT_EQ(both[0].overrides, (std::vector<std::string>{"workload.rate=100/s", "topology.services.app.machine=c6i.xlarge",
                                                           "topology.services.app.replicas=2", "topology.services.app.workers=4"}));
    EXPECT_EQ(both[2].strategy, "vertical");
    EXPECT_EQ(both[2].overrides.back(), "topology.services.app.workers=8");
    EXPECT_EQ(both[3].overrides.front(), "workload.rate=200/s");
    EXPECT_EQ(preset_points(spec, e->topology, false, true).size(), 2u);
    spec.loads.clear();  // the experiment's own rate
    EXPECT_EQ(preset_points(spec, e->topology, true, false).front().overrides.size(), 3u);
}

TEST(SweepSpecParser, ReadsTheBlock) {
    schema::Diagnostics diag;
    auto e = schema::load_experiment(
        std::string(STACKSIM_CORPUS_DIR) + "/good/minimal-experiment.json",
        {R"(sweep={"question": "q?", "loads": ["1k/min", "2k/min"], "target_load": "2k/min",
                   "horizontal": {"service": "app", "machine": "c6i.large", "replicas": [1, 2, 3]},
                   "vertical": {"service": "app", "replicas": 1, "machines": ["c6i.large", "c6i.xlarge"]}})"},
        diag);
    ASSERT_TRUE(e) << diag.format();
    ASSERT_TRUE(e->sweep);
    EXPECT_EQ(e->sweep->question, "q?");
    ASSERT_EQ(e->sweep->loads.size(), 2u);
    EXPECT_NEAR(e->sweep->loads[1].rate_per_s, 2000.0 / 60, 1e-9);
    EXPECT_EQ(e->sweep->loads[1].text, "2k/min");
    EXPECT_NEAR(e->sweep->target_load->rate_per_s, 2000.0 / 60, 1e-9);
    EXPECT_EQ(e->sweep->horizontal->replicas, (std::vector<int>{1, 2, 3}));
    EXPECT_EQ(e->sweep->vertical->machines.size(), 2u);
}

TEST(SweepSpecParser, NeedsAPreset) {
    schema::Diagnostics diag;
    EXPECT_FALSE(schema::load_experiment(std::string(STACKSIM_CORPUS_DIR) + "/good/minimal-experiment.json",
                                         {R"(sweep={"loads": ["1k/min"]})"}, diag));
    EXPECT_TRUE(diag.contains("/sweep", "needs a \"horizontal\" or a \"vertical\" preset")) << diag.format();
}
