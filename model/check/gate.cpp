#include "model/check/gate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "model/units/units.hpp"

namespace stacksim::check {
namespace {

using nlohmann::json;

double num(const json& v) { return v.is_number() ? v.get<double>() : std::nan(""); }
// A number member of an object, NaN when absent or not a number (documents may be hand-made
// or older: never index a missing key).
double num_at(const json& obj, const char* key) {
    if (!obj.is_object()) return std::nan("");
    const auto it = obj.find(key);
    return it != obj.end() ? num(*it) : std::nan("");
}
const json& member(const json& obj, const char* key) {
    static const json null;
    if (!obj.is_object()) return null;
    const auto it = obj.find(key);
    return it != obj.end() ? *it : null;
}

std::string percent(double f) { return fmt::format("{:.4g}%", 100 * f); }

std::string show(const Metric& m, double v) {
    if (m.group == "latency") return units::format_duration(v);
    if (m.group == "throughput") return units::format_rate(v);
    if (m.group == "availability") return percent(v);
    return fmt::format("${:.4g}/h", v);
}

}  // namespace

std::string Tolerances::set(const std::string& assignment) {
    const auto eq = assignment.find('=');
    if (eq == std::string::npos) return "expected GROUP=VALUE, e.g. latency=10%";
    const std::string group = assignment.substr(0, eq), text = assignment.substr(eq + 1);
    double v = 0;
    try {
        std::size_t used = 0;
        v = std::stod(text, &used);
        if (used < text.size()) {
            if (text.substr(used) != "%") throw std::invalid_argument("unit");
            v /= 100;
        }
    } catch (const std::exception&) {
        return fmt::format("tolerance \"{}\": expected a number or a percentage, e.g. 10%", text);
    }
    if (!(v >= 0) || !std::isfinite(v)) return fmt::format("tolerance \"{}\" must be >= 0", text);
    if (group == "latency") latency = v;
    else if (group == "throughput") throughput = v;
    else if (group == "cost") cost = v;
    else if (group == "availability") availability = v;
    else return fmt::format("unknown tolerance group \"{}\" (expected latency, throughput, availability or cost)", group);
    return "";
}

int Report::failures() const {
    return static_cast<int>(std::count_if(cases.begin(), cases.end(), [](const Case& c) { return !c.passed; }));
}

std::map<std::string, Metric> metrics_of(const json& doc) {
    std::map<std::string, Metric> out;
    static const std::vector<std::string> quantiles{"p50", "p95", "p99", "p999"};
    if (doc.value("kind", "") == "replications") {
        // Aggregates are keyed by a pointer into each run's summary.
        for (const auto& a : doc.value("aggregate", json::array())) {
            const std::string p = a.value("pointer", "");
            const Metric base{"", num_at(a, "mean"), num_at(a, "ci95"), false};
            auto put = [&](const std::string& name, const char* group, bool higher) {
                Metric m = base;
                m.group = group;
                m.higher_is_better = higher;
                out[name] = m;
            };
            if (p == "/throughput_rps") put("throughput", "throughput", true);
            else if (p == "/availability") put("availability", "availability", true);
            else if (p.rfind("/latency_s/", 0) == 0 && p != "/latency_s/mean") put("latency " + p.substr(11), "latency", false);
            else if (p.rfind("/endpoints/", 0) == 0 && p.ends_with("/latency_s/p99")) {
                const std::string label = a.value("metric", p);
                put(label.substr(0, label.find("/latency_s/")) + " p99", "latency", false);
            }
        }
    } else {
        const json& s = member(doc, "summary");
        out["throughput"] = {"throughput", num_at(s, "throughput_rps"), 0, true};
        out["availability"] = {"availability", num_at(s, "availability"), 0, true};
        for (const auto& q : quantiles) out["latency " + q] = {"latency", num_at(member(s, "latency_s"), q.c_str()), 0, false};
        for (const auto& ep : s.value("endpoints", json::array()))
            if (member(ep, "endpoint").is_string())
                out[ep["endpoint"].get<std::string>() + " p99"] = {"latency", num_at(member(ep, "latency_s"), "p99"), 0, false};
    }
    out["cost per hour"] = {"cost", num_at(member(doc, "cost"), "per_hour_usd"), 0, false};
    for (auto it = out.begin(); it != out.end();)
        it = std::isfinite(it->second.value) && std::isfinite(it->second.ci95) ? std::next(it) : out.erase(it);
    return out;
}

std::vector<Case> judge_slos(const json& slos) {
    std::vector<Case> cases;
    if (!slos.is_array()) return cases;
    for (const auto& s : slos) {
        const json& name = member(s, "name");
        Case c{"slo", name.is_string() ? name.get<std::string>() : "?", member(s, "met") == true, "", ""};
        const double sli = num_at(s, "sli_value"), objective = num_at(s, "objective"), valid = num_at(s, "valid");
        std::string what = member(s, "sli") == "latency"
                               ? fmt::format("requests under {}", units::format_duration(num_at(s, "threshold_s")))
                               : std::string("availability");
        if (member(s, "endpoint").is_string()) what += " of " + s["endpoint"].get<std::string>();
        if (!(valid > 0)) {
            // Nothing was judged (every request failed, or none reached the endpoint): a gate
            // must not pass on no evidence.
            c.passed = false;
            c.message = fmt::format("{}: no data (no valid events in the measured run), nothing to judge", what);
        } else if (!(objective > 0 && objective <= 1) || !std::isfinite(sli) || !member(s, "met").is_boolean()) {
            c.passed = false;
            c.message = fmt::format("{}: cannot judge: objective {}, SLI {}, verdict {}", what,
                                    member(s, "objective").dump(), member(s, "sli_value").dump(), member(s, "met").dump());
        } else {
            // The verdict is recomputed: a document's `met` may disagree with its own numbers.
            c.passed = sli >= objective;
            c.message = fmt::format("{} {:.4f}% {} objective {} ({:.0f} valid events)", what, 100 * sli, c.passed ? ">=" : "<",
                                    percent(objective), valid);
            if (member(s, "conclusive") == false)
                c.message += "; not conclusive: the run is not in steady state (see the stability case)";
        }
        if (const json& b = member(s, "budget"); b.is_object())
            c.details += fmt::format("error budget: {} of the {} window's consumed by this run, {} remaining\n",
                                     percent(num_at(b, "consumed_fraction")), units::format_duration(num_at(s, "window_s")),
                                     percent(num_at(b, "remaining_fraction")));
        for (const auto& a : s.value("alerts", json::array()))
            for (const auto& f : a.value("fired", json::array()))
                c.details += fmt::format("{} alert ({}x over {} and {}) fired at {}{}\n", a.value("severity", "page"),
                                         num_at(a, "burn_rate"), units::format_duration(num_at(a, "long_window_s")),
                                         units::format_duration(num_at(a, "short_window_s")), units::format_duration(num_at(f, "at_s")),
                                         member(f, "resolved_s").is_number()
                                             ? ", resolved at " + units::format_duration(num_at(f, "resolved_s"))
                                             : std::string(", still firing at the end"));
        cases.push_back(std::move(c));
    }
    return cases;
}

std::vector<Case> judge_evidence(const json& doc) {
    Case c{"evidence", "measurements", false, "", ""};
    const bool replications = member(doc, "kind") == "replications";
    const json& summary = member(doc, "summary");
    const json& aggregate = member(doc, "aggregate");
    const json& slos = member(doc, "slos");
    if (replications ? !(aggregate.is_array() && !aggregate.empty())
                     : !(summary.is_object() && std::isfinite(num_at(summary, "completed")) &&
                         std::isfinite(num_at(summary, "throughput_rps"))))
        c.message = replications ? "/aggregate: no replicated measurements in the document, nothing to judge"
                                 : "/summary: no measurements (completed, throughput_rps) in the document, nothing to judge";
    else if (!slos.is_null() && !slos.is_array())
        c.message = fmt::format("/slos: expected an array of SLO verdicts, got {}", slos.type_name());
    else
        return {};
    return {c};
}

std::vector<Case> judge_steady_state(const json& doc) {
    const json& s = member(doc, "steady_state");
    if (!s.is_object()) return {};
    const json& verdict = member(s, "verdict");
    Case c{"stability", "steady state", verdict == "steady", "", ""};
    std::vector<std::string> findings;
    for (const auto& f : s.value("findings", json::array()))
        if (f.is_string()) findings.push_back(f.get<std::string>());
    for (const auto& f : findings) c.details += f + "\n";
    if (verdict == "steady") {
        c.message = "no growing backlog, warm-up covers the initial transient";
    } else if (verdict == "unstable") {
        std::string growing;
        for (const auto& r : s.value("resources", json::array()))
            if (r.value("status", "") == "growing" || r.value("status", "") == "at_bound")
                growing += (growing.empty() ? "" : ", ") + r.value("name", "?");
        for (const auto& r : s.value("growing", json::array()))  // pooled replications
            growing += (growing.empty() ? "" : ", ") + r.value("name", "?");
        c.message = fmt::format("unstable: {} grows or is pinned at its bound, so the SLO verdicts are not conclusive{}",
                                growing.empty() ? "a backlog" : growing, findings.empty() ? "" : " (" + findings.front() + ")");
    } else if (verdict == "transient") {
        c.message = fmt::format("not in steady state: the warm-up is too short, so the SLO verdicts are not conclusive{}",
                                findings.empty() ? "" : " (" + findings.back() + ")");
    } else {
        c.message = fmt::format("cannot judge: steady_state verdict {}", verdict.dump());
    }
    return {c};
}

std::string baseline_mismatch(const json& current, const json& baseline) {
    auto experiment = [](const json& d) {
        const json& in = member(d, "inputs");
        const json& f = member(in, "experiment");
        return f.is_string() ? f.get<std::string>() : std::string();
    };
    const json &n1 = member(current, "name"), &n2 = member(baseline, "name");
    const std::string name1 = n1.is_string() ? n1.get<std::string>() : "", name2 = n2.is_string() ? n2.get<std::string>() : "";
    const std::string f1 = experiment(current), f2 = experiment(baseline);
    if (!name1.empty() && !name2.empty() ? name1 == name2 : (f1.empty() || f2.empty() || f1 == f2)) return "";
    return fmt::format("the baseline is from another experiment: \"{}\" ({}) vs \"{}\" ({}); its differences may not be regressions",
                       name2, f2.empty() ? "?" : f2, name1, f1.empty() ? "?" : f1);
}

json pool_slos(const std::vector<json>& runs) {
    json pooled = json::array();
    if (runs.empty()) return pooled;
    const json first_slos = runs.front().value("slos", json::array());
    for (std::size_t i = 0; i < first_slos.size(); ++i) {
        const json& first = first_slos[i];
        // Same experiment in every replication: the i-th SLO is the same SLO (names are unique).
        std::uint64_t valid = 0, good = 0;
        double consumed = 0;
        for (const auto& r : runs) {
            const json slos = r.value("slos", json::array());
            if (i >= slos.size() || member(slos[i], "name") != member(first, "name"))
                throw std::runtime_error("replications disagree on their SLOs");
            valid += slos[i].value("valid", std::uint64_t{0});
            good += slos[i].value("good", std::uint64_t{0});
            consumed += num_at(member(slos[i], "budget"), "consumed_fraction");
        }
        json p = first;
        p.erase("series");
        p.erase("alerts");
        const double sli = valid > 0 ? static_cast<double>(good) / static_cast<double>(valid) : 1.0;
        const double objective = num_at(first, "objective");
        p["valid"] = valid;
        p["good"] = good;
        p["sli_value"] = sli;
        p["met"] = valid > 0 && sli >= objective;
        p["no_data"] = valid == 0;
        p["burn_rate"] = (1 - sli) / (1 - objective);
        const double mean_consumed = consumed / static_cast<double>(runs.size());
        p["budget"] = {{"consumed_fraction", mean_consumed}, {"remaining_fraction", 1 - mean_consumed}};
        pooled.push_back(p);
    }
    return pooled;
}

std::vector<Case> compare(const std::map<std::string, Metric>& current, const std::map<std::string, Metric>& baseline,
                          const Tolerances& tol) {
    std::vector<Case> cases;
    for (const auto& [name, cur] : current) {
        const auto it = baseline.find(name);
        if (it == baseline.end()) continue;
        const Metric& base = it->second;
        const double worse = cur.higher_is_better ? base.value - cur.value : cur.value - base.value;  // > 0: worse
        const bool absolute = cur.group == "availability";
        const double t = cur.group == "latency" ? tol.latency
                         : cur.group == "throughput" ? tol.throughput
                         : cur.group == "cost" ? tol.cost
                                               : tol.availability;
        const double allowed = absolute ? t : t * std::abs(base.value);
        const double noise = cur.ci95 + base.ci95;
        Case c{"regression", name, !(worse > allowed && worse > noise), "", ""};
        const std::string change =
            absolute ? fmt::format("{:+.3g} points", 100 * (cur.value - base.value))
                     : (base.value != 0 ? fmt::format("{:+.1f}%", 100 * (cur.value - base.value) / std::abs(base.value)) : "n/a");
        c.message = fmt::format("{} vs baseline {} ({}; tolerance {}{})", show(cur, cur.value), show(base, base.value), change,
                                absolute ? fmt::format("{:.3g} points", 100 * t) : percent(t),
                                noise > 0 ? fmt::format(", 95% CI ±{}", show(cur, noise)) : "");
        cases.push_back(std::move(c));
    }
    return cases;
}

}  // namespace stacksim::check
