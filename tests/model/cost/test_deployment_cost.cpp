#include <gtest/gtest.h>

#include <fstream>

#include "model/cost/deployment_cost.hpp"
#include "model/schema/loader.hpp"

namespace stacksim {
namespace {

Topology topology(const std::string& services) {
    const std::string path = testing::TempDir() + "/cost_" + testing::UnitTest::GetInstance()->current_test_info()->name() + ".json";
    std::ofstream(path) << R"({"services": {)" << services << "}}";
    schema::Diagnostics diag;
    auto t = schema::load_topology(path, {}, diag);
    EXPECT_TRUE(t) << diag.format();
    return t ? *t : Topology{};
}

TEST(DeploymentCost, DatabasePricesItsPrimaryAndReadReplicasOnce) {
    // r6i.large is $0.126/h: a primary and 2 read replicas are 3 machines.
    const Topology t = topology(R"("db": {"kind": "database", "machine": "r6i.large", "read_replicas": 2})");
    const DeploymentCost c = deployment_cost(t);
    ASSERT_EQ(c.services.size(), 1u);
    EXPECT_DOUBLE_EQ(c.services[0].instances, 3);
    EXPECT_NEAR(c.per_hour_usd, 3 * 0.126, 1e-12);
}

TEST(DeploymentCost, ExternalServicesAreNotOursAndAveragesReplaceCounts) {
    const Topology t = topology(R"("app": {"kind": "node_service", "machine": "c6i.xlarge", "replicas": 4,
                                           "endpoints": {"e": {"steps": [{"cpu": "1ms"}, {"call": "pay"}]}}},
                                   "pay": {"kind": "external", "latency": "50ms"})");
    EXPECT_NEAR(deployment_cost(t).per_hour_usd, 4 * 0.17, 1e-12);
    // An autoscaled run that averaged 5.5 instances pays for 5.5.
    const DeploymentCost c = deployment_cost(t, {{"app", 5.5}});
    EXPECT_NEAR(c.per_hour_usd, 5.5 * 0.17, 1e-12);
    EXPECT_NEAR(c.per_month_usd(), 5.5 * 0.17 * 730, 1e-9);
    EXPECT_NEAR(c.per_million_requests_usd(100), 5.5 * 0.17 / (100 * 3600.0) * 1e6, 1e-12);
    EXPECT_TRUE(std::isinf(c.per_million_requests_usd(0)));
    EXPECT_TRUE(to_json(c, 0)["per_million_requests_usd"].is_null());
}

}  // namespace
}  // namespace stacksim
