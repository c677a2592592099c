// The chaos list's network, disk and memory faults: required keys, ranges and targets, each
// error at its JSON pointer; the topology's connect timeout.
#include <gtest/gtest.h>

#include <fstream>

#include "model/schema/loader.hpp"

using namespace stacksim;

namespace {

std::optional<Experiment> load(const std::string& chaos, schema::Diagnostics& diag, const std::string& network = "") {
    static int n = 0;
    const std::string path = testing::TempDir() + "/fault_parser_" + std::to_string(n++) + ".json";
    std::ofstream(path) << R"({"duration": "10s", "topology": {"zones": ["a", "b"])" + network + R"(,
        "services": {"app": {"kind": "node_service", "machine": "c6i.large", "endpoints": {"e": {"steps": [{"cpu": "1ms"}]}}},
                     "db": {"kind": "database", "machine": "r6i.large"}}},
      "workload": {"type": "open", "entry": "app", "rate": "1/s", "mix": {"e": 1}}, "chaos": )" + chaos + "}";
    return schema::load_experiment(path, {}, diag);
}

}  // namespace

TEST(FaultParser, NetworkResourceFaultsKeepTheirMagnitudes) {
    schema::Diagnostics diag;
    auto e = load(R"([{"fault": "partition", "between": ["a", "b"], "at": "1s"},
                      {"fault": "link_degradation", "between": ["b", "a"], "at": "1s", "latency": "40ms", "jitter": "5ms", "loss": "1%"},
                      {"fault": "disk_slowdown", "target": "db", "at": "1s", "factor": 4, "io_share": "60%"},
                      {"fault": "memory_leak", "target": "app", "at": "1s", "leak_rate": "2MiB/s", "leak_per_request": "4KiB",
                       "memory_limit": "512MiB"}])",
                  diag, R"(, "network": {"connect_timeout": "250ms"})");
    ASSERT_TRUE(e) << diag.format();
    EXPECT_DOUBLE_EQ(e->topology.connect_timeout_s, 0.25);
    EXPECT_EQ(e->chaos[0].between, (std::vector<std::string>{"a", "b"}));
    EXPECT_TRUE(e->chaos[0].target.empty());
    EXPECT_DOUBLE_EQ(e->chaos[1].magnitudes.at("loss"), 0.01);
    EXPECT_DOUBLE_EQ(e->chaos[2].magnitudes.at("io_share"), 0.6);
    EXPECT_DOUBLE_EQ(e->chaos[3].magnitudes.at("leak_bytes_per_s"), 2.0 * 1024 * 1024);
    EXPECT_DOUBLE_EQ(e->chaos[3].magnitudes.at("leak_bytes_per_request"), 4096);
    EXPECT_DOUBLE_EQ(e->chaos[3].magnitudes.at("memory_limit_bytes"), 512.0 * 1024 * 1024);
}

TEST(FaultParser, DefaultConnectTimeoutIsOneSecond) {
    schema::Diagnostics diag;
    auto e = load("[]", diag);
    ASSERT_TRUE(e) << diag.format();
    EXPECT_DOUBLE_EQ(e->topology.connect_timeout_s, 1.0);
}

TEST(FaultParser, MistakesAreReportedAtTheirPointer) {
    schema::Diagnostics diag;
    EXPECT_FALSE(load(R"([{"fault": "partition", "at": "1s"},
                          {"fault": "partition", "between": ["a", "a"], "at": "1s"},
                          {"fault": "link_degradation", "between": ["a", "b"], "at": "1s", "loss": "100%"},
                          {"fault": "memory_leak", "target": "app", "at": "1s"}])",
                      diag, R"(, "network": {"connect_timeout": "0s"})"));
    EXPECT_TRUE(diag.contains("/chaos/0", "needs \"between\"")) << diag.format();
    EXPECT_TRUE(diag.contains("/chaos/1/between", "two different zones")) << diag.format();
    EXPECT_TRUE(diag.contains("/chaos/2/loss", "below 100%")) << diag.format();
    EXPECT_TRUE(diag.contains("/chaos/3", "needs \"leak_rate\"")) << diag.format();
    EXPECT_TRUE(diag.contains("/topology/network/connect_timeout", "must be positive")) << diag.format();
}

TEST(FaultParser, TargetsMustSuitTheKind) {  // checked once the files parse
    schema::Diagnostics diag;
    EXPECT_FALSE(load(R"([{"fault": "memory_leak", "target": "db", "at": "1s", "leak_rate": "1MiB/s"},
                          {"fault": "disk_slowdown", "target": "app", "at": "1s"},
                          {"fault": "disk_slowdown", "target": "b", "at": "1s"}])",
                      diag));
    EXPECT_TRUE(diag.contains("/chaos/0/target", "a node_service or a zone")) << diag.format();
    EXPECT_TRUE(diag.contains("/chaos/1/target", "a database, a queue or a zone")) << diag.format();
    EXPECT_EQ(diag.error_count(), 2u) << diag.format();  // a zone is a valid disk_slowdown target
}
