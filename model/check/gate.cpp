#include "model/check/gate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "model/units/units.hpp"

namespace stacksim::check {
namespace {

using nlohmann::json;

double num(const json& v) { return v.is_number() ? v.get<double>() : std::nan(""); }

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
            const Metric base{"", num(a["mean"]), num(a["ci95"]), false};
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
        return out;
    }
    const json& s = doc.at("summary");
    out["throughput"] = {"throughput", num(s["throughput_rps"]), 0, true};
    out["availability"] = {"availability", num(s["availability"]), 0, true};
    for (const auto& q : quantiles) out["latency " + q] = {"latency", num(s["latency_s"][q]), 0, false};
    for (const auto& ep : s.value("endpoints", json::array()))
        out[ep["endpoint"].get<std::string>() + " p99"] = {"latency", num(ep["latency_s"]["p99"]), 0, false};
    if (doc.contains("cost")) out["cost per hour"] = {"cost", num(doc["cost"]["per_hour_usd"]), 0, false};
    for (auto it = out.begin(); it != out.end();) it = std::isfinite(it->second.value) ? std::next(it) : out.erase(it);
    return out;
}

std::vector<Case> judge_slos(const json& slos) {
    std::vector<Case> cases;
    for (const auto& s : slos) {
        Case c{"slo", s.value("name", "?"), s.value("met", false), "", ""};
        const double sli = num(s["sli_value"]), objective = num(s["objective"]);
        std::string what = s.value("sli", "") == "latency"
                               ? fmt::format("requests under {}", units::format_duration(num(s["threshold_s"])))
                               : std::string("availability");
        if (s.contains("endpoint") && s["endpoint"].is_string()) what += " of " + s["endpoint"].get<std::string>();
        c.message = fmt::format("{} {:.4f}% {} objective {} ({} valid events)", what, 100 * sli, c.passed ? ">=" : "<",
                                percent(objective), s.value("valid", std::uint64_t{0}));
        if (s.contains("budget")) {
            const json& b = s["budget"];
            c.details += fmt::format("error budget: {} of the {} window's consumed by this run, {} remaining\n",
                                     percent(num(b["consumed_fraction"])), units::format_duration(num(s["window_s"])),
                                     percent(num(b["remaining_fraction"])));
        }
        for (const auto& a : s.value("alerts", json::array()))
            for (const auto& f : a.value("fired", json::array()))
                c.details += fmt::format("{} alert ({}x over {} and {}) fired at {}{}\n", a.value("severity", "page"),
                                         num(a["burn_rate"]), units::format_duration(num(a["long_window_s"])),
                                         units::format_duration(num(a["short_window_s"])), units::format_duration(num(f["at_s"])),
                                         f["resolved_s"].is_number()
                                             ? ", resolved at " + units::format_duration(num(f["resolved_s"]))
                                             : std::string(", still firing at the end"));
        cases.push_back(std::move(c));
    }
    return cases;
}

json pool_slos(const std::vector<json>& runs) {
    json pooled = json::array();
    if (runs.empty()) return pooled;
    for (const auto& first : runs.front().value("slos", json::array())) {
        double valid = 0, good = 0, consumed = 0;
        for (const auto& r : runs)
            for (const auto& s : r.value("slos", json::array()))
                if (s["name"] == first["name"]) {
                    valid += num(s["valid"]);
                    good += num(s["good"]);
                    consumed += num(s["budget"]["consumed_fraction"]);
                }
        json p = first;
        p.erase("series");
        p.erase("alerts");
        p["valid"] = valid;
        p["good"] = good;
        p["sli_value"] = valid > 0 ? good / valid : 1.0;
        p["met"] = p["sli_value"].get<double>() >= num(first["objective"]);
        p["budget"] = {{"consumed_fraction", consumed / static_cast<double>(runs.size())},
                       {"remaining_fraction", 1 - consumed / static_cast<double>(runs.size())}};
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
