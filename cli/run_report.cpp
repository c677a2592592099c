#include "cli/run_report.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <boost/math/distributions/students_t.hpp>
#include <algorithm>
#include <cmath>
#include <limits>

#include "model/units/units.hpp"
#include "sim/chaos/fault_injector.hpp"

namespace stacksim::cli {
namespace {

using nlohmann::json;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string dur(const json& v) { return v.is_number() ? units::format_duration(v.get<double>()) : "-"; }
double num(const json& v) { return v.is_number() ? v.get<double>() : kNaN; }

// The analytic estimate disagrees when it is off by more than 15 % and by a visible amount.
bool differs(double sim, double model, double visible) {
    if (!std::isfinite(sim) || !std::isfinite(model)) return false;
    return std::abs(sim - model) > std::max(0.15 * std::abs(model), visible);
}
std::string flag(double sim, double model, double visible) { return differs(sim, model, visible) ? "  <- differs" : ""; }

// Busiest instance of a service (a saturated replica hides behind a moderate mean).
double max_instance_utilisation(const json& service) {
    double worst = kNaN;
    for (const auto& u : service.value("instance_utilisation", json::array()))
        if (u.is_number() && !(u.get<double>() <= worst)) worst = u.get<double>();
    return worst;
}

// Utilisation of a whole service in the analytic model: busy servers over all servers. A
// queue's consumer slots are the consumers' time, not the broker's (which the run measures).
double analytic_utilisation(const json& analytic, const std::string& service) {
    double busy = 0, servers = 0;
    for (const auto& s : analytic.value("stations", json::array()))
        if (s["service"] == service && s["servers"].get<int>() > 0 && s.value("role", "") != "consumer slots") {
            busy += num(s["utilisation"]) * s["servers"].get<double>();
            servers += s["servers"].get<double>();
        }
    return servers > 0 ? busy / servers : kNaN;
}

}  // namespace

void print_run_summary(const json& doc, std::ostream& out) {
    const json& s = doc["summary"];
    const json& a = doc.value("analytic", json::object());
    out << fmt::format("stacksim run: {}  seed {}  {} simulated ({} warm-up) in {:.2f}s wall, {:.3g} events/s, {:.3g} requests/s\n",
                       doc.value("name", ""), doc["engine"]["seed"].get<std::uint64_t>(), units::format_duration(doc["duration_s"]),
                       units::format_duration(doc["warmup_s"]), num(doc["wall"]["wall_time_s"]),
                       num(doc["wall"]["events_per_wall_s"]), num(doc["wall"]["requests_per_wall_s"]));
    out << fmt::format("completed {}  errors {}  availability {:.4f}%  throughput {}\n", s["completed"].get<std::uint64_t>(),
                       s["errors"].get<std::uint64_t>(), 100 * num(s["availability"]), units::format_rate(num(s["throughput_rps"])));
    if (!s["errors_by_kind"].empty()) out << "errors by kind: " << s["errors_by_kind"].dump() << "\n";
    if (const double left = num(s.value("in_flight_at_end", json())); left > 0.01 * num(s["completed"]))
        out << fmt::format("in flight at the end: {:.0f} requests (not judged: the stack did not keep up)\n", left);
    out << fmt::format("\n{:<24} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} | {:>9} {:>9}\n", "endpoint", "completed", "mean",
                       "p50", "p95", "p99", "p99.9", "est.mean", "est.p99");
    auto endpoint_row = [&](const std::string& name, const json& lat, std::uint64_t n, const json* est) {
        const bool mean_off = est && differs(num(lat["mean"]), num((*est)["mean"]), 1e-3);
        const bool p99_off = est && differs(num(lat["p99"]), num((*est)["p99"]), 1e-3);
        out << fmt::format("{:<24} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} | {:>9} {:>9}{}\n", name, n, dur(lat["mean"]),
                           dur(lat["p50"]), dur(lat["p95"]), dur(lat["p99"]), dur(lat["p999"]),
                           est ? dur((*est)["mean"]) : "-", est ? dur((*est)["p99"]) : "-",
                           mean_off && p99_off ? "  <- mean, p99 differ"
                           : mean_off          ? "  <- mean differs"
                           : p99_off           ? "  <- p99 differs"
                                               : "");
    };
    for (const auto& ep : s["endpoints"]) {
        json est;
        for (const auto& x : a.value("endpoints", json::array()))
            if (x["endpoint"] == ep["endpoint"]) est = {{"mean", x["mean_s"]}, {"p99", x["p99_s"]}};
        endpoint_row(ep["endpoint"], ep["latency_s"], ep["completed"], est.is_null() ? nullptr : &est);
    }
    const json overall = a.contains("latency_s") ? a["latency_s"] : json();
    endpoint_row("all requests", s["latency_s"], s["completed"], overall.is_null() ? nullptr : &overall);
    out << fmt::format("\n{:<18} {:<14} {:>7} {:>11} {:>9} {:>10}\n", "service", "kind", "servers", "utilisation",
                       "max inst.", "est. ρ");
    for (const auto& svc : s["services"]) {
        const double model = analytic_utilisation(a, svc["service"]);
        const double busiest = max_instance_utilisation(svc);
        out << fmt::format("{:<18} {:<14} {:>7} {:>11.3f} {:>9} {:>10}{}\n", svc["service"].get<std::string>(),
                           svc["kind"].get<std::string>(), svc["servers"].get<int>(), num(svc["utilisation"]),
                           std::isfinite(busiest) ? fmt::format("{:.3f}", busiest) : "-",
                           std::isfinite(model) ? fmt::format("{:.3f}", model) : "-", flag(num(svc["utilisation"]), model, 0.03));
    }
    if (!s["caches"].empty()) {
        out << fmt::format("\n{:<18} {:>10} {:>10} {:>10}\n", "cache", "lookups", "hit ratio", "est. hit");
        for (const auto& c : s["caches"]) {
            // The analytic hit ratio of a cache: lookup-weighted over its key populations.
            double hits = 0, lookups = 0;
            for (const auto& x : a.value("caches", json::array()))
                if (x["cache"] == c["cache"]) hits += num(x["hit_ratio"]) * num(x["request_rate_rps"]), lookups += num(x["request_rate_rps"]);
            const double model = lookups > 0 ? hits / lookups : kNaN;
            out << fmt::format("{:<18} {:>10} {:>10.3f} {:>10}{}\n", c["cache"].get<std::string>(), c["lookups"].get<std::uint64_t>(),
                               num(c["hit_ratio"]), std::isfinite(model) ? fmt::format("{:.3f}", model) : "-",
                               flag(num(c["hit_ratio"]), model, 0.03));
        }
    }
    for (const auto& p : s["connection_pools"])
        out << fmt::format("connection pool {}: {} waits, mean {}, {} timeouts\n", p["database"].get<std::string>(),
                           p["waits"].get<std::uint64_t>(), dur(p["mean_wait_s"]), p["timeouts"].get<std::uint64_t>());
    for (const auto& q : s["queues"]) {
        out << fmt::format("queue {}: {} published, {} rejected", q["queue"].get<std::string>(), q["accepted"].get<std::uint64_t>(),
                           q["rejected"].get<std::uint64_t>());
        const auto n = [&q](const char* key) { return q.value(key, std::uint64_t{0}); };
        if (n("consumer_errors") || n("redelivered") || n("dead_lettered") || n("dropped"))  // consumers failed
            out << fmt::format("; consumer errors {} ({}), {} redelivered, {} dead-lettered, {} dropped", n("consumer_errors"),
                               q.value("consumer_errors_by_kind", json::object()).dump(), n("redelivered"), n("dead_lettered"),
                               n("dropped"));
        out << "\n";
    }
    for (const auto& c : s.value("connection_limits", json::array()))
        if (c.value("refused", std::uint64_t{0}))
            out << fmt::format("{} {}: {} connections refused at max_connections {}\n", c.value("kind", "?"), c.value("service", "?"),
                               c.value("refused", std::uint64_t{0}), c.value("max_connections", 0));
    for (const auto& r : s.value("replication", json::array()))
        if (r.value("stale_reads", std::uint64_t{0}))
            out << fmt::format("database {}: {} of {} replica reads stale (replication lag {})\n", r.value("database", "?"),
                               r.value("stale_reads", std::uint64_t{0}), r.value("replica_reads", std::uint64_t{0}),
                               dur(r["replication_lag_s"]));
    out << "est. = analytic model (stacksim analyze); '<- differs' marks a gap over 15 %; max inst.: busiest instance\n";
    if (a.contains("error"))
        out << "analytic model: no estimate for this run (" << (a["error"].is_string() ? a["error"].get<std::string>() : "no reason given")
            << ")\n";
    if (s.contains("resilience")) print_resilience(s["resilience"], out);
    for (const auto& o : s.value("overload", json::array()))
        out << fmt::format("overload {}: {} rate limited, {} shed (queue length), {} shed (queue time), {} stale served\n",
                           o.value("service", "?"), o.value("rate_limited", std::uint64_t{0}), o.value("shed_queue_length", std::uint64_t{0}),
                           o.value("shed_queue_time", std::uint64_t{0}), o.value("stale_served", std::uint64_t{0}));
    print_faults(doc.value("faults", json::array()), out);
    print_deploys(doc, out);
    print_steady_state(doc.value("steady_state", json()), out);
    print_slos(doc.value("slos", json::array()), out);
    if (doc.contains("cost")) {
        const json& c = doc["cost"];
        out << fmt::format("\ncost ${:.2f}/h (${:.0f}/month at 730 h), {} per 1M requests (on-demand prices of {})\n",
                           num(c["per_hour_usd"]), num(c["per_month_usd"]),
                           c["per_million_requests_usd"].is_number() ? fmt::format("${:.4f}", num(c["per_million_requests_usd"])) : "n/a",
                           c.value("price_date", "?"));
    }
}

void print_slos(const json& slos, std::ostream& out) {
    if (slos.empty()) return;
    out << fmt::format("\n{:<24} {:>9} {:>10} {:>7} {:>13}  {}\n", "SLO", "objective", "SLI", "verdict", "budget spent",
                       "burn-rate alerts (fired at)");
    bool inconclusive = false;
    for (const auto& s : slos) {
        std::string alerts;
        for (const auto& a : s.value("alerts", json::array()))
            for (const auto& f : a.value("fired", json::array()))
                alerts += fmt::format("{}{} {:g}x@{}", alerts.empty() ? "" : ", ", a.value("severity", "page"), num(a["burn_rate"]),
                                      units::format_duration(num(f["at_s"])));
        const json& b = s.value("budget", json::object());
        // No valid event is no evidence; a verdict of a run not in steady state is not conclusive.
        const bool no_data = s.value("no_data", false) || s.value("valid", std::uint64_t{1}) == 0;
        const bool conclusive = s.value("conclusive", true);
        inconclusive = inconclusive || !conclusive;
        const std::string verdict = no_data ? "no data" : std::string(s.value("met", false) ? "met" : "MISSED") + (conclusive ? "" : "*");
        out << fmt::format("{:<24} {:>8.4g}% {:>10} {:>7} {:>12.3g}%  {}\n", s.value("name", "?"), 100 * num(s["objective"]),
                           no_data ? "-" : fmt::format("{:.4f}%", 100 * num(s["sli_value"])), verdict,
                           100 * num(b.value("consumed_fraction", json())), alerts.empty() ? "none" : alerts);
    }
    out << "budget spent: this run's bad events as a share of the SLO window's error budget (docs/slo.md)\n";
    if (inconclusive) out << "* not conclusive: the run is not in steady state (see \"steady state\" above)\n";
}

void print_resilience(const json& r, std::ostream& out) {
    out << fmt::format("\n{:<28} {:>9} {:>9} {:>8} {:>7} {:>8} {:>9} {:>9} {:>9} {:>6}\n", "call edge (resilience)", "calls",
                       "attempts", "retries", "ratio", "denied", "timeouts", "cb open", "bulkhead", "opens");
    for (const auto& e : r.value("edges", json::array()))
        out << fmt::format("{:<28} {:>9} {:>9} {:>8} {:>6.1f}% {:>8} {:>9} {:>9} {:>9} {:>6}\n",
                           e.value("service", "?") + " -> " + e.value("dependency", "?"), e.value("calls", std::uint64_t{0}),
                           e.value("attempts", std::uint64_t{0}), e.value("retries", std::uint64_t{0}), 100 * num(e["retry_ratio"]),
                           e.value("retries_denied", std::uint64_t{0}), e.value("timeouts", std::uint64_t{0}),
                           e.value("circuit_open", std::uint64_t{0}), e.value("bulkhead_full", std::uint64_t{0}),
                           e.value("breaker_opens", std::uint64_t{0}));
    for (const auto& e : r.value("edges", json::array()))
        if (e.value("hedges", std::uint64_t{0}) + e.value("throttled", std::uint64_t{0}) + e.value("deadline_exceeded", std::uint64_t{0}) > 0)
            out << fmt::format("{:<28} hedges {} (won {}), throttled {}, deadline exceeded {}\n",
                               e.value("service", "?") + " -> " + e.value("dependency", "?"), e.value("hedges", std::uint64_t{0}),
                               e.value("hedge_wins", std::uint64_t{0}), e.value("throttled", std::uint64_t{0}),
                               e.value("deadline_exceeded", std::uint64_t{0}));
    for (const auto& b : r.value("breakers", json::array())) {
        const auto& tr = b.value("transitions", json::array());
        if (tr.empty()) continue;
        std::string list;
        for (std::size_t i = 0; i < tr.size() && i < 6; ++i)
            list += fmt::format("{}{}@{}", i ? ", " : "", tr[i].value("to", "?"), units::format_duration(num(tr[i]["at_s"])));
        if (tr.size() > 6) list += fmt::format(", … ({} changes)", tr.size());
        out << fmt::format("breaker {}#{} -> {}: {}; {} at the end\n", b.value("service", "?"), b.value("instance", 0),
                           b.value("dependency", "?"), list, b.value("state_at_end", "?"));
    }
    out << "calls: logical calls after the warm-up; ratio: retries / calls; denied: retries refused by the budget;\n"
           "cb open: attempts failed fast by an open breaker (docs/resilience.md)\n";
}

void print_faults(const json& faults, std::ostream& out) {
    if (faults.empty()) return;
    out << fmt::format("\n{:<18} {:<16} {:>9} {:>9} {:>9} {:>8} {:>9} {:>10} {:>9}  {}\n", "fault", "target", "start",
                       "end", "failed", "err.rate", "p99", "p99 before", "recovery", "hit");
    for (const auto& f : faults) {
        const json& b = f.value("baseline", json());
        std::string hit = f.value("instances", json::array()).size() > 3
                              ? fmt::format("{} instances", f["instances"].size())
                              : fmt::format("{}", fmt::join(f.value("instances", std::vector<std::string>{}), " "));
        if (f.contains("hit_ratio"))
            hit += fmt::format("; hit ratio {:.3f} -> {:.3f}, back in {}", num(f["hit_ratio"]["before"]), num(f["hit_ratio"]["lowest"]),
                               dur(f["hit_ratio"]["recovered_s"]));
        if (f.value("requests_lost", 0) > 0) hit += fmt::format("; {} lost in flight", f["requests_lost"].get<int>());
        out << fmt::format("{:<18} {:<16} {:>9} {:>9} {:>9} {:>7.2f}% {:>9} {:>10} {:>9}  {}\n", f.value("kind", "?"),
                           f.value("target", "?"), dur(f["start_s"]), dur(f["end_s"]), f.value("requests_failed", std::uint64_t{0}),
                           100 * num(f["error_rate"]), dur(f["p99_s"]), b.is_object() ? dur(b["p99_s"]) : "-",
                           f.value("ended", false) ? dur(f["time_to_recover_s"]) : "running", hit);
    }
    out << "failed, err.rate, p99: requests finishing during the fault; recovery: from its end until error rate and p99\n"
           "are back within 2x of the pre-fault baseline (docs/chaos.md)\n";
    // What each fault cost the SLOs, and whether an alert noticed.
    bool header = false;
    for (const auto& f : faults)
        for (const auto& i : f.value("slos", json::array())) {
            if (!header) {
                out << fmt::format("\n{:<18} {:<16} {:<24} {:>12} {:>13}  {}\n", "fault", "target", "SLO", "bad events",
                                   "budget spent", "detected");
                header = true;
            }
            out << fmt::format("{:<18} {:<16} {:<24} {:>12.0f} {:>12.3g}%  {}\n", f.value("kind", "?"), f.value("target", "?"),
                               i.value("slo", "?"), num(i["bad_events"]), 100 * num(i["budget_consumed_fraction"]),
                               i["time_to_detect_s"].is_number()
                                   ? fmt::format("after {} ({})", dur(i["time_to_detect_s"]), i.value("detected_by", ""))
                                   : std::string("no alert fired"));
        }
    if (header) out << "budget spent: from the fault's start until recovery, as a share of the SLO window's budget\n";
}

void note_unsimulated_faults(const Experiment& e, const std::string& file, std::ostream& out) {
    std::vector<std::string> kinds;
    for (const Fault& f : e.chaos)
        if (!sim::fault_simulated(f.kind) && std::find(kinds.begin(), kinds.end(), f.kind) == kinds.end()) kinds.push_back(f.kind);
    if (!kinds.empty())
        out << file << ": note: fault kind(s) " << fmt::format("{}", fmt::join(kinds, ", "))
            << " are validated but not simulated yet (skipped)\n";
}

json aggregate_replications(const std::vector<json>& runs) {
    // Metrics worth a confidence interval, by JSON pointer into each run's summary.
    std::vector<std::string> pointers{"/throughput_rps", "/availability", "/latency_s/mean", "/latency_s/p50",
                                      "/latency_s/p95", "/latency_s/p99", "/latency_s/p999"};
    const json& first = runs.front()["summary"];
    for (std::size_t i = 0; i < first["endpoints"].size(); ++i)
        for (const char* q : {"mean", "p99"}) pointers.push_back(fmt::format("/endpoints/{}/latency_s/{}", i, q));
    for (std::size_t i = 0; i < first["services"].size(); ++i) pointers.push_back(fmt::format("/services/{}/utilisation", i));
    for (std::size_t i = 0; i < first["caches"].size(); ++i) pointers.push_back(fmt::format("/caches/{}/hit_ratio", i));
    const double n = static_cast<double>(runs.size());
    const double t = n > 1 ? boost::math::quantile(boost::math::students_t(n - 1), 0.975) : 0.0;
    json out = json::array();
    for (const auto& p : pointers) {
        const json::json_pointer ptr(p);
        double sum = 0, sq = 0;
        for (const auto& r : runs) {
            const double v = r["summary"].contains(ptr) ? num(r["summary"][ptr]) : kNaN;
            sum += v;
            sq += v * v;
        }
        const double mean = sum / n, var = n > 1 ? std::max(0.0, (sq - n * mean * mean) / (n - 1)) : 0.0;
        std::string label = p;
        if (p.rfind("/endpoints/", 0) == 0) label = first["endpoints"][std::stoul(p.substr(11))]["endpoint"].get<std::string>() + p.substr(p.find('/', 11));
        if (p.rfind("/services/", 0) == 0) label = first["services"][std::stoul(p.substr(10))]["service"].get<std::string>() + " utilisation";
        if (p.rfind("/caches/", 0) == 0) label = first["caches"][std::stoul(p.substr(8))]["cache"].get<std::string>() + " hit ratio";
        out.push_back({{"metric", label}, {"pointer", p}, {"mean", mean}, {"sd", std::sqrt(var)}, {"ci95", t * std::sqrt(var / n)}});
    }
    return out;
}

void print_replication_summary(const json& doc, std::ostream& out) {
    out << fmt::format("stacksim run: {}  {} replications (seed {})\n\n{:<40} {:>14} {:>14}\n", doc.value("name", ""),
                       doc["replications"].get<int>(), doc["seed"].get<std::uint64_t>(), "metric", "mean", "± 95% CI");
    for (const auto& m : doc["aggregate"]) {
        const std::string metric = m["metric"];
        const bool time = metric.find("latency") != std::string::npos || metric.find("/mean") != std::string::npos ||
                          metric.find("/p99") != std::string::npos;
        const double mean = num(m["mean"]), ci = num(m["ci95"]);
        out << fmt::format("{:<40} {:>14} {:>14}\n", metric, time ? units::format_duration(mean) : fmt::format("{:.5g}", mean),
                           time ? units::format_duration(ci) : fmt::format("{:.3g}", ci));
    }
    print_steady_state(doc.value("steady_state", json()), out);
    print_slos(doc.value("slos", json::array()), out);
}

}  // namespace stacksim::cli
