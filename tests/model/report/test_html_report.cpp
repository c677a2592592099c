#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "model/report/html.hpp"
#include "model/report/html_report.hpp"
#include "model/report/svg_chart.hpp"

namespace stacksim::report {
namespace {

using nlohmann::json;

json load(const std::string& name) {
    std::ifstream in(std::string(STACKSIM_CORPUS_DIR) + "/results/" + name);
    return json::parse(in);
}

std::size_t count(const std::string& s, const std::string& what) {
    std::size_t n = 0;
    for (auto p = s.find(what); p != std::string::npos; p = s.find(what, p + what.size())) ++n;
    return n;
}

// Every element is closed, in order (void HTML elements aside). Returns "" or the first problem.
std::string balance(const std::string& doc) {
    static const std::set<std::string> kVoid{"meta", "br", "hr", "img", "input", "link"};
    std::vector<std::string> stack;
    for (std::size_t i = doc.find('<'); i != std::string::npos; i = doc.find('<', i + 1)) {
        if (doc.compare(i, 2, "<!") == 0) continue;  // doctype
        const auto end = doc.find('>', i);
        if (end == std::string::npos) return "unterminated tag at " + std::to_string(i);
        const std::string tag = doc.substr(i + 1, end - i - 1);
        if (tag.find('<') != std::string::npos) return "'<' inside a tag at " + std::to_string(i);
        const bool closing = tag[0] == '/', self = tag.back() == '/';
        std::string name = tag.substr(closing ? 1 : 0);
        name = name.substr(0, name.find_first_of(" \n/"));
        if (closing) {
            if (stack.empty() || stack.back() != name) return "unexpected </" + name + "> at " + std::to_string(i);
            stack.pop_back();
        } else if (!self && !kVoid.count(name)) {
            stack.push_back(name);
        }
    }
    return stack.empty() ? "" : "unclosed <" + stack.back() + ">";
}

// The document with its ids' attribute values hostile.
json hostile_run() {
    json d = load("run-slo-faults.json");
    const std::string evil = "<script>alert(\"x\")</script>&'";
    d["name"] = evil;
    d["summary"]["services"][0]["service"] = evil;
    d["summary"]["endpoints"][0]["endpoint"] = evil;
    d["series"]["utilisation"][evil] = d["series"]["utilisation"]["app"];
    d["faults"][0]["target"] = evil;
    d["slos"][0]["name"] = evil;
    d["inputs"]["overrides"].push_back(evil);
    return d;
}

TEST(HtmlEscape, EscapesMarkupAndQuotes) {
    EXPECT_EQ(html_escape(R"(<a href="x">'&'</a>)"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    EXPECT_EQ(html_escape("plain µs"), "plain µs");
}

TEST(NiceTicks, RoundStepsCoveringTheRange) {
    EXPECT_EQ(nice_ticks(0, 17, 4), (std::vector<double>{0, 5, 10, 15, 20}));
    const auto t = nice_ticks(0, 0.93, 5);
    ASSERT_EQ(t.size(), 6u);
    EXPECT_DOUBLE_EQ(t[1], 0.2);
    EXPECT_DOUBLE_EQ(t.back(), 1.0);
    EXPECT_EQ(nice_ticks(5, 5, 5).empty(), false);  // a flat series still gets an axis
    EXPECT_EQ(time_ticks(0, 86400), (std::vector<double>{0, 21600, 43200, 64800, 86400}));
    EXPECT_EQ(time_ticks(0, 40), (std::vector<double>{0, 10, 20, 30, 40}));
    EXPECT_EQ(log_ticks(0.003, 0.2), (std::vector<double>{0.001, 0.01, 0.1, 1}));
}

TEST(FormatValue, UsesTheUnit) {
    EXPECT_EQ(format_value(0.25, Unit::seconds), "250ms");
    EXPECT_EQ(format_value(0.5, Unit::fraction), "50%");
    EXPECT_EQ(format_value(16667, Unit::rate), "16.7k/s");
    EXPECT_EQ(format_value(1.2, Unit::usd), "$1.20");
    EXPECT_EQ(format_value(NAN, Unit::plain), "n/a");
}

TEST(Downsample, BoundedAndKeepsSpikes) {
    std::vector<double> x(86400), y(86400, 1.0);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<double>(i + 1);
    y[43210] = 500;
    y[777] = -3;
    const auto pts = downsample_min_max(x, y, 800);
    EXPECT_LE(pts.size(), 1600u);
    EXPECT_GE(pts.size(), 800u);
    EXPECT_TRUE(std::any_of(pts.begin(), pts.end(), [](const Point& p) { return p.y == 500 && p.x == 43211; }));
    EXPECT_TRUE(std::any_of(pts.begin(), pts.end(), [](const Point& p) { return p.y == -3; }));
    EXPECT_TRUE(std::is_sorted(pts.begin(), pts.end(), [](const Point& a, const Point& b) { return a.x < b.x; }));
    // Short series are kept as they are.
    EXPECT_EQ(downsample_min_max({1, 2, 3}, {4, 5, 6}, 800).size(), 3u);
}

TEST(SvgChart, LongSeriesStaySmall) {
    Chart c;
    c.title = "day";
    Series s("p99", {}, {});
    for (int i = 0; i < 86400; ++i) {
        s.x.push_back(i + 1);
        s.y.push_back(0.01 + 0.001 * std::sin(i / 100.0));
    }
    c.series.push_back(s);
    const std::string svg = render_svg(c);
    EXPECT_LE(count(svg, "L"), 2 * 800u);
    EXPECT_LT(svg.size(), 60'000u);
    EXPECT_EQ(balance(svg), "");
}

TEST(SvgChart, FaultBandStartsAtItsTime) {
    Chart c;
    c.title = "latency";
    c.series.emplace_back("p99", std::vector<double>{1, 50, 100}, std::vector<double>{1, 2, 3});
    c.bands.push_back({60, 90, "zone_outage zone-a"});
    const std::string svg = render_svg(c);
    EXPECT_EQ(balance(svg), "");
    // The band's left edge is where the x axis puts the "60s" tick, its right edge at 90 s.
    std::smatch band, tick60, tick30;
    ASSERT_TRUE(std::regex_search(svg, band, std::regex(R"re(<rect class="band-fault" x="([0-9.]+)" y="[0-9.]+" width="([0-9.]+)")re")));
    ASSERT_TRUE(std::regex_search(svg, tick60, std::regex(R"re(<text x="([0-9.]+)" y="[0-9.]+" text-anchor="middle">60s</text>)re")));
    ASSERT_TRUE(std::regex_search(svg, tick30, std::regex(R"re(<text x="([0-9.]+)" y="[0-9.]+" text-anchor="middle">30s</text>)re")));
    const double x60 = std::stod(tick60[1]), x30 = std::stod(tick30[1]);
    EXPECT_NEAR(std::stod(band[1]), x60, 0.11);
    EXPECT_NEAR(std::stod(band[2]), x60 - x30, 0.2);  // 30 s wide
    EXPECT_NE(svg.find("<title>zone_outage zone-a</title>"), std::string::npos);
}

TEST(SvgChart, LogAxisSkipsNonPositiveValues) {
    Chart c;
    c.log_y = true;
    c.series.emplace_back("p99", std::vector<double>{1, 2, 3, 4}, std::vector<double>{0.01, 0, 0.02, 0.03});
    const std::string svg = render_svg(c);
    std::smatch path;
    ASSERT_TRUE(std::regex_search(svg, path, std::regex(R"re(<path d="([^"]*)" fill="none")re")));
    EXPECT_EQ(count(path[1], "M"), 2u);  // two runs, broken at the zero
    EXPECT_EQ(svg.find("nan"), std::string::npos);
    EXPECT_EQ(svg.find("inf"), std::string::npos);
}

TEST(HtmlReport, HostileNamesAreEscaped) {
    const std::string html = render_report({{"res<b>/results.json", hostile_run(), nullptr, ""}});
    EXPECT_EQ(html.find("<script"), std::string::npos);
    EXPECT_EQ(html.find("<b>"), std::string::npos);
    EXPECT_NE(html.find("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;"), std::string::npos);
    EXPECT_EQ(balance(html), "");
}

TEST(HtmlReport, FullRunHasEverySection) {
    const std::string html = render_report({{"run/results.json", load("run-slo-faults.json"), nullptr, ""}});
    EXPECT_EQ(balance(html), "");
    for (const char* id : {"inputs", "verdict", "latency", "traffic", "faults", "slos", "utilisation", "queues", "cost", "analytic", "assumptions"})
        EXPECT_NE(html.find(std::string("<section id=\"") + id + "\""), std::string::npos) << id;
    EXPECT_NE(html.find("1 of 2 SLOs missed"), std::string::npos);
    EXPECT_EQ(count(html, "class=\"band-alert\""), 2u);     // two alert episodes on the burn-down
    EXPECT_GE(count(html, "class=\"band-fault\""), 5u);     // the outage on each time chart
    EXPECT_NE(html.find("zone_outage zone-a"), std::string::npos);
    EXPECT_NE(html.find("still firing at the end"), std::string::npos);
    EXPECT_NE(html.find("after 6s (page 14.4x over 1h/5min)"), std::string::npos);  // the fault's time to detect
    EXPECT_NE(html.find("1.23%"), std::string::npos);                                // and its budget spent
    EXPECT_NE(html.find("@media print"), std::string::npos);
    EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg"));  // no network references but the SVG namespace
    EXPECT_EQ(html.find("https://"), std::string::npos);
    EXPECT_EQ(html.find("<script"), std::string::npos);
}

TEST(HtmlReport, MissingSectionsAreOmittedOrMarked) {
    json d = load("run-slo-faults.json");
    d.erase("slos");
    d.erase("cost");
    d.erase("faults");
    d.erase("analytic");
    const std::string html = render_report({{"r.json", d, nullptr, ""}});
    EXPECT_EQ(balance(html), "");
    EXPECT_EQ(count(html, "band-fault"), 0u);
    EXPECT_EQ(html.find("<section id=\"faults\""), std::string::npos);
    EXPECT_EQ(html.find("Error budget remaining"), std::string::npos);
    EXPECT_NE(html.find("SLOs: not in this results document"), std::string::npos);
    EXPECT_GE(count(html, "Not in this results document."), 3u);  // SLOs, cost, analytic
    // Without series there are no time charts at all.
    d.erase("series");
    const std::string bare = render_report({{"r.json", d, nullptr, ""}});
    EXPECT_EQ(bare.find("<section id=\"latency\""), std::string::npos);
    EXPECT_EQ(bare.find("<section id=\"utilisation\""), std::string::npos);
    EXPECT_EQ(balance(bare), "");
}

TEST(HtmlReport, AnUnstableRunSaysItsSlosAreNotConclusive) {
    json d = load("run-slo-faults.json");
    d["steady_state"] = {{"verdict", "unstable"}, {"conclusive", false},
                         {"findings", json::array({"queue orders grows +135/s (99% CI 131 to 137)"})}};
    for (auto& slo : d["slos"]) slo["conclusive"] = false;
    const std::string html = render_report({{"r.json", d, nullptr, ""}});
    EXPECT_EQ(balance(html), "");
    EXPECT_NE(html.find("not conclusive: the run is not in steady state"), std::string::npos);
    EXPECT_NE(html.find("Steady state: NO — unstable"), std::string::npos);
    EXPECT_NE(html.find("queue orders grows +135/s"), std::string::npos);
    EXPECT_NE(html.find("met, not conclusive"), std::string::npos);
    // No valid event: "no data", never "met".
    for (auto& slo : d["slos"]) slo["valid"] = 0, slo["no_data"] = true, slo["met"] = false;
    d["steady_state"] = {{"verdict", "steady"}, {"conclusive", true}};
    const std::string empty = render_report({{"r.json", d, nullptr, ""}});
    EXPECT_NE(empty.find("No data: no valid event to judge the 2 SLOs"), std::string::npos);
    EXPECT_NE(empty.find("Steady state: yes"), std::string::npos);
    EXPECT_EQ(empty.find("All 2 SLOs met"), std::string::npos);
}

TEST(HtmlReport, TwoRunsAreOverlaidWithALegend) {
    json a = load("run-slo-faults.json"), b = a;
    a["name"] = "with retry budget";
    b["name"] = "without retry budget";
    b["faults"] = json::array();
    const std::string html = render_report({{"a/results.json", a, nullptr, ""}, {"b/results.json", b, nullptr, ""}});
    EXPECT_EQ(balance(html), "");
    EXPECT_NE(html.find("with retry budget vs without retry budget"), std::string::npos);
    EXPECT_NE(html.find(">with retry budget p99</text>"), std::string::npos);
    EXPECT_NE(html.find(">without retry budget p99</text>"), std::string::npos);
    EXPECT_NE(html.find(palette_colour(0)), std::string::npos);
    EXPECT_NE(html.find(palette_colour(1)), std::string::npos);
}

TEST(HtmlReport, DayLongRunStaysSmall) {
    json d = load("run-slo-faults.json");
    const std::size_t n = 86400;
    auto stretch = [n](const json& v) {
        json out = json::array();
        for (std::size_t i = 0; i < n; ++i) out.push_back(v[i % v.size()]);
        return out;
    };
    json& s = d["series"];
    for (auto& [k, v] : s.items())
        if (v.is_array()) v = stretch(v);
        else
            for (auto& [c, arr] : v.items()) arr = stretch(arr);
    for (std::size_t i = 0; i < n; ++i) s["t_s"][i] = static_cast<double>(i + 1);
    for (auto& slo : d["slos"])
        for (auto& [k, v] : slo["series"].items()) v = stretch(v);
    d["duration_s"] = 86400;
    const std::string html = render_report({{"day.json", d, nullptr, ""}});
    EXPECT_LT(html.size(), 2'000'000u);
    EXPECT_EQ(balance(html), "");
}

TEST(HtmlReport, SweepShowsRecommendationAndCurves) {
    const json sweep = load("sweep-small.json");
    const std::string html = render_report({{"sweep.json", sweep, nullptr, ""}});
    EXPECT_EQ(balance(html), "");
    EXPECT_NE(html.find("Horizontal or vertical for 4000 req/s"), std::string::npos);
    EXPECT_NE(html.find("Recommended: api: 2 × c6i.2xlarge"), std::string::npos);
    EXPECT_NE(html.find("Cost of the cheapest configuration meeting every SLO"), std::string::npos);
    EXPECT_NE(html.find("USL fit"), std::string::npos);
    EXPECT_NE(html.find("class=\"chosen\""), std::string::npos);
    EXPECT_NE(html.find(">horizontal</text>"), std::string::npos);
    EXPECT_NE(html.find(">vertical</text>"), std::string::npos);
    EXPECT_EQ(html.find("<section id=\"latency\""), std::string::npos);  // no run in the inputs
    // No analysis block: the sweep table still renders.
    json bare = sweep;
    bare.erase("analysis");
    const std::string h2 = render_report({{"sweep.json", bare, nullptr, ""}});
    EXPECT_NE(h2.find("Analysis: not in this results document"), std::string::npos);
    EXPECT_EQ(balance(h2), "");
}

TEST(HtmlReport, ReplicationsWithoutTheirRunDocument) {
    const json reps = {{"kind", "replications"}, {"name", "demo"}, {"replications", 3}, {"seed", 1}, {"runs", {"gone/rep-0"}},
                       {"aggregate", {{{"metric", "/latency_s/p99"}, {"pointer", "/latency_s/p99"}, {"mean", 0.02}, {"sd", 0.001}, {"ci95", 0.0025}}}}};
    const std::string html = render_report({{"reps.json", reps, nullptr, ""}});
    EXPECT_EQ(balance(html), "");
    EXPECT_NE(html.find("<section id=\"replications\""), std::string::npos);
    EXPECT_NE(html.find("2.5ms"), std::string::npos);
    EXPECT_NE(html.find("could not be read"), std::string::npos);
}

TEST(CheckDocument, SaysWhatIsWrong) {
    EXPECT_EQ(check_document(load("run-slo-faults.json")), "");
    EXPECT_EQ(check_document(load("sweep-small.json")), "");
    EXPECT_NE(check_document(json::array()).find("JSON object"), std::string::npos);
    EXPECT_NE(check_document(json{{"kind", "analysis"}}).find("unknown kind \"analysis\""), std::string::npos);
    EXPECT_NE(check_document(json{{"name", "x"}}).find("no \"kind\""), std::string::npos);
    EXPECT_NE(check_document(json{{"kind", "run"}}).find("summary"), std::string::npos);
}

}  // namespace
}  // namespace stacksim::report
