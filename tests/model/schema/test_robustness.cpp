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

// Issue 12, section 5: names, duplicates and absurd counts.
TEST(Robustness, ADuplicatedSloNameIsOneErrorNotOnePerPair) {
    std::string slos;
    for (int i = 0; i < 3000; ++i) slos += std::string(i ? "," : "") + R"({"name": "same", "sli": "availability", "objective": "99%"})";
    const std::string path = ::testing::TempDir() + "/slo-3000.json";
    std::ofstream(path) << R"({"topology": {"services": {"app": {"kind": "node_service", "machine": "c6i.large",
        "endpoints": {"a": {"steps": [{"cpu": "1ms"}]}}}}}, "duration": "10s",
        "workload": {"type": "open", "entry": "app", "rate": "10/s", "mix": {"a": 1}}, "slos": [)" + slos + "]}";
    Diagnostics diag;
    EXPECT_FALSE(validate_file(path, {}, diag));
    EXPECT_EQ(diag.error_count(), 1u) << diag.format().substr(0, 2000);
    EXPECT_TRUE(diag.contains("/slos/1/name", "(3000 SLOs share this name)")) << diag.format().substr(0, 2000);
}

TEST(Robustness, DiagnosticsKeepTheFirstThousandAndCountTheRest) {
    Diagnostics diag;
    for (int i = 0; i < 5000; ++i) diag.error("f.json", "/x/" + std::to_string(i), "bad");
    EXPECT_EQ(diag.error_count(), 5000u);
    EXPECT_EQ(diag.all().size(), Diagnostics::kMaxKept);
    EXPECT_NE(diag.format().find("... and 4000 more problems not shown"), std::string::npos);
}

TEST(Robustness, DuplicateKeysAreFoundAtAnyDepthAndOnlyOnce) {
    Diagnostics diag;
    EXPECT_FALSE(parse_json_text(R"({"a": [{"b": 1, "c": {"d": 1, "d": 2, "d": 3}}], "a": 2})", "d.json", diag));
    EXPECT_TRUE(diag.contains("/a/0/c/d", "duplicate key \"d\""));
    EXPECT_TRUE(diag.contains("/a", "duplicate key \"a\""));
    EXPECT_EQ(diag.error_count(), 2u) << diag.format();
    Diagnostics ok;  // the same key in sibling objects, escaped keys, keys inside strings and comments
    EXPECT_TRUE(parse_json_text(R"({"a": {"k": 1}, "b": {"k": 1}, "\u0061x": 1, "s": "\"a\": 1", /* "a": 1 */ "t": 0})",
                                "ok.json", ok))
        << ok.format();
    Diagnostics escaped;  // "\u0061" is "a": the same key
    EXPECT_FALSE(parse_json_text(R"({"a": 1, "\u0061": 2})", "e.json", escaped));
}

TEST(Robustness, ABareZeroIsZeroInEveryUnit) {
    Diagnostics diag;
    EXPECT_TRUE(validate_file(std::string(STACKSIM_CORPUS_DIR) + "/good/minimal-experiment.json",
                              {"warmup=0", "topology.services.app.endpoints.GET /x.steps.0.cpu=0"}, diag))
        << diag.format();
    Diagnostics five;
    EXPECT_FALSE(validate_file(std::string(STACKSIM_CORPUS_DIR) + "/good/minimal-experiment.json", {"warmup=5"}, five));
    EXPECT_TRUE(five.contains("/warmup", "expected a duration"));
}

TEST(Robustness, EmptyKeysInNamedMapsAreMissingNames) {
    for (const char* set : {R"(workload.mix={"": 1})", R"(topology.services.app.endpoints={"": {"steps": []}})",
                            R"(topology.machines={"": {"like": "c6i.large"}})"}) {
        SCOPED_TRACE(set);
        Diagnostics diag;
        EXPECT_FALSE(validate_file(std::string(STACKSIM_CORPUS_DIR) + "/good/minimal-experiment.json", {set}, diag));
        EXPECT_NE(diag.format().find("an empty name (\"\") is not allowed here"), std::string::npos) << diag.format();
    }
}
