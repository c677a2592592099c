#include "model/report/html_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "model/report/html.hpp"
#include "model/report/svg_chart.hpp"
#include "model/units/units.hpp"

namespace stacksim::report {
namespace {

using nlohmann::json;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const std::string kMissing = R"(<p class="missing">Not in this results document.</p>)";

// ---- reading documents defensively: a missing or mistyped key reads as absent ----

const json& at(const json& j, const char* key) {
    static const json null_json;
    if (!j.is_object()) return null_json;
    const auto it = j.find(key);
    return it == j.end() ? null_json : *it;
}
double num(const json& j) { return j.is_number() ? j.get<double>() : kNaN; }
double num(const json& j, const char* key) { return num(at(j, key)); }
std::string str(const json& j) {
    if (j.is_string()) return j.get<std::string>();
    if (j.is_null()) return "";
    return j.dump();
}
std::string str(const json& j, const char* key) { return str(at(j, key)); }
std::vector<double> values(const json& j) {
    std::vector<double> out;
    if (!j.is_array()) return out;
    out.reserve(j.size());
    for (const auto& v : j) out.push_back(num(v));
    return out;
}
bool has(const json& j, const char* key) { return j.is_object() && j.contains(key); }

// ---- formatting ----

std::string esc(std::string_view s) { return html_escape(s); }
std::string dur(double s) { return std::isfinite(s) ? units::format_duration(s) : "–"; }

// SLO windows read as people say them: "30d", "7d", "1h".
std::string window(double s) {
    if (std::isfinite(s) && s >= 86400 && std::fmod(s, 86400) == 0) return fmt::format("{:g}d", s / 86400);
    return dur(s);
}
std::string pct(double f, int digits = 3) {
    if (!std::isfinite(f)) return "–";
    return fmt::format("{:.{}g}%", 100 * f, digits);
}
std::string usd(double v) {
    if (!std::isfinite(v)) return "–";
    return std::abs(v) >= 1 || v == 0 ? format_value(v, Unit::usd) : fmt::format("${:.3g}", v);
}
std::string rate(double r) { return std::isfinite(r) ? units::format_rate(r) : "–"; }
std::string count(const json& j) {
    if (j.is_number_unsigned() || j.is_number_integer()) return fmt::format("{}", j.get<long long>());
    if (j.is_number()) return fmt::format("{:.6g}", j.get<double>());
    return "–";
}
// How far a simulated value is from the model, and whether that is worth flagging (> 15 % and visible).
std::string delta_cell(double sim, double model, double visible) {
    if (!std::isfinite(sim) || !std::isfinite(model)) return "<td>–</td>";
    const bool differs = std::abs(sim - model) > std::max(0.15 * std::abs(model), visible);
    const std::string d = model != 0 ? fmt::format("{:+.1f}%", 100 * (sim - model) / std::abs(model)) : "–";
    return fmt::format(R"(<td class="num{}">{}</td>)", differs ? " differs" : "", d + (differs ? " ⚠" : ""));
}

std::string figure(const std::string& svg, const std::string& caption = "") {
    std::string o = "<figure>" + svg;
    if (!caption.empty()) o += "<figcaption>" + caption + "</figcaption>";
    return o + "</figure>\n";
}

// ---- the runs shown in the charts ----

struct RunView {
    std::string label;
    const json* run = nullptr;   // the `run` document with series (may be null for replications)
    const json* top = nullptr;   // the document as given
    std::string path;
    int colour = 0;
};

std::string strip_results(std::string p) {
    for (const char* suffix : {"/results.json", "/sweep.json"}) {
        const std::string s(suffix);
        if (p.size() > s.size() && p.compare(p.size() - s.size(), s.size(), s) == 0) p.resize(p.size() - s.size());
    }
    return p;
}

std::string doc_name(const json& d) {
    const std::string name = str(d, "name");
    if (!name.empty()) return name;
    const std::string e = !str(at(d, "inputs"), "experiment").empty() ? str(at(d, "inputs"), "experiment") : str(d, "experiment");
    return e;
}

std::vector<double> series(const json& run, const char* key) { return values(at(at(run, "series"), key)); }
std::vector<double> times(const json& run) { return series(run, "t_s"); }

std::vector<Band> run_bands(const std::vector<RunView>& runs, bool warmup = true) {
    std::vector<Band> bands;
    std::set<std::tuple<double, double, std::string>> seen;
    if (warmup && !runs.empty() && runs.front().run) {
        const double w = num(*runs.front().run, "warmup_s");
        if (w > 0) bands.push_back({0, w, "warm-up (not measured)", "band-warmup"});
    }
    for (const auto& r : runs) {
        if (!r.run) continue;
        for (const auto& f : at(*r.run, "faults")) {
            const double s = num(f, "start_s");
            double e = num(f, "end_s");
            if (!std::isfinite(s)) continue;
            if (!std::isfinite(e)) e = num(*r.run, "duration_s");
            std::string label = str(f, "kind");
            if (!str(f, "target").empty()) label += fmt::format(" {}", str(f, "target"));
            if (runs.size() > 1) label = r.label + ": " + label;
            if (seen.insert({s, e, str(f, "kind") + "|" + str(f, "target")}).second) bands.push_back({s, e, label, "band-fault"});
        }
    }
    return bands;
}

bool any_runs(const std::vector<RunView>& runs) {
    return std::any_of(runs.begin(), runs.end(), [](const RunView& r) { return r.run != nullptr; });
}

std::set<std::string> component_names(const std::vector<RunView>& runs, const char* key) {
    std::set<std::string> names;
    for (const auto& r : runs)
        if (r.run)
            for (const auto& [name, v] : at(at(*r.run, "series"), key).items()) names.insert(name);
    return names;
}

// ---- sections ----

std::string style_sheet() {
    return R"CSS(
:root { --ink:#202124; --muted:#5f6368; --line:#dadce0; --ok:#188038; --bad:#c5221f; --warn:#e37400; --bg-ok:#e6f4ea; --bg-bad:#fce8e6; --bg-neutral:#f1f3f4; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); margin: 0; background: #fff; line-height: 1.45; font-size: 14px; }
main { max-width: 920px; margin: 0 auto; padding: 28px 24px 48px; }
header h1 { font-size: 26px; margin: 0 0 4px; }
header .kicker { text-transform: uppercase; letter-spacing: .08em; font-size: 11px; color: var(--muted); margin: 0; }
header .question { font-size: 17px; margin: 6px 0 4px; }
header .meta { color: var(--muted); font-size: 12px; margin: 0; }
nav { margin: 16px 0 8px; font-size: 12px; color: var(--muted); }
nav a { color: #1a73e8; text-decoration: none; margin-right: 10px; white-space: nowrap; }
h2 { font-size: 19px; margin: 34px 0 8px; padding-bottom: 4px; border-bottom: 2px solid var(--ink); }
h3 { font-size: 15px; margin: 20px 0 6px; }
p { margin: 6px 0; }
.note, figcaption, .missing { color: var(--muted); font-size: 12px; }
.missing { font-style: italic; }
figure { margin: 12px 0 18px; break-inside: avoid; page-break-inside: avoid; }
figcaption { margin-top: 2px; }
svg.chart { width: 100%; height: auto; display: block; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 14px; font-size: 12.5px; break-inside: auto; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { font-weight: 600; color: var(--muted); background: #f8f9fa; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.differs { color: var(--warn); font-weight: 600; }
tr.chosen td { background: #e8f0fe; font-weight: 600; }
.pill { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 11.5px; font-weight: 600; }
.pill.ok { background: var(--bg-ok); color: var(--ok); } .pill.bad { background: var(--bg-bad); color: var(--bad); }
.pill.neutral { background: var(--bg-neutral); color: var(--muted); }
.verdicts { display: grid; grid-template-columns: repeat(auto-fit, minmax(280px, 1fr)); gap: 12px; margin-top: 10px; }
.verdict { border: 1px solid var(--line); border-left: 6px solid var(--muted); border-radius: 6px; padding: 10px 14px; break-inside: avoid; page-break-inside: avoid; }
.verdict.ok { border-left-color: var(--ok); background: #f6fbf7; } .verdict.bad { border-left-color: var(--bad); background: #fef7f6; }
.verdict h3 { margin: 0 0 6px; font-size: 14px; }
.verdict .headline { font-size: 16px; font-weight: 700; margin: 0 0 8px; }
.verdict.ok .headline { color: var(--ok); } .verdict.bad .headline { color: var(--bad); }
.kpis { display: grid; grid-template-columns: repeat(3, 1fr); gap: 6px 12px; }
.kpi .v { font-size: 17px; font-weight: 600; font-variant-numeric: tabular-nums; }
.kpi .k { font-size: 11px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; vertical-align: baseline; }
.recommendation { border: 1px solid #aecbfa; background: #f1f6fe; border-radius: 6px; padding: 10px 14px; margin: 10px 0; break-inside: avoid; }
.recommendation .headline { font-size: 16px; font-weight: 700; color: #174ea6; margin: 0 0 4px; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12px; background: #f1f3f4; padding: 0 3px; border-radius: 3px; word-break: break-all; }
ul.assumptions li { margin: 3px 0; }
footer { margin-top: 40px; color: var(--muted); font-size: 11px; border-top: 1px solid var(--line); padding-top: 8px; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { font-size: 11px; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  main { max-width: none; padding: 0; }
  nav { display: none; }
  h2 { break-after: avoid; page-break-after: avoid; margin-top: 22px; }
  h3 { break-after: avoid; page-break-after: avoid; }
  figure, .verdict, .recommendation, table.small { break-inside: avoid; page-break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
)CSS";
}

std::string swatch(int colour) { return fmt::format(R"(<span class="swatch" style="background:{}"></span>)", palette_colour(colour)); }

std::string inputs_section(const std::vector<Document>& docs) {
    std::string o = R"(<section id="inputs"><h2>Inputs</h2>)";
    o += R"(<table><thead><tr><th>results</th><th>kind</th><th>experiment / topology</th><th>overrides</th><th class="num">seed</th><th class="num">duration</th><th class="num">warm-up</th><th class="num">interval</th></tr></thead><tbody>)";
    for (const auto& d : docs) {
        const json& j = d.doc;
        const json& in = at(j, "inputs");
        std::string files = str(in, "experiment").empty() ? str(j, "experiment") : str(in, "experiment");
        if (!str(in, "topology").empty()) files += "<br>" + esc(str(in, "topology"));
        std::string overrides;
        const json& ov = has(in, "overrides") ? at(in, "overrides") : at(j, "sets");
        for (const auto& v : ov) overrides += "<code>" + esc(str(v)) + "</code> ";
        if (has(j, "params"))
            for (const auto& p : at(j, "params")) {
                std::string vals;
                for (const auto& v : at(p, "values")) vals += (vals.empty() ? "" : ", ") + str(v);
                overrides += "<code>" + esc(str(p, "path") + " ∈ {" + vals + "}") + "</code> ";
            }
        const json* run = d.run.is_object() ? &d.run : &j;
        const json& engine = at(*run, "engine");
        const double seed = has(j, "seed") ? num(j, "seed") : num(engine, "seed");
        o += fmt::format(R"(<tr><td><code>{}</code>{}</td><td>{}</td><td>{}</td><td>{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td></tr>)",
                         esc(d.path), d.run_path.empty() ? "" : "<br><span class=\"note\">charts from <code>" + esc(d.run_path) + "</code></span>",
                         esc(str(j, "kind")) + (has(j, "replications") ? " × " + esc(count(at(j, "replications"))) : ""),
                         files.empty() ? "–" : (files.find("<br>") == std::string::npos ? esc(files) : esc(files.substr(0, files.find("<br>"))) + files.substr(files.find("<br>"))),
                         overrides.empty() ? "none" : overrides, std::isfinite(seed) ? fmt::format("{:.0f}", seed) : "–",
                         dur(num(*run, "duration_s")), dur(num(*run, "warmup_s")), dur(num(*run, "interval_s")));
    }
    o += "</tbody></table>";
    for (const auto& d : docs) {
        const json& engine = at(d.run.is_object() ? d.run : d.doc, "engine");
        const json& wall = at(d.run.is_object() ? d.run : d.doc, "wall");
        const std::string hash = !str(at(d.doc, "inputs"), "hash").empty() ? str(at(d.doc, "inputs"), "hash") : str(d.doc, "experiment_hash");
        std::string line = fmt::format("<code>{}</code>: stacksim {}", esc(d.path), esc(str(d.doc, "stacksim_version")));
        if (!hash.empty()) line += fmt::format(", inputs hash <code>{}</code>", esc(hash));
        if (engine.is_object())
            line += fmt::format("; {} events, {} simulated in {} wall ({:.3g} events/s)", count(at(engine, "events")), dur(num(engine, "simulated_s")),
                                dur(num(wall, "wall_time_s")), num(wall, "events_per_wall_s"));
        o += R"(<p class="note">)" + line + ".</p>";
    }
    return o + "</section>\n";
}

std::string kpi(const std::string& value, const std::string& key) {
    return fmt::format(R"(<div class="kpi"><div class="v">{}</div><div class="k">{}</div></div>)", value, key);
}

// "Steady state: yes", or what grows and how fast, and the warm-up suggestion.
std::string stability_paragraph(const json& steady) {
    if (!steady.is_object() || !has(steady, "verdict")) return "";
    const std::string verdict = str(steady, "verdict");
    if (verdict == "steady") {
        const json& w = at(steady, "warmup");
        std::string o = fmt::format(R"(<p class="note">Steady state: yes — no growing backlog; {}.</p>)",
                                    at(w, "applicable") == false ? "warm-up not judged (" + esc(str(w, "reason")) + ")"
                                                                 : std::string("the warm-up covers the initial transient (MSER-5)"));
        if (!at(steady, "findings").empty()) {  // e.g. a queue pinned at its bound: stationary, but refusing work
            o += R"(<ul class="findings">)";
            for (const auto& f : at(steady, "findings")) o += "<li>" + esc(str(f)) + "</li>";
            o += "</ul>";
        }
        return o;
    }
    std::string o = fmt::format(R"(<p class="headline">Steady state: {}</p><ul class="findings">)",
                                verdict == "unstable" ? "NO — unstable" : verdict == "transient" ? "NO — transient (warm-up too short)" : esc(verdict));
    for (const auto& f : at(steady, "findings")) o += "<li>" + esc(str(f)) + "</li>";
    return o + "</ul>";
}

std::string verdict_section(const std::vector<RunView>& runs) {
    std::string o = R"(<section id="verdict"><h2>Verdict</h2><div class="verdicts">)";
    for (const auto& r : runs) {
        const json& run = r.run ? *r.run : *r.top;
        const json& s = at(run, "summary");
        const json& slos = at(run, "slos");
        int met = 0, total = 0, alerts = 0, no_data = 0;
        double worst_consumed = kNaN;
        for (const auto& slo : slos) {
            ++total;
            if (at(slo, "no_data") == true || at(slo, "valid") == 0) ++no_data;
            else if (at(slo, "met").is_boolean() && at(slo, "met").get<bool>()) ++met;
            const double c = num(at(slo, "budget"), "consumed_fraction");
            if (std::isfinite(c)) worst_consumed = std::isfinite(worst_consumed) ? std::max(worst_consumed, c) : c;
            for (const auto& a : at(slo, "alerts")) alerts += static_cast<int>(at(a, "fired").size());
        }
        // The run's verdict on itself (model/steady): a met SLO of a run not in steady state is not conclusive.
        const json& steady = has(*r.top, "steady_state") ? at(*r.top, "steady_state") : at(run, "steady_state");
        const bool conclusive = !steady.is_object() || at(steady, "conclusive") != false;
        const std::string cls = !slos.is_array() || total == 0 ? "" : (met == total && conclusive ? " ok" : " bad");
        std::string headline = !slos.is_array() ? "SLOs: not in this results document"
                               : total == 0     ? "No SLOs defined"
                               : no_data == total ? fmt::format("No data: no valid event to judge the {} SLO{}", total, total == 1 ? "" : "s")
                               : met == total   ? fmt::format("All {} SLO{} met", total, total == 1 ? "" : "s")
                                                : fmt::format("{} of {} SLOs missed{}", total - met, total,
                                                              no_data ? fmt::format(" ({} without data)", no_data) : "");
        if (!conclusive && total > 0) headline += " — not conclusive: the run is not in steady state";
        o += fmt::format(R"(<div class="verdict{}"><h3>{}{}</h3><p class="headline">{}</p>)", cls, swatch(r.colour), esc(r.label), headline);
        o += stability_paragraph(steady);
        o += R"(<div class="kpis">)";
        o += kpi(pct(num(s, "availability"), 5), "availability");
        o += kpi(rate(num(s, "throughput_rps")), "throughput");
        o += kpi(dur(num(at(s, "latency_s"), "p99")), "p99 latency");
        o += kpi(std::isfinite(worst_consumed) ? pct(worst_consumed) : "–", "budget consumed (worst)");
        o += kpi(slos.is_array() ? fmt::format("{}", alerts) : "–", "alerts fired");
        o += kpi(has(run, "cost") ? usd(num(at(run, "cost"), "per_hour_usd")) + "/h" : "–", "cost");
        o += "</div></div>";
    }
    return o + "</div></section>\n";
}

std::string latency_section(const std::vector<RunView>& runs, const Options& opt) {
    std::string o = R"(<section id="latency"><h2>Latency over time</h2>)";
    Chart c;
    c.title = "Latency quantiles of successful requests, per interval";
    c.y_label = opt.log_latency ? "latency (log scale)" : "latency";
    c.y_unit = Unit::seconds;
    c.log_y = opt.log_latency;
    c.x_label = "simulated time";
    c.bands = run_bands(runs);
    const bool single = runs.size() == 1;
    for (const auto& r : runs) {
        if (!r.run) continue;
        const auto t = times(*r.run);
        const std::string prefix = single ? "" : r.label + " ";
        if (single) {
            c.series.push_back({"p50", t, series(*r.run, "p50_s"), 0});
            c.series.push_back({"p95", t, series(*r.run, "p95_s"), 1});
            c.series.push_back({"p99", t, series(*r.run, "p99_s"), 9});
            c.series.push_back({"p99.9", t, series(*r.run, "p999_s"), 3, Style::line, true});
        } else {
            c.series.push_back({prefix + "p99", t, series(*r.run, "p99_s"), r.colour});
            c.series.push_back({prefix + "p50", t, series(*r.run, "p50_s"), r.colour, Style::line, true});
        }
        for (const auto& slo : at(*r.run, "slos"))
            if (str(slo, "sli") == "latency" && std::isfinite(num(slo, "threshold_s"))) {
                const std::string label = fmt::format("SLO {}: {}", str(slo, "name"), dur(num(slo, "threshold_s")));
                if (std::none_of(c.hlines.begin(), c.hlines.end(), [&](const HLine& h) { return h.label == label; }))
                    c.hlines.push_back({num(slo, "threshold_s"), label});
            }
    }
    o += figure(render_svg(c), "Each point is one interval; the quantiles are over the requests that completed in it. "
                               "Shaded: warm-up (grey) and injected faults (red). Dashed red lines: latency SLO thresholds.");
    // Summary table.
    o += R"(<table class="small"><thead><tr><th>run</th><th>endpoint</th><th class="num">completed</th><th class="num">errors</th><th class="num">mean</th><th class="num">p50</th><th class="num">p95</th><th class="num">p99</th><th class="num">p99.9</th><th class="num">max</th></tr></thead><tbody>)";
    for (const auto& r : runs) {
        const json& s = at(r.run ? *r.run : *r.top, "summary");
        auto row = [&](const std::string& name, const json& lat, const json& n, const json& e) {
            o += fmt::format(R"(<tr><td>{}{}</td><td>{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td></tr>)",
                             swatch(r.colour), esc(r.label), esc(name), count(n), count(e), dur(num(lat, "mean")), dur(num(lat, "p50")),
                             dur(num(lat, "p95")), dur(num(lat, "p99")), dur(num(lat, "p999")), dur(num(lat, "max")));
        };
        for (const auto& ep : at(s, "endpoints")) row(str(ep, "endpoint"), at(ep, "latency_s"), at(ep, "completed"), at(ep, "errors"));
        row("all requests", at(s, "latency_s"), at(s, "completed"), at(s, "errors"));
    }
    o += "</tbody></table><p class=\"note\">Whole-run figures exclude the warm-up.</p>";
    return o + "</section>\n";
}

std::string traffic_section(const std::vector<RunView>& runs) {
    std::string o = R"(<section id="traffic"><h2>Throughput and errors</h2>)";
    const bool single = runs.size() == 1;
    Chart c;
    c.title = "Arrivals and completions per second";
    c.y_unit = Unit::rate;
    c.y_label = "requests/s";
    c.x_label = "simulated time";
    c.bands = run_bands(runs);
    Chart e = c;
    e.title = "Errors per second";
    e.y_label = "errors/s";
    for (const auto& r : runs) {
        if (!r.run) continue;
        const auto t = times(*r.run);
        const std::string prefix = single ? "" : r.label + " ";
        c.series.push_back({prefix + "arrivals", t, series(*r.run, "arrivals_rps"), single ? 0 : r.colour, Style::line, true});
        c.series.push_back({prefix + "completed", t, series(*r.run, "completed_rps"), single ? 2 : r.colour});
        e.series.push_back({prefix + "errors", t, series(*r.run, "errors_rps"), single ? 9 : r.colour, Style::area});
    }
    o += figure(render_svg(c), "Arrivals: requests offered in the interval (dashed). Completed: successful responses.");
    o += figure(render_svg(e), "Requests that ended in an error (rejected, pool timeout, queue full, failed dependency).");
    o += R"(<table class="small"><thead><tr><th>run</th><th class="num">arrivals</th><th class="num">completed</th><th class="num">errors</th><th class="num">availability</th><th>errors by kind</th></tr></thead><tbody>)";
    for (const auto& r : runs) {
        const json& s = at(r.run ? *r.run : *r.top, "summary");
        std::string kinds;
        for (const auto& [k, v] : at(s, "errors_by_kind").items()) kinds += esc(k) + " " + count(v) + "; ";
        o += fmt::format(R"(<tr><td>{}{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td>{}</td></tr>)",
                         swatch(r.colour), esc(r.label), count(at(s, "arrivals")), count(at(s, "completed")), count(at(s, "errors")),
                         pct(num(s, "availability"), 6), kinds.empty() ? "none" : kinds);
    }
    return o + "</tbody></table></section>\n";
}

std::string slo_section(const std::vector<RunView>& runs) {
    std::string o = R"(<section id="slos"><h2>SLOs and error budget</h2>)";
    bool any_doc = false, any_slo = false;
    for (const auto& r : runs)
        if (r.run && at(*r.run, "slos").is_array()) {
            any_doc = true;
            any_slo = any_slo || !at(*r.run, "slos").empty();
        }
    if (!any_doc) return o + kMissing + "</section>\n";
    if (!any_slo) return o + R"(<p class="missing">The experiment defines no SLOs.</p></section>)" + "\n";
    o += R"(<table><thead><tr><th>run</th><th>SLO</th><th>SLI</th><th class="num">objective</th><th class="num">threshold</th><th class="num">window</th><th class="num">SLI value</th><th>verdict</th><th class="num">burn rate</th><th class="num">budget consumed</th><th class="num">alerts fired</th></tr></thead><tbody>)";
    std::vector<std::string> names;
    for (const auto& r : runs) {
        if (!r.run) continue;
        for (const auto& slo : at(*r.run, "slos")) {
            const std::string name = str(slo, "name");
            if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
            const bool met = at(slo, "met").is_boolean() && at(slo, "met").get<bool>();
            const bool no_data = at(slo, "no_data") == true || at(slo, "valid") == 0;
            const std::string verdict = no_data ? "no data" : std::string(met ? "met" : "missed") + (at(slo, "conclusive") == false ? ", not conclusive" : "");
            int fired = 0;
            for (const auto& a : at(slo, "alerts")) fired += static_cast<int>(at(a, "fired").size());
            std::string sli = str(slo, "sli");
            if (!str(slo, "endpoint").empty()) sli += " (" + str(slo, "endpoint") + ")";
            o += fmt::format(R"(<tr><td>{}{}</td><td>{}</td><td>{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td><span class="pill {}">{}</span></td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td></tr>)",
                             swatch(r.colour), esc(r.label), esc(name), esc(sli), pct(num(slo, "objective"), 5), dur(num(slo, "threshold_s")),
                             window(num(slo, "window_s")), pct(num(slo, "sli_value"), 6), met && !no_data ? "ok" : "bad", verdict,
                             std::isfinite(num(slo, "burn_rate")) ? fmt::format("{:.3g}×", num(slo, "burn_rate")) : "–",
                             pct(num(at(slo, "budget"), "consumed_fraction")), fired);
        }
    }
    o += "</tbody></table>";
    o += R"(<p class="note">Budget consumed: the run's bad events as a share of the SLO window's error budget, the window being assumed to carry the run's traffic rate; the rest of the window is not extrapolated (see Assumptions).</p>)";
    for (const auto& name : names) {
        Chart b;
        b.title = "Error budget remaining — " + name;
        b.y_unit = Unit::fraction;
        b.y_label = "budget left";
        b.x_label = "simulated time";
        b.y_max_hint = 1;
        b.bands = run_bands(runs);
        Chart br = b;
        br.title = "Burn rate over the shortest alert window — " + name;
        br.y_unit = Unit::plain;
        br.y_label = "burn rate (1 = on budget)";
        br.y_max_hint = 0;
        std::set<double> thresholds;
        for (const auto& r : runs) {
            if (!r.run) continue;
            for (const auto& slo : at(*r.run, "slos")) {
                if (str(slo, "name") != name) continue;
                const auto t = times(*r.run);
                const std::string prefix = runs.size() == 1 ? "" : r.label + " ";
                b.series.push_back({prefix + "budget remaining", t, values(at(at(slo, "series"), "budget_remaining")), runs.size() == 1 ? 0 : r.colour});
                if (has(at(slo, "series"), "burn_rate_short"))
                    br.series.push_back({prefix + "burn rate", t, values(at(at(slo, "series"), "burn_rate_short")), runs.size() == 1 ? 1 : r.colour});
                for (const auto& a : at(slo, "alerts")) {
                    const std::string sev = str(a, "severity");
                    if (std::isfinite(num(a, "burn_rate")) && thresholds.insert(num(a, "burn_rate")).second)
                        br.hlines.push_back({num(a, "burn_rate"), fmt::format("{} threshold {:.3g}×", sev, num(a, "burn_rate"))});
                    for (const auto& f : at(a, "fired")) {
                        const double s0 = num(f, "at_s");
                        double s1 = num(f, "resolved_s");
                        const bool open = !std::isfinite(s1);
                        if (open) s1 = num(*r.run, "duration_s");
                        const std::string label = fmt::format("{}{} alert ({} / {} windows, burn ≥ {:.3g}×) fired at {}{}", prefix, sev,
                                                              dur(num(a, "long_window_s")), dur(num(a, "short_window_s")), num(a, "burn_rate"),
                                                              dur(s0), open ? ", still firing at the end" : ", resolved at " + dur(s1));
                        if (!std::isfinite(s0)) continue;
                        b.bands.push_back({s0, s1, label, "band-alert"});
                        b.markers.push_back({s0, label});
                        br.markers.push_back({s0, label});
                    }
                }
            }
        }
        o += figure(render_svg(b), "Fraction of the window's error budget left after each interval. Orange bands: burn-rate alerts firing "
                                   "(red triangles mark when they fired).");
        const bool burning = std::any_of(br.series.begin(), br.series.end(), [](const Series& s) {
            return std::any_of(s.y.begin(), s.y.end(), [](double y) { return y > 0; });
        });
        if (burning || !br.markers.empty()) o += figure(render_svg(br), "Dashed lines: the burn rate at which each alert pages or tickets.");
    }
    return o + "</section>\n";
}

std::string utilisation_section(const std::vector<RunView>& runs) {
    std::string o = R"(<section id="utilisation"><h2>Utilisation per component</h2>)";
    HeatMap h;
    h.title = "Utilisation per interval (mean per cell; hover for the peak)";
    for (const auto& r : runs) {
        if (!r.run) continue;
        const auto t = times(*r.run);
        if (h.x.empty() || t.size() > h.x.size()) h.x = t;
        for (const auto& [name, v] : at(at(*r.run, "series"), "utilisation").items()) {
            h.rows.push_back(runs.size() == 1 ? name : r.label + " · " + name);
            h.values.push_back(values(v));
        }
    }
    if (h.rows.empty()) return o + kMissing + "</section>\n";
    o += figure(render_heat_map(h), "Busy fraction of each component's servers (workers, connections, cores) per interval.");
    const auto names = component_names(runs, "utilisation");
    if (runs.size() == 1) {
        Chart c;
        c.title = "Utilisation over time";
        c.y_unit = Unit::fraction;
        c.y_label = "busy fraction";
        c.x_label = "simulated time";
        c.y_max_hint = 1;
        c.bands = run_bands(runs);
        int i = 0;
        for (const auto& name : names) c.series.push_back({name, times(*runs[0].run), values(at(at(at(*runs[0].run, "series"), "utilisation"), name.c_str())), i++});
        o += figure(render_svg(c));
    }
    o += R"(<table class="small"><thead><tr><th>run</th><th>service</th><th>kind</th><th class="num">servers</th><th class="num">mean utilisation</th><th class="num">peak interval</th><th>per instance</th></tr></thead><tbody>)";
    for (const auto& r : runs) {
        const json& run = r.run ? *r.run : *r.top;
        for (const auto& s : at(at(run, "summary"), "services")) {
            const auto v = values(at(at(at(run, "series"), "utilisation"), str(s, "service").c_str()));
            double peak = kNaN;
            for (double x : v)
                if (std::isfinite(x)) peak = std::isfinite(peak) ? std::max(peak, x) : x;
            std::string inst;
            const auto& iu = at(s, "instance_utilisation");
            for (std::size_t i = 0; i < iu.size() && i < 16; ++i) inst += pct(num(iu[i]), 2) + " ";
            if (iu.size() > 16) inst += fmt::format("… ({} instances)", iu.size());
            o += fmt::format(R"(<tr><td>{}{}</td><td>{}</td><td>{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td>{}</td></tr>)",
                             swatch(r.colour), esc(r.label), esc(str(s, "service")), esc(str(s, "kind")), count(at(s, "servers")),
                             pct(num(s, "utilisation")), pct(peak), esc(inst));
        }
    }
    return o + "</tbody></table></section>\n";
}

// One chart of a per-component series map (queue depth, replicas, hit ratio); components whose
// series is zero throughout are left out when `skip_zero`.
std::string component_chart(const std::vector<RunView>& runs, const char* key, const std::string& title, const std::string& y_label,
                            Unit unit, Style style, bool skip_zero, double y_hint) {
    Chart c;
    c.title = title;
    c.y_unit = unit;
    c.y_label = y_label;
    c.x_label = "simulated time";
    c.y_max_hint = y_hint;
    c.bands = run_bands(runs);
    const auto names = component_names(runs, key);
    int colour = 0;
    for (const auto& name : names) {
        for (std::size_t i = 0; i < runs.size(); ++i) {
            const auto& r = runs[i];
            if (!r.run) continue;
            const json& v = at(at(at(*r.run, "series"), key), name.c_str());
            if (!v.is_array()) continue;
            auto ys = values(v);
            if (skip_zero && std::all_of(ys.begin(), ys.end(), [](double y) { return !(y > 0); })) continue;
            c.series.push_back({runs.size() == 1 ? name : r.label + " · " + name, times(*r.run), std::move(ys), colour, style, i % 2 == 1});
        }
        ++colour;
    }
    if (c.series.empty()) return "";
    return render_svg(c);
}

std::string queues_section(const std::vector<RunView>& runs) {
    std::string o = R"(<section id="queues"><h2>Queue depths, replicas and caches</h2>)";
    if (component_names(runs, "queue_depth").empty()) {
        o += "<h3>Queue depth</h3>" + kMissing;
    } else {
        const std::string q = component_chart(runs, "queue_depth", "Requests waiting per component (end of interval)", "waiting", Unit::plain, Style::line, true, 0);
        o += q.empty() ? R"(<p class="note">No component had requests waiting at the end of any interval.</p>)"
                       : figure(q, "Requests queued (waiting for a worker, connection or server) at the end of each interval; components that never queued are left out.");
    }
    if (!component_names(runs, "replicas").empty()) {
        o += figure(component_chart(runs, "replicas", "Instances running per service", "instances", Unit::plain, Style::step, false, 0),
                    "Instances of each service running at the end of each interval (changes with autoscaling and failures).");
    }
    if (!component_names(runs, "cache_hit_ratio").empty()) {
        const std::string c = component_chart(runs, "cache_hit_ratio", "Cache hit ratio per interval", "hit ratio", Unit::fraction, Style::line, false, 1);
        if (!c.empty()) o += figure(c);
    }
    return o + "</section>\n";
}

// The fault timeline: each occurrence's impact and what it cost the SLOs (docs/chaos.md, slo.md).
std::string faults_section(const std::vector<RunView>& runs) {
    std::string rows, slo_rows;
    for (const auto& r : runs) {
        if (!r.run) continue;
        for (const auto& f : at(*r.run, "faults")) {
            const json& b = at(f, "baseline");
            rows += fmt::format(R"(<tr><td>{}{}</td><td>{}</td><td>{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{} <span class="note">(before {})</span></td><td class="num">{}</td></tr>)",
                                swatch(r.colour), esc(r.label), esc(str(f, "kind")), esc(str(f, "target")), dur(num(f, "start_s")),
                                dur(num(f, "end_s")), count(at(f, "requests_failed")), pct(num(f, "error_rate"), 2), dur(num(f, "p99_s")),
                                dur(num(b, "p99_s")), at(f, "ended") == true ? dur(num(f, "time_to_recover_s")) : std::string("still active"));
            for (const auto& i : at(f, "slos"))
                slo_rows += fmt::format(R"(<tr><td>{}{}</td><td>{} {}</td><td>{}</td><td class="num">{:.0f}</td><td class="num">{}</td><td>{}</td></tr>)",
                                        swatch(r.colour), esc(r.label), esc(str(f, "kind")), esc(str(f, "target")), esc(str(i, "slo")),
                                        num(i, "bad_events"), pct(num(i, "budget_consumed_fraction"), 3),
                                        std::isfinite(num(i, "time_to_detect_s"))
                                            ? esc(fmt::format("after {} ({})", dur(num(i, "time_to_detect_s")), str(i, "detected_by")))
                                            : std::string("no alert fired"));
        }
    }
    if (rows.empty()) return "";
    std::string o = R"(<section id="faults"><h2>Faults</h2>)";
    o += R"(<table class="small"><thead><tr><th>run</th><th>fault</th><th>target</th><th class="num">start</th><th class="num">end</th><th class="num">failed</th><th class="num">error rate</th><th class="num">p99 during</th><th class="num">recovered after</th></tr></thead><tbody>)" +
         rows + "</tbody></table>";
    o += R"(<p class="note">Failed, error rate and p99: requests finishing while the fault was active. Recovered after: from the fault's end until the error rate and p99 are back within 2× of the pre-fault baseline.</p>)";
    if (!slo_rows.empty())
        o += R"(<table class="small"><thead><tr><th>run</th><th>fault</th><th>SLO</th><th class="num">bad events</th><th class="num">budget spent</th><th>detected</th></tr></thead><tbody>)" +
             slo_rows + R"(</tbody></table><p class="note">Budget spent from the fault's start until recovery, as a share of the SLO window's error budget; detected: the first burn-rate alert that fired in that span.</p>)";
    return o + "</section>\n";
}

std::string cost_section(const std::vector<RunView>& runs) {
    std::string o = R"(<section id="cost"><h2>Cost</h2>)";
    bool any = false;
    std::string table = R"(<table class="small"><thead><tr><th>run</th><th class="num">per hour</th><th class="num">per month</th><th class="num">per million requests</th><th>prices as of</th></tr></thead><tbody>)";
    std::string services = R"(<table class="small"><thead><tr><th>run</th><th>service</th><th>machine</th><th class="num">replicas (time-average)</th><th class="num">per hour</th><th class="num">share</th></tr></thead><tbody>)";
    for (const auto& r : runs) {
        const json& cost = at(r.run ? *r.run : *r.top, "cost");
        if (!cost.is_object()) continue;
        any = true;
        table += fmt::format(R"(<tr><td>{}{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td>{}</td></tr>)", swatch(r.colour),
                             esc(r.label), usd(num(cost, "per_hour_usd")), usd(num(cost, "per_month_usd")), usd(num(cost, "per_million_requests_usd")),
                             esc(str(cost, "price_date")));
        for (const auto& s : at(cost, "services"))
            services += fmt::format(R"(<tr><td>{}{}</td><td>{}</td><td>{}</td><td class="num">{:.3g}</td><td class="num">{}</td><td class="num">{}</td></tr>)",
                                    swatch(r.colour), esc(r.label), esc(str(s, "service")), esc(str(s, "machine")), num(s, "replicas"),
                                    usd(num(s, "per_hour_usd")), pct(num(s, "per_hour_usd") / num(cost, "per_hour_usd")));
    }
    if (!any) return o + kMissing + "</section>\n";
    o += table + "</tbody></table>" + services + "</tbody></table>";
    o += R"(<p class="note">On-demand prices from the machine catalog; a month is 730 hours. Per million requests divides the hourly cost by the measured throughput.</p>)";
    return o + "</section>\n";
}

std::string replications_section(const std::vector<Document>& docs) {
    std::string o;
    for (const auto& d : docs) {
        if (str(d.doc, "kind") != "replications") continue;
        o += fmt::format(R"(<h3>{} — {} replications (base seed {})</h3>)", esc(d.path), count(at(d.doc, "replications")), count(at(d.doc, "seed")));
        o += R"(<table class="small"><thead><tr><th>metric</th><th class="num">mean</th><th class="num">± 95% CI</th><th class="num">std. dev.</th><th class="num">CI / mean</th></tr></thead><tbody>)";
        for (const auto& m : at(d.doc, "aggregate")) {
            const std::string metric = str(m, "metric"), ptr = str(m, "pointer");
            const bool time = ptr.find("latency_s") != std::string::npos;
            const bool frac = ptr.find("utilisation") != std::string::npos || ptr.find("availability") != std::string::npos ||
                              ptr.find("hit_ratio") != std::string::npos;
            const Unit u = time ? Unit::seconds : frac ? Unit::fraction : ptr.find("_rps") != std::string::npos ? Unit::rate : Unit::plain;
            const double mean = num(m, "mean");
            o += fmt::format(R"(<tr><td>{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td></tr>)",
                             esc(metric), esc(format_value(mean, u)), esc(format_value(num(m, "ci95"), u)), esc(format_value(num(m, "sd"), u)),
                             mean != 0 ? pct(num(m, "ci95") / std::abs(mean), 2) : "–");
        }
        o += "</tbody></table>";
        if (!d.run.is_object())
            o += R"(<p class="note">Replication 0's run document could not be read, so there are no time series for this input.</p>)";
        else
            o += fmt::format(R"(<p class="note">Charts show replication 0 (<code>{}</code>).</p>)", esc(d.run_path));
    }
    if (o.empty()) return "";
    return R"(<section id="replications"><h2>Replications</h2><p class="note">Mean over independent replications with a 95 % confidence half-width from Student's t.</p>)" + o + "</section>\n";
}

std::string analytic_section(const std::vector<RunView>& runs) {
    std::string o = R"(<section id="analytic"><h2>Analytic cross-check</h2>)";
    o += R"(<p class="note">The simulation beside the instant queueing model of the same inputs (<code>stacksim analyze</code>). A gap over 15 % (⚠) means the model's approximation does not hold there (correlated waits, multi-modal latencies, faults) or the run is too short (cold caches, rare events).</p>)";
    bool any = false;
    for (const auto& r : runs) {
        const json& run = r.run ? *r.run : *r.top;
        const json& a = at(*r.top, "analytic").is_object() ? at(*r.top, "analytic") : at(run, "analytic");
        if (runs.size() > 1) o += "<h3>" + swatch(r.colour) + esc(r.label) + "</h3>";
        if (!a.is_object()) {
            o += kMissing;
            continue;
        }
        if (has(a, "error")) {
            o += fmt::format(R"(<p class="missing">The analytic model could not solve these inputs: {}</p>)", esc(str(a, "error")));
            continue;
        }
        any = true;
        const json& s = at(run, "summary");
        o += R"(<table class="small"><thead><tr><th>endpoint</th><th class="num">mean (sim)</th><th class="num">mean (model)</th><th class="num">Δ</th><th class="num">p99 (sim)</th><th class="num">p99 (model)</th><th class="num">Δ</th></tr></thead><tbody>)";
        auto row = [&](const std::string& name, const json& lat, double m_mean, double m_p99) {
            o += fmt::format(R"(<tr><td>{}</td><td class="num">{}</td><td class="num">{}</td>{}<td class="num">{}</td><td class="num">{}</td>{}</tr>)", esc(name),
                             dur(num(lat, "mean")), dur(m_mean), delta_cell(num(lat, "mean"), m_mean, 1e-3), dur(num(lat, "p99")), dur(m_p99),
                             delta_cell(num(lat, "p99"), m_p99, 1e-3));
        };
        for (const auto& ep : at(s, "endpoints")) {
            double m_mean = kNaN, m_p99 = kNaN;
            for (const auto& x : at(a, "endpoints"))
                if (at(x, "endpoint") == at(ep, "endpoint")) m_mean = num(x, "mean_s"), m_p99 = num(x, "p99_s");
            row(str(ep, "endpoint"), at(ep, "latency_s"), m_mean, m_p99);
        }
        row("all requests", at(s, "latency_s"), num(at(a, "latency_s"), "mean"), num(at(a, "latency_s"), "p99"));
        o += "</tbody></table>";
        o += R"(<table class="small"><thead><tr><th>service</th><th>kind</th><th class="num">utilisation (sim)</th><th class="num">ρ (model)</th><th class="num">Δ</th><th>model</th></tr></thead><tbody>)";
        for (const auto& svc : at(s, "services")) {
            double busy = 0, servers = 0;
            std::string formulas;
            for (const auto& st : at(a, "stations"))
                if (at(st, "service") == at(svc, "service") && num(st, "servers") > 0 && str(st, "role") != "consumer slots") {
                    busy += num(st, "utilisation") * num(st, "servers");
                    servers += num(st, "servers");
                    if (formulas.find(str(st, "formula")) == std::string::npos) formulas += (formulas.empty() ? "" : "; ") + str(st, "formula");
                }
            const double model = servers > 0 ? busy / servers : kNaN;
            o += fmt::format(R"(<tr><td>{}</td><td>{}</td><td class="num">{}</td><td class="num">{}</td>{}<td>{}</td></tr>)", esc(str(svc, "service")),
                             esc(str(svc, "kind")), pct(num(svc, "utilisation")), pct(model), delta_cell(num(svc, "utilisation"), model, 0.03), esc(formulas));
        }
        o += "</tbody></table>";
        if (!at(s, "caches").empty()) {
            o += R"(<table class="small"><thead><tr><th>cache</th><th class="num">hit ratio (sim)</th><th class="num">hit ratio (Che)</th><th class="num">Δ</th></tr></thead><tbody>)";
            for (const auto& c : at(s, "caches")) {
                double hits = 0, lookups = 0;
                for (const auto& x : at(a, "caches"))
                    if (at(x, "cache") == at(c, "cache")) hits += num(x, "hit_ratio") * num(x, "request_rate_rps"), lookups += num(x, "request_rate_rps");
                const double model = lookups > 0 ? hits / lookups : kNaN;
                o += fmt::format(R"(<tr><td>{}</td><td class="num">{}</td><td class="num">{}</td>{}</tr>)", esc(str(c, "cache")), pct(num(c, "hit_ratio")),
                                 pct(model), delta_cell(num(c, "hit_ratio"), model, 0.03));
            }
            o += "</tbody></table>";
        }
        if (!str(a, "bottleneck").empty())
            o += fmt::format(R"(<p>Bottleneck (model): <strong>{}</strong>; the stack saturates at {} ({:.2f}× the offered {}).</p>)", esc(str(a, "bottleneck")),
                             rate(num(a, "saturation_rate_rps")), num(a, "saturation_rate_rps") / num(a, "offered_rate_rps"), rate(num(a, "offered_rate_rps")));
        if (!at(a, "notes").empty()) {
            o += R"(<ul class="note">)";
            for (const auto& n : at(a, "notes")) o += "<li>" + esc(str(n)) + "</li>";
            o += "</ul>";
        }
    }
    (void)any;
    return o + "</section>\n";
}

// ---- sweeps ----

const json* find_point(const json& sweep, const std::string& id) {
    for (const auto& p : at(sweep, "points"))
        if (str(p, "id") == id) return &p;
    return nullptr;
}

std::string point_config(const json& p) {
    std::string machine = str(p, "machine"), service = str(p, "service");
    std::string s = fmt::format("{} × {}", count(at(p, "replicas")), machine.empty() ? "?" : machine);
    if (!service.empty()) s = service + ": " + s;
    return s;
}

std::string sweep_section(const Document& d, int index) {
    const json& j = d.doc;
    std::string o = fmt::format(R"(<section id="sweep-{}"><h2>Capacity sweep{}</h2>)", index, str(j, "name").empty() ? "" : " — " + esc(str(j, "name")));
    const json& points = at(j, "points");
    const json& analysis = at(j, "analysis");
    int done = 0, failed = 0;
    for (const auto& p : points) (str(p, "status") == "done" ? done : failed)++;
    o += fmt::format(R"(<p>{} configurations simulated ({} failed) from <code>{}</code>{}.</p>)", done + failed, failed, esc(d.path),
                     has(j, "shard") && num(at(j, "shard"), "count") > 1
                         ? fmt::format(", shard {} of {}", num(at(j, "shard"), "index") + 1, num(at(j, "shard"), "count"))
                         : "");
    // Recommendation first: it is the answer.
    const json& rec = at(analysis, "recommendation");
    std::string chosen = str(rec, "point");
    if (rec.is_object() && !chosen.empty()) {
        const json* p = find_point(j, chosen);
        o += R"(<div class="recommendation"><p class="headline">Recommended: )" + (p ? esc(point_config(*p)) : esc(chosen)) + "</p>";
        if (!str(rec, "text").empty()) o += "<p>" + esc(str(rec, "text")) + "</p>";
        o += "<p>";
        if (std::isfinite(num(rec, "headroom"))) o += fmt::format("Headroom: <strong>{}</strong> ", pct(num(rec, "headroom"), 3));
        if (std::isfinite(num(rec, "load_rps"))) o += "at " + rate(num(rec, "load_rps")) + " ";
        if (p) o += fmt::format("· p99 {} · {} /h · {} per million requests · strategy {}", dur(num(at(*p, "latency_s"), "p99")),
                                usd(num(at(*p, "cost"), "per_hour_usd")), usd(num(at(*p, "cost"), "per_million_requests_usd")), esc(str(*p, "strategy")));
        o += R"(</p><p class="note">Headroom: the fraction of the busiest component's capacity still free at that load (1 − its utilisation).</p></div>)";
    } else if (analysis.is_object()) {
        o += R"(<p class="missing">No configuration met every SLO: no recommendation.</p>)";
    } else {
        o += R"(<p class="missing">Analysis: not in this results document.</p>)";
    }
    // Cost curves: per strategy, the cheapest configuration meeting every SLO at each load.
    std::map<std::string, std::map<double, const json*>> best;  // strategy -> load -> point
    std::map<std::string, int> strategy_colour;
    for (const auto& p : points) {
        const std::string st = str(p, "strategy").empty() ? "grid" : str(p, "strategy");
        if (!strategy_colour.count(st)) strategy_colour[st] = static_cast<int>(strategy_colour.size());
        if (str(p, "status") != "done" || !(at(p, "slos_met").is_boolean() && at(p, "slos_met").get<bool>())) continue;
        const double load = num(p, "load_rps"), cost = num(at(p, "cost"), "per_hour_usd");
        if (!std::isfinite(load) || !std::isfinite(cost)) continue;
        auto& slot = best[st][load];
        if (!slot || cost < num(at(*slot, "cost"), "per_hour_usd")) slot = &p;
    }
    Chart cc;
    cc.title = "Cost of the cheapest configuration meeting every SLO, by load";
    cc.time_x = false;
    cc.x_unit = Unit::rate;
    cc.y_unit = Unit::usd;
    cc.x_label = "offered load";
    cc.y_label = "$/hour (whole stack)";
    for (const auto& [st, by_load] : best) {
        Series s{st, {}, {}, strategy_colour[st]};
        for (const auto& [load, p] : by_load) {
            s.x.push_back(load);
            s.y.push_back(num(at(*p, "cost"), "per_hour_usd"));
        }
        cc.series.push_back(s);
        Series pts{st + " (configurations)", s.x, s.y, strategy_colour[st], Style::points};
        pts.in_legend = false;
        for (const auto& [load, p] : by_load) pts.point_labels.push_back(fmt::format("{} at {}: {}/h", point_config(*p), rate(load), usd(num(at(*p, "cost"), "per_hour_usd"))));
        cc.series.push_back(pts);
    }
    if (!cc.series.empty()) o += figure(render_svg(cc), "One line per strategy (horizontal: more replicas; vertical: bigger machines). Hover a point for the configuration.");
    else if (!points.empty()) o += R"(<p class="missing">No configuration met every SLO, so there is no cost curve.</p>)";
    // p99 against replicas (per load), and p99 against cost (every configuration).
    Chart pr;
    pr.title = "p99 latency against replicas, per load";
    pr.time_x = false;
    pr.x_unit = Unit::plain;
    pr.y_unit = Unit::seconds;
    pr.x_label = "replicas";
    pr.y_label = "p99";
    std::map<double, Series> by_load;
    Chart pc = pr;
    pc.title = "p99 latency against cost, every configuration";
    pc.x_unit = Unit::usd;
    pc.x_label = "$/hour (whole stack)";
    std::map<std::string, Series> by_strategy;
    for (const auto& p : points) {
        if (str(p, "status") != "done") continue;
        const double load = num(p, "load_rps"), reps = num(p, "replicas"), p99 = num(at(p, "latency_s"), "p99"), cost = num(at(p, "cost"), "per_hour_usd");
        const std::string st = str(p, "strategy").empty() ? "grid" : str(p, "strategy");
        const bool met = at(p, "slos_met").is_boolean() && at(p, "slos_met").get<bool>();
        const std::string label = fmt::format("{} at {}: p99 {}, {}/h, SLOs {}", point_config(p), rate(load), dur(p99), usd(cost), met ? "met" : "missed");
        if (st != "vertical" && std::isfinite(reps)) {
            auto& s = by_load[load];
            s.name = (str(p, "load").empty() ? rate(load) : str(p, "load"));
            s.x.push_back(reps);
            s.y.push_back(p99);
        }
        auto& s2 = by_strategy[st];
        s2.name = st;
        s2.style = Style::points;
        s2.colour = strategy_colour[st];
        s2.x.push_back(cost);
        s2.y.push_back(p99);
        s2.point_labels.push_back(label);
    }
    int colour = 0;
    for (auto& [load, s] : by_load) {
        // sort by replicas
        std::vector<std::pair<double, double>> xy;
        for (std::size_t i = 0; i < s.x.size(); ++i) xy.emplace_back(s.x[i], s.y[i]);
        std::sort(xy.begin(), xy.end());
        s.x.clear();
        s.y.clear();
        for (const auto& [x, y] : xy) s.x.push_back(x), s.y.push_back(y);
        s.colour = colour++;
        pr.series.push_back(s);
        Series pts = s;
        pts.style = Style::points;
        pts.in_legend = false;
        pr.series.push_back(pts);
    }
    if (!pr.series.empty() && std::any_of(pr.series.begin(), pr.series.end(), [](const Series& s) { return s.x.size() > 1; }))
        o += figure(render_svg(pr), "Horizontal scaling: the same machine, more replicas. One line per offered load.");
    for (auto& [st, s] : by_strategy) pc.series.push_back(s);
    if (!pc.series.empty()) o += figure(render_svg(pc), "Each point is one simulated configuration; hover for machine, replicas, load and SLO verdict.");
    // Capacity, USL fit and knee.
    const json& capacity = at(analysis, "capacity");
    const json& usl = at(analysis, "usl");
    const json& knee = at(analysis, "knee");
    if (at(capacity, "points").is_array() && !at(capacity, "points").empty()) {
        Chart kc;
        kc.title = "Capacity against replicas" + (str(capacity, "service").empty() ? "" : " of " + str(capacity, "service"));
        kc.time_x = false;
        kc.x_unit = Unit::plain;
        kc.y_unit = Unit::rate;
        kc.x_label = "replicas";
        kc.y_label = "capacity (requests/s)";
        Series s{"measured capacity", {}, {}, 0, Style::points};
        double max_n = 0;
        for (const auto& p : at(capacity, "points")) {
            s.x.push_back(num(p, "replicas"));
            s.y.push_back(num(p, "capacity_rps"));
            max_n = std::max(max_n, num(p, "replicas"));
        }
        kc.series.push_back(s);
        if (usl.is_object() && std::isfinite(num(usl, "lambda"))) {
            const double lambda = num(usl, "lambda"), sigma = num(usl, "sigma"), kappa = num(usl, "kappa");
            Series f{fmt::format("USL fit (σ = {:.3g}, κ = {:.3g})", sigma, kappa), {}, {}, 1, Style::line, true};
            const double top = std::max({max_n * 1.5, num(usl, "peak_n") * 1.2, 2.0});
            for (int i = 0; i <= 100; ++i) {
                const double n = 1 + (top - 1) * i / 100.0;
                f.x.push_back(n);
                f.y.push_back(lambda * n / (1 + sigma * (n - 1) + kappa * n * (n - 1)));
            }
            kc.series.push_back(f);
        }
        if (knee.is_object() && std::isfinite(num(knee, "replicas")))
            kc.markers.push_back({num(knee, "replicas"), "knee: " + str(knee, "note")});
        o += figure(render_svg(kc), esc(str(capacity, "basis")) + (knee.is_object() ? " Red marker: the knee." : ""));
    }
    if (usl.is_object() && std::isfinite(num(usl, "lambda")))
        o += fmt::format(R"(<p>Universal Scalability Law fit{}: λ = {:.4g} req/s per replica, contention σ = {:.3g}, coherency κ = {:.3g}, peak at N = {:.3g}, R² = {:.3f}.</p>)",
                         str(usl, "service").empty() ? "" : " for " + esc(str(usl, "service")), num(usl, "lambda"), num(usl, "sigma"), num(usl, "kappa"),
                         num(usl, "peak_n"), num(usl, "r_squared"));
    if (knee.is_object()) o += "<p>Knee: " + esc(str(knee, "note").empty() ? fmt::format("{} replicas", count(at(knee, "replicas"))) : str(knee, "note")) + "</p>";
    // Per-load choices.
    if (at(analysis, "loads").is_array() && !at(analysis, "loads").empty()) {
        o += R"(<h3>Cheapest configuration per load</h3><table class="small"><thead><tr><th class="num">load</th><th>cheapest meeting every SLO</th><th class="num">$/hour</th><th class="num">p99</th><th>best horizontal</th><th>best vertical</th></tr></thead><tbody>)";
        for (const auto& l : at(analysis, "loads")) {
            auto cell = [&](const char* key) -> std::string {
                const json* p = find_point(j, str(l, key));
                return p ? esc(point_config(*p)) : "none";
            };
            const json* cheapest = find_point(j, str(l, "cheapest"));
            o += fmt::format(R"(<tr{}><td class="num">{}</td><td>{}</td><td class="num">{}</td><td class="num">{}</td><td>{}</td><td>{}</td></tr>)",
                             cheapest && str(l, "cheapest") == chosen ? R"( class="chosen")" : "",
                             esc(str(l, "load").empty() ? rate(num(l, "load_rps")) : str(l, "load")), cell("cheapest"),
                             cheapest ? usd(num(at(*cheapest, "cost"), "per_hour_usd")) : "–",
                             cheapest ? dur(num(at(*cheapest, "latency_s"), "p99")) : "–", cell("horizontal"), cell("vertical"));
        }
        o += "</tbody></table>";
    }
    // Every point.
    o += R"(<h3>Every configuration</h3><table class="small"><thead><tr><th>id</th><th>strategy</th><th class="num">load</th><th>configuration</th><th>status</th><th class="num">throughput</th><th class="num">p99</th><th class="num">max util.</th><th>SLOs</th><th class="num">$/hour</th><th class="num">$/1M req</th></tr></thead><tbody>)";
    for (const auto& p : points) {
        const bool ok = str(p, "status") == "done";
        const bool met = at(p, "slos_met").is_boolean() && at(p, "slos_met").get<bool>();
        o += fmt::format(R"(<tr{}><td><code>{}</code></td><td>{}</td><td class="num">{}</td><td>{}</td><td>{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td>{}</td><td class="num">{}</td><td class="num">{}</td></tr>)",
                         str(p, "id") == chosen ? R"( class="chosen")" : "", esc(str(p, "id")), esc(str(p, "strategy")),
                         esc(str(p, "load").empty() ? rate(num(p, "load_rps")) : str(p, "load")), esc(point_config(p)),
                         ok ? "done" : R"(<span class="pill bad">)" + esc(str(p, "status")) + "</span>", rate(num(p, "throughput_rps")),
                         dur(num(at(p, "latency_s"), "p99")), pct(num(p, "max_utilisation")),
                         !ok ? "–" : met ? R"(<span class="pill ok">met</span>)" : R"(<span class="pill bad">missed</span>)", usd(num(at(p, "cost"), "per_hour_usd")),
                         usd(num(at(p, "cost"), "per_million_requests_usd")));
    }
    o += "</tbody></table>";
    return o + "</section>\n";
}

std::string assumptions_section(bool has_runs, bool has_sweep) {
    std::string o = R"(<section id="assumptions"><h2>Assumptions</h2><ul class="assumptions">)";
    if (has_runs) {
        o += "<li><strong>What is simulated.</strong> A discrete-event simulation on SimGrid: Node.js workers as single-threaded event loops (CPU work blocks the loop, I/O is asynchronous), "
             "machines as cores × relative speed, load balancers, caches whose hit ratio emerges from key popularity, capacity and TTL, databases with connection pools and read replicas, "
             "brokers with backpressure. Garbage collection pauses, kernel scheduling, TCP effects and noisy neighbours are not modelled.</li>";
        o += "<li><strong>Measurement.</strong> Whole-run figures exclude the warm-up; the charts include it (grey band). Series values are per interval; quantiles come from streaming histograms (about 1 % relative error).</li>";
        o += "<li><strong>Error budgets.</strong> A run is much shorter than an SLO window, so the budget is extrapolated: the window is assumed to see valid events at the measured rate "
             "(<code>window_valid_estimate = valid / measured_s × window_s</code>) and its allowed bad events are <code>(1 − objective) × window_valid_estimate</code>. "
             "Budget consumed is the run's bad events over that allowance; a short, bad run therefore consumes a small fraction of a 30-day budget.</li>";
        o += "<li><strong>Alerts</strong> are multi-window, multi-burn-rate rules (SRE workbook): an alert fires while the burn rate over both its long and its short window reaches its threshold. "
             "Where a window reaches back before the run started, that part is taken as healthy traffic at the run's average rate.</li>";
        o += "<li><strong>Cost</strong> uses on-demand list prices from the built-in machine catalog, averaged over the instances running during the measured run; a month is 730 hours. "
             "Data transfer, storage and managed-service premiums are not included.</li>";
        o += "<li><strong>Analytic model.</strong> Traffic equations over the call graph (Jackson network), each worker a G/G/1 station (or M/G/c stations for pools), "
             "Poisson arrivals, independent per-hop waits, tail quantiles from a gamma fit to each endpoint's mean and variance, Che's approximation for cache hit ratios. "
             "It ignores correlation between hops and transient effects, so it is a cross-check, not ground truth.</li>";
    }
    if (has_sweep)
        o += "<li><strong>Sweeps.</strong> Each configuration is a separate run with the same seed; a configuration is eligible when it completes and meets every SLO. "
             "Headroom is one minus the busiest component's utilisation at the recommended load. The USL fit uses the capacity estimated at each replica count.</li>";
    o += "<li>Every random draw comes from the run's seed: the same inputs and seed give the same results. Differences between runs smaller than the replications' confidence interval are noise.</li>";
    return o + "</ul></section>\n";
}

// A run is named by its document's name when no other input has the same name, else by its path.
std::string label_for(const Document& d, const std::multiset<std::string>& names) {
    const std::string name = str(d.doc, "name");
    if (!name.empty() && names.count(name) == 1) return name;
    return strip_results(d.path);
}

}  // namespace

std::string check_document(const json& doc) {
    if (!doc.is_object()) return "not a results document (expected a JSON object)";
    const json& kind = at(doc, "kind");
    if (!kind.is_string()) return "not a results document: no \"kind\" (expected \"run\", \"replications\" or \"sweep\")";
    const std::string k = kind.get<std::string>();
    if (k == "run") {
        if (!at(doc, "summary").is_object()) return "run document without a \"summary\" object";
        if (has(doc, "series") && !at(doc, "series").is_object()) return "run document: \"series\" is not an object";
        return "";
    }
    if (k == "replications") return at(doc, "aggregate").is_array() ? "" : "replications document without an \"aggregate\" array";
    if (k == "sweep") return at(doc, "points").is_array() ? "" : "sweep document without a \"points\" array";
    return "unknown kind \"" + k + "\" (expected \"run\", \"replications\" or \"sweep\")";
}

std::string render_report(const std::vector<Document>& docs, const Options& options) {
    std::multiset<std::string> names;
    for (const auto& d : docs)
        if (str(d.doc, "kind") != "sweep") names.insert(str(d.doc, "name"));
    std::vector<RunView> runs;
    bool has_sweep = false;
    for (const auto& d : docs) {
        const std::string kind = str(d.doc, "kind");
        if (kind == "sweep") {
            has_sweep = true;
            continue;
        }
        RunView v;
        v.label = label_for(d, names);
        v.top = &d.doc;
        v.path = d.path;
        v.colour = static_cast<int>(runs.size());
        // Only a document with time series feeds the charts.
        auto has_series = [](const json& r) { return at(at(r, "series"), "t_s").is_array() && !at(at(r, "series"), "t_s").empty(); };
        if (kind == "run" && has_series(d.doc)) v.run = &d.doc;
        else if (kind == "replications" && d.run.is_object() && has_series(d.run)) v.run = &d.run;
        runs.push_back(v);
    }
    if (runs.size() == 1) runs[0].colour = 0;

    std::string title = options.title;
    if (title.empty()) {
        std::vector<std::string> parts;
        for (const auto& d : docs) parts.push_back(doc_name(d.doc).empty() ? strip_results(d.path) : doc_name(d.doc));
        parts.erase(std::unique(parts.begin(), parts.end()), parts.end());
        for (std::size_t i = 0; i < parts.size(); ++i) title += (i ? " vs " : "") + parts[i];
    }
    std::string question;
    for (const auto& d : docs) {
        const std::string q = !str(d.doc, "question").empty() ? str(d.doc, "question") : str(d.doc, "description");
        if (!q.empty() && question.find(q) == std::string::npos) question += (question.empty() ? "" : " ") + q;
    }
    if (question.empty() && !runs.empty()) {
        const json& r = runs[0].run ? *runs[0].run : *runs[0].top;
        const json& a = at(r, "analytic");
        question = fmt::format("How does the stack behave at {} offered load{}?", rate(num(a, "offered_rate_rps")),
                               std::isfinite(num(r, "duration_s")) ? " over " + dur(num(r, "duration_s")) : "");
        if (!std::isfinite(num(a, "offered_rate_rps"))) question = "How does the stack behave under this experiment?";
        if (runs.size() > 1) question = "How do these runs compare?";
    }

    std::string o = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    o += "<title>" + esc(title) + " — stacksim report</title>\n<style>" + style_sheet() + "</style>\n</head><body><main>\n";
    o += "<header><p class=\"kicker\">stacksim report</p><h1>" + esc(title) + "</h1>";
    o += "<p class=\"question\">" + esc(question) + "</p>";
    if (runs.size() > 1) {
        o += "<p class=\"meta\">";
        for (const auto& r : runs) o += swatch(r.colour) + esc(r.label) + " &nbsp; ";
        o += "</p>";
    }
    o += "</header>\n";
    std::string nav = "<nav>";
    auto link = [&](const char* id, const char* text) { nav += fmt::format(R"(<a href="#{}">{}</a>)", id, text); };
    link("inputs", "Inputs");
    const bool charts = any_runs(runs);
    if (!runs.empty()) link("verdict", "Verdict");
    for (std::size_t i = 0; i < docs.size(); ++i)
        if (str(docs[i].doc, "kind") == "sweep") nav += fmt::format(R"(<a href="#sweep-{}">Capacity sweep</a>)", i);
    if (charts) {
        link("latency", "Latency");
        link("traffic", "Throughput &amp; errors");
        if (std::any_of(runs.begin(), runs.end(), [](const RunView& r) { return r.run && !at(*r.run, "faults").empty(); }))
            link("faults", "Faults");
        link("slos", "SLOs &amp; budget");
        link("utilisation", "Utilisation");
        link("queues", "Queues &amp; replicas");
    }
    if (!runs.empty()) link("cost", "Cost");
    for (const auto& d : docs)
        if (str(d.doc, "kind") == "replications") {
            link("replications", "Replications");
            break;
        }
    if (!runs.empty()) link("analytic", "Analytic cross-check");
    link("assumptions", "Assumptions");
    o += nav + "</nav>\n";

    o += inputs_section(docs);
    if (!runs.empty()) o += verdict_section(runs);
    for (std::size_t i = 0; i < docs.size(); ++i)
        if (str(docs[i].doc, "kind") == "sweep") o += sweep_section(docs[i], static_cast<int>(i));
    if (charts) {
        std::vector<RunView> with_series;
        for (const auto& r : runs)
            if (r.run) with_series.push_back(r);
        o += latency_section(with_series, options);
        o += traffic_section(with_series);
        o += faults_section(with_series);
        o += slo_section(with_series);
        o += utilisation_section(with_series);
        o += queues_section(with_series);
    }
    if (!runs.empty()) o += cost_section(runs);
    o += replications_section(docs);
    if (!runs.empty()) o += analytic_section(runs);
    o += assumptions_section(!runs.empty(), has_sweep);
    o += "<footer>Generated by " + esc(options.generator.empty() ? std::string("stacksim report") : options.generator) +
         " from the results documents listed under Inputs. Self-contained: no scripts, fonts or network. Print with your browser (A4, backgrounds on).</footer>\n";
    o += "</main></body></html>\n";
    return o;
}

}  // namespace stacksim::report
