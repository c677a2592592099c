// The CI gate's judgement: SLO cases, regression direction and noise, pooled replications, JUnit.
#include <gtest/gtest.h>

#include "model/check/gate.hpp"
#include "model/check/junit.hpp"

namespace stacksim::check {
namespace {

using nlohmann::json;

json run_doc(double throughput, double availability, double p99, double cost) {
    return {{"kind", "run"},
            {"summary", {{"throughput_rps", throughput}, {"availability", availability},
                         {"latency_s", {{"p50", p99 / 4}, {"p95", p99 / 2}, {"p99", p99}, {"p999", p99 * 2}}},
                         {"endpoints", json::array({{{"endpoint", "GET /x"}, {"latency_s", {{"p99", p99}}}}})}}},
            {"cost", {{"per_hour_usd", cost}}}};
}

const Case& find(const std::vector<Case>& cases, const std::string& name) {
    for (const auto& c : cases)
        if (c.name == name) return c;
    throw std::runtime_error("no case " + name);
}

TEST(Gate, RegressionDirectionFollowsTheMetric) {
    const auto base = metrics_of(run_doc(1000, 0.999, 0.100, 10));
    // Lower throughput, lower availability, higher latency and cost are worse.
    const auto worse = compare(metrics_of(run_doc(900, 0.997, 0.120, 11)), base, Tolerances{});
    EXPECT_FALSE(find(worse, "throughput").passed);
    EXPECT_FALSE(find(worse, "availability").passed);  // 0.2 points > 0.1
    EXPECT_FALSE(find(worse, "latency p99").passed);
    EXPECT_FALSE(find(worse, "GET /x p99").passed);
    EXPECT_FALSE(find(worse, "cost per hour").passed);
    // The opposite changes are improvements, never regressions.
    for (const auto& c : compare(metrics_of(run_doc(1100, 1.0, 0.050, 5)), base, Tolerances{})) EXPECT_TRUE(c.passed) << c.name;
}

TEST(Gate, ToleranceIsRelativeExceptForAvailability) {
    const auto base = metrics_of(run_doc(1000, 0.999, 0.100, 10));
    Tolerances tol;
    ASSERT_EQ(tol.set("latency=25%"), "");
    ASSERT_EQ(tol.set("availability=0.5%"), "");
    const auto cases = compare(metrics_of(run_doc(1000, 0.995, 0.120, 10)), base, tol);
    EXPECT_TRUE(find(cases, "latency p99").passed);    // +20 % < 25 %
    EXPECT_TRUE(find(cases, "availability").passed);   // -0.4 points < 0.5
    EXPECT_NE(tol.set("latency"), "");
    EXPECT_NE(tol.set("latency=-1%"), "");
    EXPECT_NE(tol.set("jitter=1%"), "");
    EXPECT_NE(tol.set("latency=5ms"), "");
}

TEST(Gate, ReplicationNoiseIsNotARegression) {
    auto reps = [](double p99, double ci) {
        return json{{"kind", "replications"},
                    {"aggregate", json::array({{{"metric", "/latency_s/p99"}, {"pointer", "/latency_s/p99"}, {"mean", p99}, {"ci95", ci}}})}};
    };
    // +20 % but inside CIs of ±15 ms each: noise.
    EXPECT_TRUE(compare(metrics_of(reps(0.120, 0.015)), metrics_of(reps(0.100, 0.015)), Tolerances{})[0].passed);
    // The same change with tight CIs is a regression.
    EXPECT_FALSE(compare(metrics_of(reps(0.120, 0.001)), metrics_of(reps(0.100, 0.001)), Tolerances{})[0].passed);
}

TEST(Gate, MissingOrMalformedMetricsAreSkippedNotCrashed) {
    json doc = run_doc(1000, 0.999, 0.1, 10);
    doc["summary"].erase("latency_s");
    doc.erase("cost");
    const auto m = metrics_of(doc);
    EXPECT_EQ(m.count("latency p99"), 0u);
    EXPECT_EQ(m.count("cost per hour"), 0u);
    EXPECT_EQ(m.count("throughput"), 1u);
    EXPECT_NO_THROW(judge_slos(json::array({{{"name", "x"}}})));
}

TEST(Gate, SloCasesFollowTheVerdictAndFailWithoutEvidence) {
    const json slos = json::array({
        {{"name", "ok"}, {"sli", "availability"}, {"met", true}, {"sli_value", 0.9995}, {"objective", 0.999}, {"valid", 1000}},
        {{"name", "missed"}, {"sli", "latency"}, {"threshold_s", 0.3}, {"met", false}, {"sli_value", 0.98}, {"objective", 0.99}, {"valid", 1000}},
        {{"name", "empty"}, {"sli", "latency"}, {"threshold_s", 0.3}, {"met", true}, {"sli_value", 1.0}, {"objective", 0.99}, {"valid", 0}},
    });
    const auto cases = judge_slos(slos);
    EXPECT_TRUE(find(cases, "ok").passed);
    EXPECT_FALSE(find(cases, "missed").passed);
    EXPECT_FALSE(find(cases, "empty").passed);
    EXPECT_NE(find(cases, "empty").message.find("no valid events"), std::string::npos);
}

TEST(Gate, ANullObjectiveOrAMissingVerdictCannotPass) {
    const json slos = json::array({
        {{"name", "null objective"}, {"sli", "availability"}, {"met", true}, {"sli_value", 1.0}, {"objective", nullptr}, {"valid", 1000}},
        {{"name", "no verdict"}, {"sli", "availability"}, {"sli_value", 1.0}, {"objective", 0.99}, {"valid", 1000}},
        {{"name", "met by its own numbers"}, {"sli", "availability"}, {"met", false}, {"sli_value", 0.995}, {"objective", 0.99}, {"valid", 1000}},
    });
    const auto cases = judge_slos(slos);
    EXPECT_FALSE(find(cases, "null objective").passed);
    EXPECT_NE(find(cases, "null objective").message.find("cannot judge"), std::string::npos);
    EXPECT_FALSE(find(cases, "no verdict").passed);
    EXPECT_TRUE(find(cases, "met by its own numbers").passed);
}

TEST(Gate, NoEvidenceIsAFailingCase) {
    EXPECT_FALSE(judge_evidence(run_doc(1000, 0.999, 0.1, 10)).empty());  // run_doc has no completed count
    json doc = run_doc(1000, 0.999, 0.1, 10);
    doc["summary"]["completed"] = 60000;
    EXPECT_TRUE(judge_evidence(doc).empty());
    const auto empty = judge_evidence(json{{"kind", "run"}, {"summary", json::object()}});
    ASSERT_EQ(empty.size(), 1u);
    EXPECT_FALSE(empty[0].passed);
    EXPECT_NE(empty[0].message.find("/summary"), std::string::npos);
    doc["slos"] = "all good";
    const auto text = judge_evidence(doc);
    ASSERT_EQ(text.size(), 1u);
    EXPECT_NE(text[0].message.find("/slos: expected an array"), std::string::npos) << text[0].message;
    EXPECT_FALSE(judge_evidence(json{{"kind", "replications"}, {"aggregate", json::array()}}).empty());
}

TEST(Gate, AnUnstableOrTransientRunFailsTheStabilityCase) {
    json doc{{"steady_state", {{"verdict", "unstable"},
                               {"resources", json::array({{{"name", "queue orders"}, {"status", "growing"}}})},
                               {"findings", json::array({"queue orders grows +135/s"})}}}};
    auto cases = judge_steady_state(doc);
    ASSERT_EQ(cases.size(), 1u);
    EXPECT_FALSE(cases[0].passed);
    EXPECT_NE(cases[0].message.find("queue orders grows"), std::string::npos) << cases[0].message;
    doc["steady_state"]["verdict"] = "transient";
    EXPECT_FALSE(judge_steady_state(doc)[0].passed);
    doc["steady_state"]["verdict"] = "steady";
    EXPECT_TRUE(judge_steady_state(doc)[0].passed);
    EXPECT_TRUE(judge_steady_state(json::object()).empty());  // older documents: no case
    // A met SLO of a run not in steady state says it is not conclusive.
    const json slos = json::array({{{"name", "a"}, {"sli", "availability"}, {"met", true}, {"sli_value", 1.0},
                                    {"objective", 0.99}, {"valid", 10}, {"conclusive", false}}});
    EXPECT_NE(judge_slos(slos)[0].message.find("not conclusive"), std::string::npos);
}

TEST(Gate, ABaselineFromAnotherExperimentIsNamed) {
    const json a{{"name", "hyperly-1m-steady"}, {"inputs", {{"experiment", "experiments/hyperly-1m.json"}}}};
    const json b{{"name", "retry-storm"}, {"inputs", {{"experiment", "experiments/retry-storm.json"}}}};
    EXPECT_EQ(baseline_mismatch(a, a), "");
    const std::string w = baseline_mismatch(a, b);
    EXPECT_NE(w.find("hyperly-1m-steady"), std::string::npos) << w;
    EXPECT_NE(w.find("retry-storm"), std::string::npos) << w;
}

TEST(Gate, ReplicationsPoolTheirCounts) {
    auto run = [](std::uint64_t valid, std::uint64_t good) {
        return json{{"slos", json::array({{{"name", "a"}, {"objective", 0.99}, {"valid", valid}, {"good", good},
                                           {"met", true}, {"budget", {{"consumed_fraction", 0.5}}}}})}};
    };
    // 995/1000 and 975/1000 each; pooled 1970/2000 = 98.5 % < 99 %: missed, though one run met it.
    const json pooled = pool_slos({run(1000, 995), run(1000, 975)});
    ASSERT_EQ(pooled.size(), 1u);
    EXPECT_EQ(pooled[0]["valid"].get<std::uint64_t>(), 2000u);
    EXPECT_EQ(pooled[0]["good"].get<std::uint64_t>(), 1970u);
    EXPECT_FALSE(pooled[0]["met"].get<bool>());
    EXPECT_NEAR(pooled[0]["burn_rate"].get<double>(), 1.5, 1e-9);
    json other = run(10, 10);
    other["slos"][0]["name"] = "b";
    EXPECT_THROW(pool_slos({run(1000, 995), other}), std::runtime_error);
}

TEST(Junit, EscapesAndCountsFailures) {
    Report r;
    r.subject = "a&b <x>";
    r.cases = {{"slo", "p99 \"fast\" & <cheap>", false, "99% < 99.9%", "budget\n"}, {"regression", "throughput", true, "ok", ""}};
    const std::string xml = to_junit_xml(r);
    EXPECT_NE(xml.find("tests=\"2\" failures=\"1\""), std::string::npos);
    EXPECT_NE(xml.find("name=\"p99 &quot;fast&quot; &amp; &lt;cheap&gt;\""), std::string::npos);
    EXPECT_EQ(xml.find("<cheap>"), std::string::npos);
    EXPECT_EQ(xml_escape(std::string("a\x01" "b")), "ab");  // control characters are not XML
    const std::string md = to_markdown(r);
    EXPECT_NE(md.find("**1 failed**"), std::string::npos);
}

}  // namespace
}  // namespace stacksim::check
