#include <gtest/gtest.h>

#include "model/graph/call_graph.hpp"
#include "model/schema/json_file.hpp"
#include "model/schema/parsers.hpp"

using namespace stacksim;

namespace {
Topology topology(const std::string& text) {
    schema::Diagnostics diag;
    schema::Context ctx{"mem.json", diag};
    auto doc = schema::parse_json_text(text, "mem.json", diag);
    EXPECT_TRUE(doc) << diag.format();
    Topology t = schema::parse_topology(*doc, ctx);
    EXPECT_FALSE(diag.has_errors()) << diag.format();
    return t;
}

std::string svc(const std::string& name, const std::string& steps) {
    return "\"" + name + "\": {\"kind\": \"node_service\", \"machine\": \"c6i.large\", \"endpoints\": {\"e\": {\"steps\": " +
           steps + "}}}";
}
}  // namespace

TEST(CallGraph, SyncCycleIsFoundWithItsPath) {
    const auto t = topology("{\"services\": {" + svc("a", R"([{"call": "b", "endpoint": "e"}])") + "," +
                            svc("b", R"([{"branch": [{"p": 0.5, "steps": [{"call": "a", "endpoint": "e"}]}]}])") + "}}");
    const auto cycles = graph::find_sync_cycles(t);
    ASSERT_EQ(cycles.size(), 1u);
    EXPECT_EQ(cycles[0].path, (std::vector<std::string>{"a/e", "b/e", "a/e"}));
}

TEST(CallGraph, AsyncBackEdgeIsNotACycleButStillReaches) {
    const auto t = topology("{\"services\": {" + svc("a", R"([{"call": "b", "endpoint": "e"}])") + "," +
                            svc("b", R"([{"call": "a", "endpoint": "e", "async": true}])") + "," +
                            svc("lonely", R"([{"cpu": "1ms"}])") + "}}");
    EXPECT_TRUE(graph::find_sync_cycles(t).empty());
    EXPECT_EQ(graph::reachable_services(t, "b"), (std::set<std::string>{"a", "b"}));
}

TEST(CallGraph, SelfCallIsACycle) {
    const auto t = topology("{\"services\": {" + svc("a", R"([{"call": "a", "endpoint": "e"}])") + "}}");
    const auto cycles = graph::find_sync_cycles(t);
    ASSERT_EQ(cycles.size(), 1u);
    EXPECT_EQ(cycles[0].path, (std::vector<std::string>{"a/e", "a/e"}));
}

TEST(CallGraph, DiamondIsNotACycle) {
    const auto t = topology("{\"services\": {" +
                            svc("a", R"([{"call": "b", "endpoint": "e"}, {"call": "c", "endpoint": "e"}])") + "," +
                            svc("b", R"([{"call": "d", "endpoint": "e"}])") + "," +
                            svc("c", R"([{"call": "d", "endpoint": "e"}])") + "," + svc("d", R"([{"cpu": "1ms"}])") +
                            "}}");
    EXPECT_TRUE(graph::find_sync_cycles(t).empty());
    EXPECT_EQ(graph::reachable_services(t, "a").size(), 4u);
}
