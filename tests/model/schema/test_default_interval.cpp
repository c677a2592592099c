// The default metrics interval (docs/file-formats.md): the longest of 1 s, 500 ms, 250 ms,
// 200 ms, 100 ms … 1 ms that divides both the duration and the warm-up, chosen in whole
// microseconds; finer than 1 s only with a warning.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <string>

#include "model/schema/loader.hpp"

using namespace stacksim;

namespace {

struct Loaded {
    std::optional<Experiment> experiment;
    schema::Diagnostics diag;
};

Loaded load(const std::string& duration, const std::string& warmup) {
    static int n = 0;
    const std::string path = testing::TempDir() + "/default_interval_" + std::to_string(n++) + ".json";
    std::ofstream(path) << R"({"duration": ")" + duration + R"(", "warmup": ")" + warmup + R"(", "topology": {"services": {
        "app": {"kind": "node_service", "machine": "c6i.large", "replicas": 1, "endpoints": {"e": {"steps": [{"cpu": "1ms"}]}}}}},
      "workload": {"type": "open", "entry": "app", "rate": "1/s", "mix": {"e": 1}}})";
    Loaded l;
    l.experiment = schema::load_experiment(path, {}, l.diag);
    return l;
}

}  // namespace

TEST(DefaultInterval, TheLongestRoundIntervalUpToOneSecondThatDividesDurationAndWarmup) {
    for (const auto& [duration, warmup, interval] : {std::tuple{"2min", "20s", 1.0}, {"90.5s", "0s", 0.5}, {"30.2s", "0s", 0.2},
                                                     {"30.2s", "0.25s", 0.05}, {"10s", "2.5s", 0.5}, {"300ms", "0s", 0.1},
                                                     {"1.001s", "0s", 0.001}, {"750us", "0s", 0.00075}}) {
        const Loaded l = load(duration, warmup);
        ASSERT_TRUE(l.experiment) << duration << ": " << l.diag.format();
        EXPECT_EQ(l.experiment->interval_s, interval) << duration << " / " << warmup;
        // Not silent: rows finer than 1 s in a run of a second or more say so.
        const bool warned = std::any_of(l.diag.all().begin(), l.diag.all().end(), [](const schema::Diagnostic& d) {
            return d.severity == schema::Diagnostic::Severity::warning && d.pointer == "/duration" &&
                   d.message.find("metrics every") != std::string::npos;
        });
        EXPECT_EQ(warned, interval < 1 && l.experiment->duration_s >= 1) << duration;
    }
}

TEST(DefaultInterval, NoRoundIntervalFitsTheWarmupIsAClearError) {
    const Loaded l = load("10s", "1.0005s");  // the warm-up needs 500 µs steps, below the 1 ms floor
    EXPECT_FALSE(l.experiment);
    EXPECT_TRUE(l.diag.contains("/warmup", "whole number of intervals")) << l.diag.format();
}
