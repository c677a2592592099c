// No input may crash or hang the parser: deep nesting, binary noise, and random mutations of
// valid files all end in located errors (or a valid result).
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>

#include "model/schema/json_file.hpp"
#include "model/schema/loader.hpp"
#include "model/schema/parsers.hpp"

using namespace stacksim::schema;

namespace {
std::string read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}
// Parses text as a topology, reporting whether it was accepted.
bool accept_topology(const std::string& text, Diagnostics& diag) {
    auto doc = parse_json_text(text, "mem.json", diag);
    if (!doc) return false;
    Context ctx{"mem.json", diag};
    (void)parse_topology(*doc, ctx);
    return !diag.has_errors();
}
}  // namespace

TEST(Robustness, DeepNestingIsRejectedBeforeParsing) {
    Diagnostics diag;
    EXPECT_FALSE(parse_json_text(std::string(1000000, '['), "deep.json", diag));
    EXPECT_TRUE(diag.contains("", "nesting deeper than 64 levels"));
}

TEST(Robustness, BracketsInsideStringsAndCommentsDoNotCountAsNesting) {
    Diagnostics diag;
    const std::string text = "{\"a\": \"" + std::string(500, '[') + "\" /* " + std::string(500, '{') + " */}";
    EXPECT_TRUE(parse_json_text(text, "s.json", diag)) << diag.format();
}

TEST(Robustness, BinaryNoiseIsAnErrorWithALocation) {
    std::mt19937_64 rng(7);
    for (int i = 0; i < 200; ++i) {
        std::string noise(1 + rng() % 400, '\0');
        for (char& c : noise) c = static_cast<char>(rng());
        Diagnostics diag;
        EXPECT_FALSE(accept_topology(noise, diag));
        ASSERT_TRUE(diag.has_errors());
    }
}

TEST(Robustness, MutatedValidFilesNeverCrash) {
    const std::string base = read(std::string(STACKSIM_SOURCE_DIR) + "/topologies/hyperly-1m.json");
    ASSERT_FALSE(base.empty());
    std::mt19937_64 rng(11);
    const std::string alphabet = "{}[]\":,-.0123456789eE+ntrufalsx/\\~ms";
    int accepted = 0;
    for (int i = 0; i < 400; ++i) {
        std::string text = base;
        for (int m = 0; m < 1 + static_cast<int>(rng() % 4); ++m) {
            const std::size_t pos = rng() % text.size();
            switch (rng() % 3) {
                case 0: text[pos] = alphabet[rng() % alphabet.size()]; break;
                case 1: text.erase(pos, 1 + rng() % 8); break;
                default: text.insert(pos, 1, alphabet[rng() % alphabet.size()]); break;
            }
        }
        Diagnostics diag;
        if (accept_topology(text, diag)) ++accepted;
        else EXPECT_TRUE(diag.has_errors());
    }
    EXPECT_LT(accepted, 400);  // the mutations do reach the validator
}

TEST(Robustness, HugeAndNonFiniteNumbers) {
    Diagnostics diag;
    EXPECT_FALSE(accept_topology(R"({"services": {"a": {"kind": "node_service", "machine": "c6i.large",
        "replicas": 1e400, "endpoints": {"GET": {"steps": [{"cpu": "1e400ms"}]}}}}})", diag));
    EXPECT_TRUE(diag.contains("", "number overflow"));
    Diagnostics units;
    EXPECT_FALSE(accept_topology(R"({"services": {"a": {"kind": "node_service", "machine": "c6i.large",
        "endpoints": {"GET": {"steps": [{"cpu": "1e300h"}]}}}}})", units));
    EXPECT_TRUE(units.contains("/services/a/endpoints/GET/steps/0/cpu", "longer than the maximum")) << units.format();
}

TEST(Overrides, SetCreatesAndReplacesValues) {
    json doc = json::parse(R"({"workload": {"rate": "1/s", "mix": {"a": 1}}, "list": [1, 2]})");
    Diagnostics diag;
    EXPECT_TRUE(apply_override(doc, "workload.rate=2M/min", "f", diag));
    EXPECT_EQ(doc["workload"]["rate"], "2M/min");
    EXPECT_TRUE(apply_override(doc, "workload.sessions=100", "f", diag));
    EXPECT_EQ(doc["workload"]["sessions"], 100);
    EXPECT_TRUE(apply_override(doc, "list.1={\"x\": true}", "f", diag));
    EXPECT_EQ(doc["list"][1]["x"], true);
    EXPECT_FALSE(apply_override(doc, "list.5=1", "f", diag));
    EXPECT_FALSE(apply_override(doc, "workload.rate.deeper=1", "f", diag));
    EXPECT_FALSE(apply_override(doc, "novalue", "f", diag));
    EXPECT_EQ(diag.error_count(), 3u);
    EXPECT_TRUE(diag.contains("/list", "index 5 out of range"));
}

TEST(Overrides, ReachTheTopologyThroughTheExperiment) {
    const std::string exp = std::string(STACKSIM_CORPUS_DIR) + "/good/minimal-experiment.json";
    Diagnostics diag;
    auto e = load_experiment(exp, {"topology.services.app.replicas=7", "workload.rate=5k/min"}, diag);
    ASSERT_TRUE(e) << diag.format();
    EXPECT_EQ(e->topology.services.at("app").replicas, 7);
    EXPECT_NEAR(e->workload.rate_per_s, 5000.0 / 60, 1e-9);
    Diagnostics bad;
    EXPECT_FALSE(load_experiment(exp, {"topology.services.app.replicas=0"}, bad));
    EXPECT_TRUE(bad.contains("/services/app/replicas", "expected an integer between 1 and 10000, got 0"));
}
