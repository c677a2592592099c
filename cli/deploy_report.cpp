// The deploys section of the run summary: each rollout's outcome, the requests and errors
// per version, and the deploy's control events (docs/control.md#deploys).
#include <fmt/format.h>

#include <set>
#include <string>

#include "cli/run_report.hpp"
#include "model/units/units.hpp"

namespace stacksim::cli {

using nlohmann::json;

namespace {
double num(const json& v) { return v.is_number() ? v.get<double>() : 0.0; }

// Event details worth a glance, in a fixed order; the rest is in results.control.events.
std::string detail(const json& e) {
    std::string out;
    for (const char* key : {"version", "strategy", "from", "to", "step", "weight", "instances", "new_started", "old_draining",
                            "worker", "replaces", "error_rate", "requests", "passed", "requests_cut", "duration_s"}) {
        if (!e.contains(key)) continue;
        const json& v = e[key];
        std::string text = v.is_string() ? v.get<std::string>() : v.dump();
        if (std::string(key) == "weight" || std::string(key) == "error_rate") text = fmt::format("{:.1f}%", 100 * num(v));
        else if (std::string(key) == "duration_s") text = units::format_duration(num(v));
        out += fmt::format("{}{}={}", out.empty() ? "" : " ", key, text);
    }
    return out;
}
}  // namespace

void print_deploys(const json& doc, std::ostream& out) {
    const json& deploys = doc.value("deploys", json::array());
    if (deploys.empty()) return;
    out << fmt::format("\n{:<14} {:<12} {:<14} {:>9} {:>10}  {:<12} {:>10} {:>8} {:>9}\n", "deploy", "strategy", "from -> to", "at",
                       "took", "version", "requests", "errors", "err.rate");
    std::set<std::string> services;
    for (const json& d : deploys) {
        services.insert(d.value("service", ""));
        bool first = true;
        for (const json& v : d.value("versions", json::array())) {
            out << fmt::format("{:<14} {:<12} {:<14} {:>9} {:>10}  {:<12} {:>10} {:>8} {:>8.2f}%\n",
                               first ? d.value("service", "?") : "", first ? d.value("strategy", "?") : "",
                               first ? d.value("from", "?") + " -> " + d.value("to", "?") : "",
                               first ? units::format_duration(num(d["at_s"])) : "",
                               first ? (d["duration_s"].is_number() ? units::format_duration(num(d["duration_s"])) : "-") : "",
                               v.value("version", "?"), v.value("requests", std::uint64_t{0}), v.value("errors", std::uint64_t{0}),
                               100 * num(v["error_rate"]));
            first = false;
        }
        out << fmt::format("{:<14} outcome: {}\n", "", d.value("outcome", "?"));
    }
    // The deploys' events (health checks and autoscaling events of other services are left out).
    constexpr std::size_t kMaxLines = 40;
    std::size_t shown = 0, total = 0;
    for (const json& e : doc["control"].value("events", json::array())) {
        if (!services.contains(e.value("service", ""))) continue;
        if (++total > kMaxLines) continue;
        ++shown;
        out << fmt::format("  {:>9}  {:<22} {:<10} {}\n", units::format_duration(num(e["t_s"])), e.value("kind", "?"),
                           e.value("instance", e.value("service", "")), detail(e));
    }
    if (total > shown) out << fmt::format("  … {} more events in results.control.events\n", total - shown);
    out << "requests/errors per version: answered by (or refused by) an instance running it, after the warm-up\n";
}

}  // namespace stacksim::cli
