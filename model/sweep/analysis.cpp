#include "model/sweep/analysis.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <map>

#include "model/units/units.hpp"

namespace stacksim::sweep {
namespace {

using nlohmann::json;
constexpr double kInf = std::numeric_limits<double>::infinity();

double num(const json& j, const char* key) {
    if (!j.is_object()) return kNaN;
    const auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<double>() : kNaN;
}
json num(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }
json opt(const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); }

// The smallest reported quantile at or above the objective (conservative), else the maximum.
double latency_at(const json& latency, double objective) {
    static const std::vector<std::pair<double, const char*>> kQ{
        {0.5, "p50"}, {0.9, "p90"}, {0.95, "p95"}, {0.99, "p99"}, {0.999, "p999"}};
    for (const auto& [q, key] : kQ)
        if (q >= objective - 1e-12) return num(latency, key);
    return num(latency, "max");
}

std::string money(double usd) { return std::isfinite(usd) ? fmt::format("${:.2f}/h", usd) : "$?/h"; }

// " (busiest: postgres at 88 %)", or "" when unknown.
std::string busiest(const PointRecord& p) {
    if (p.busiest.empty() || !std::isfinite(p.max_utilisation)) return "";
    return fmt::format(" (busiest: {} at {:.0f} %)", p.busiest, 100 * p.max_utilisation);
}

bool same_load(double a, double b) { return std::abs(a - b) <= 1e-9 * std::max(std::abs(a), std::abs(b)); }

// Cheapest first; at equal cost (same vCPUs in a linear price list) more headroom, then the
// lower p99, then plan order.
bool cheaper(const PointRecord& a, const PointRecord& b) {
    auto key = [](double v) { return std::isfinite(v) ? v : kInf; };
    if (std::abs(key(a.cost_per_h) - key(b.cost_per_h)) > 1e-9) return key(a.cost_per_h) < key(b.cost_per_h);
    if (key(a.max_utilisation) != key(b.max_utilisation)) return key(a.max_utilisation) < key(b.max_utilisation);
    if (key(a.p99_s) != key(b.p99_s)) return key(a.p99_s) < key(b.p99_s);
    return a.index < b.index;
}

const PointRecord* cheapest(const std::vector<const PointRecord*>& at_load, const char* strategy) {
    const PointRecord* best = nullptr;
    for (const PointRecord* p : at_load)
        if (p->ok() && (!strategy || p->strategy == strategy) && (!best || cheaper(*p, *best))) best = p;
    return best;
}

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}
std::string csv_num(double v) { return std::isfinite(v) ? fmt::format("{:.6g}", v) : ""; }

}  // namespace

double PointRecord::capacity_rps() const {
    if (status != "done" || !(max_utilisation > 0) || !std::isfinite(throughput_rps)) return kNaN;
    return throughput_rps / std::min(1.0, max_utilisation);
}

std::vector<SloVerdict> estimate_slos(const std::vector<Slo>& slos, const json& summary) {
    std::vector<SloVerdict> out;
    for (const Slo& s : slos) {
        SloVerdict v{s.name, false, std::nullopt, true};
        json scope = summary;  // the whole run, or one endpoint
        if (!s.endpoint.empty()) {
            scope = json();
            for (const auto& ep : summary.value("endpoints", json::array()))
                if (ep.value("endpoint", "") == s.endpoint) scope = ep;
        }
        if (s.sli == Slo::Sli::availability) {
            double ok = num(scope, "completed"), bad = num(scope, "errors");
            if (std::isfinite(ok) && std::isfinite(bad)) v.sli_value = ok + bad > 0 ? ok / (ok + bad) : 1.0;
            v.met = v.sli_value && *v.sli_value >= s.objective;
        } else {
            const double q = latency_at(scope.is_object() ? scope.value("latency_s", json::object()) : json::object(), s.objective);
            v.met = std::isfinite(q) && q <= s.threshold_s;
        }
        out.push_back(v);
    }
    return out;
}

void measure(PointRecord& p, const json& run, const std::vector<Slo>& slos, double fallback_cost_per_h) {
    const json& s = run.at("summary");
    p.status = "done";
    p.throughput_rps = num(s, "throughput_rps");
    p.availability = num(s, "availability");
    const json lat = s.value("latency_s", json::object());
    p.p50_s = num(lat, "p50");
    p.p95_s = num(lat, "p95");
    p.p99_s = num(lat, "p99");
    p.max_utilisation = kNaN;
    for (const auto& svc : s.value("services", json::array())) {
        const double u = num(svc, "utilisation");
        if (std::isfinite(u) && !(u <= p.max_utilisation)) p.max_utilisation = u, p.busiest = svc.value("service", "");
    }
    p.slos.clear();
    if (run.contains("slos") && run["slos"].is_array()) {
        for (const auto& v : run["slos"]) {
            SloVerdict sv{v.value("name", ""), v.value("met", false), std::nullopt, false};
            if (v.contains("sli_value") && v["sli_value"].is_number()) sv.sli_value = v["sli_value"].get<double>();
            p.slos.push_back(sv);
        }
    } else {
        p.slos = estimate_slos(slos, s);
    }
    p.slos_met = !p.slos.empty() && std::all_of(p.slos.begin(), p.slos.end(), [](const SloVerdict& v) { return v.met; });
    const json& steady = run.contains("steady_state") ? run["steady_state"] : json();
    p.steady = steady.is_object() && steady.contains("verdict") && steady["verdict"].is_string() ? steady["verdict"].get<std::string>()
                                                                                                  : "steady";
    const json cost = run.value("cost", json::object());
    p.cost_per_h = std::isfinite(num(cost, "per_hour_usd")) ? num(cost, "per_hour_usd") : fallback_cost_per_h;
    p.cost_per_month = std::isfinite(num(cost, "per_month_usd")) ? num(cost, "per_month_usd") : p.cost_per_h * 730;
    p.cost_per_million = std::isfinite(num(cost, "per_million_requests_usd")) ? num(cost, "per_million_requests_usd")
                         : p.throughput_rps > 0 ? p.cost_per_h / (p.throughput_rps * 3600) * 1e6
                                                : kNaN;
}

json to_json(const PointRecord& p) {
    json slos = json::array();
    for (const auto& v : p.slos) {
        json j{{"name", v.name}, {"met", v.met}, {"sli_value", v.sli_value ? json(*v.sli_value) : json(nullptr)}};
        if (v.estimated) j["estimated"] = true;
        slos.push_back(j);
    }
    json j{{"id", p.id}, {"index", p.index}, {"strategy", p.strategy}, {"overrides", p.overrides},
           {"load_rps", p.load_rps ? num(*p.load_rps) : json(nullptr)}, {"load", p.load},
           {"service", p.service}, {"machine", p.machine}, {"replicas", p.replicas},
           {"status", p.status}, {"results", p.results}};
    if (!p.error.empty()) j["error"] = p.error;
    if (p.status == "done") {
        j.update(json{{"throughput_rps", num(p.throughput_rps)}, {"availability", num(p.availability)},
                      {"latency_s", {{"p50", num(p.p50_s)}, {"p95", num(p.p95_s)}, {"p99", num(p.p99_s)}}},
                      {"max_utilisation", num(p.max_utilisation)}, {"busiest", p.busiest},
                      {"slos_met", p.slos_met}, {"slos", slos}, {"steady_state", p.steady},
                      {"cost", {{"per_hour_usd", num(p.cost_per_h)}, {"per_month_usd", num(p.cost_per_month)},
                                {"per_million_requests_usd", num(p.cost_per_million)}}}});
    }
    return j;
}

PointRecord point_from_json(const json& j) {
    PointRecord p;
    p.index = j.at("index").get<std::size_t>();
    p.id = j.at("id").get<std::string>();
    p.strategy = j.at("strategy").get<std::string>();
    p.overrides = j.at("overrides").get<std::vector<std::string>>();
    if (j.contains("load_rps") && j["load_rps"].is_number()) p.load_rps = j["load_rps"].get<double>();
    p.load = j.value("load", "");
    p.service = j.value("service", "");
    p.machine = j.value("machine", "");
    p.replicas = j.value("replicas", 0);
    p.status = j.at("status").get<std::string>();
    p.results = j.value("results", "");
    p.error = j.value("error", "");
    if (p.status != "done") return p;
    p.throughput_rps = num(j, "throughput_rps");
    p.availability = num(j, "availability");
    const json lat = j.value("latency_s", json::object());
    p.p50_s = num(lat, "p50");
    p.p95_s = num(lat, "p95");
    p.p99_s = num(lat, "p99");
    p.max_utilisation = num(j, "max_utilisation");
    p.busiest = j.value("busiest", "");
    p.slos_met = j.value("slos_met", false);
    p.steady = j.value("steady_state", "steady");
    for (const auto& v : j.value("slos", json::array())) {
        SloVerdict sv{v.value("name", ""), v.value("met", false), std::nullopt, v.value("estimated", false)};
        if (v.contains("sli_value") && v["sli_value"].is_number()) sv.sli_value = v["sli_value"].get<double>();
        p.slos.push_back(sv);
    }
    const json cost = j.value("cost", json::object());
    p.cost_per_h = num(cost, "per_hour_usd");
    p.cost_per_month = num(cost, "per_month_usd");
    p.cost_per_million = num(cost, "per_million_requests_usd");
    return p;
}

std::string config_label(const PointRecord& p) {
    if (!p.machine.empty() && p.replicas > 0) return fmt::format("{} x {}", p.replicas, p.machine);
    std::string out;
    for (const auto& o : p.overrides) out += (out.empty() ? "" : " ") + o;
    return out;
}

Analysis analyze(const std::vector<PointRecord>& points, std::optional<double> target_load_rps) {
    Analysis a;
    // Per load: the cheapest point meeting every SLO, overall and per strategy.
    std::vector<std::pair<double, std::vector<const PointRecord*>>> by_load;
    for (const PointRecord& p : points) {
        if (!p.load_rps) continue;
        auto it = std::find_if(by_load.begin(), by_load.end(), [&](const auto& g) { return same_load(g.first, *p.load_rps); });
        if (it == by_load.end()) by_load.push_back({*p.load_rps, {}}), it = by_load.end() - 1;
        it->second.push_back(&p);
    }
    std::sort(by_load.begin(), by_load.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    auto id = [](const PointRecord* p) { return p ? std::optional<std::string>(p->id) : std::nullopt; };
    for (const auto& [load, at] : by_load) {
        std::string text = at.front()->load.empty() ? units::format_rate(load) : at.front()->load;
        a.loads.push_back({load, text, id(cheapest(at, nullptr)), id(cheapest(at, "horizontal")), id(cheapest(at, "vertical"))});
    }

    // Capacity vs replicas: horizontal points (else grid points) of the machine type with the
    // most replica counts; for each count the point at the highest load.
    std::map<std::pair<std::string, std::string>, std::map<int, const PointRecord*>> groups;
    for (const char* strategy : {"horizontal", "grid"}) {
        for (const PointRecord& p : points) {
            if (p.strategy != strategy || p.replicas <= 0 || !std::isfinite(p.capacity_rps())) continue;
            const PointRecord*& slot = groups[{p.service, p.machine}][p.replicas];
            if (!slot || p.load_rps.value_or(0) > slot->load_rps.value_or(0)) slot = &p;
        }
        if (!groups.empty()) break;
    }
    const std::map<int, const PointRecord*>* best = nullptr;
    for (const auto& [key, g] : groups)
        if (!best || g.size() > best->size()) best = &g, a.scaled_service = key.first, a.scaled_machine = key.second;
    if (best) {
        std::vector<double> n, x;
        std::map<std::string, int> busiest_count;
        for (const auto& [replicas, p] : *best)
            if (!p->busiest.empty() && ++busiest_count[p->busiest] > busiest_count[a.limited_by]) a.limited_by = p->busiest;
        for (const auto& [replicas, p] : *best) {
            a.capacity.push_back({replicas, p->capacity_rps(), p->id});
            n.push_back(replicas);
            x.push_back(p->capacity_rps());
        }
        if (n.size() >= 3) a.usl = analytic::fit_usl(n, x);
        if (a.capacity.size() >= 2) {
            const double per_replica = a.capacity[0].capacity_rps / a.capacity[0].replicas;
            for (std::size_t i = 1; i < a.capacity.size() && !a.knee; ++i) {
                const auto &lo = a.capacity[i - 1], &hi = a.capacity[i];
                const double gain = (hi.capacity_rps - lo.capacity_rps) / (hi.replicas - lo.replicas);
                if (gain < kKneeFraction * per_replica) {
                    a.knee = lo;
                    a.knee_note = fmt::format("beyond {} {} of {} each added replica adds {:.0f} req/s of capacity, "
                                              "less than {:.0f} % of the {:.0f} req/s per replica at {}",
                                              lo.replicas, lo.replicas == 1 ? "replica" : "replicas", a.scaled_service, std::max(0.0, gain),
                                              100 * kKneeFraction, per_replica, a.capacity[0].replicas);
                }
            }
            if (!a.knee)
                a.knee_note = fmt::format("no knee up to {} replicas of {}: each added replica still adds at least {:.0f} % "
                                          "of the capacity per replica at {}",
                                          a.capacity.back().replicas, a.scaled_service, 100 * kKneeFraction, a.capacity[0].replicas);
            // Capacity is the busiest service's saturation point, which need not be the scaled one.
            if (!a.limited_by.empty() && a.limited_by != a.scaled_service)
                a.knee_note += fmt::format("; the capacity is {}'s (the busiest service), not {}'s", a.limited_by, a.scaled_service);
        }
    }

    // Recommendation: the cheapest point meeting every SLO at the target load.
    if (a.loads.empty()) return a;
    const LoadVerdict* target = &a.loads.back();
    if (target_load_rps)
        for (const auto& l : a.loads)
            if (std::abs(std::log(l.load_rps / *target_load_rps)) < std::abs(std::log(target->load_rps / *target_load_rps)))
                target = &l;
    a.target_load_rps = target->load_rps;
    const auto& at = std::find_if(by_load.begin(), by_load.end(), [&](const auto& g) { return same_load(g.first, target->load_rps); })->second;
    auto find = [&](const std::optional<std::string>& pid) -> const PointRecord* {
        for (const PointRecord* p : at)
            if (pid && p->id == *pid) return p;
        return nullptr;
    };
    const PointRecord* rec = find(target->cheapest);
    const bool judged = std::any_of(points.begin(), points.end(), [](const PointRecord& p) { return !p.slos.empty(); });
    if (!judged) {
        a.text = "the experiment has no SLOs: nothing to judge, so no configuration is recommended (add \"slos\", docs/slo.md)";
        return a;
    }
    if (!rec) {
        const PointRecord* fastest = nullptr;
        for (const PointRecord* p : at)
            if (p->status == "done" && std::isfinite(p->p99_s) && (!fastest || p->p99_s < fastest->p99_s)) fastest = p;
        a.text = fmt::format("no configuration tried meets every SLO at {}", target->load);
        const auto unsteady = std::count_if(at.begin(), at.end(), [](const PointRecord* p) {
            return p->status == "done" && p->slos_met && p->steady != "steady";
        });
        if (unsteady > 0)
            a.text += fmt::format(" in steady state ({} {} them only in a run not in steady state: a backlog grows or the "
                                  "warm-up is too short)", unsteady, unsteady == 1 ? "configuration met" : "configurations met");
        if (fastest)
            a.text += fmt::format("; the lowest p99 was {} with {} ({}){}", units::format_duration(fastest->p99_s),
                                  config_label(*fastest), money(fastest->cost_per_h), busiest(*fastest));
        return a;
    }
    a.recommended = rec->id;
    a.recommended_strategy = rec->strategy;
    a.headroom = 1 - rec->max_utilisation;
    const char* verb = rec->strategy == "horizontal" ? "scale out" : rec->strategy == "vertical" ? "scale up" : "cheapest";
    a.text = fmt::format("{}: {} meets every SLO at {} with {:.0f} % headroom{} for {} (whole stack)", verb,
                         config_label(*rec), target->load, 100 * a.headroom, busiest(*rec), money(rec->cost_per_h));
    auto other = [&](const char* strategy, const std::optional<std::string>& pid, const char* needs) {
        const bool tried = std::any_of(at.begin(), at.end(), [&](const PointRecord* p) { return p->strategy == strategy; });
        if (rec->strategy == strategy || !tried) return;
        if (const PointRecord* o = find(pid))
            a.text += fmt::format("; {} needs {} ({})", needs, config_label(*o), money(o->cost_per_h));
        else
            a.text += fmt::format("; no {} configuration tried meets every SLO", strategy);
    };
    other("vertical", target->vertical, "scaling up");
    other("horizontal", target->horizontal, "scaling out");
    return a;
}

json to_json(const Analysis& a) {
    json loads = json::array();
    for (const auto& l : a.loads)
        loads.push_back({{"load_rps", l.load_rps}, {"load", l.load}, {"cheapest", opt(l.cheapest)},
                         {"horizontal", opt(l.horizontal)}, {"vertical", opt(l.vertical)}});
    json cap = json::array();
    for (const auto& c : a.capacity) cap.push_back({{"replicas", c.replicas}, {"capacity_rps", c.capacity_rps}, {"point", c.id}});
    json usl = nullptr;
    if (a.usl.ok)
        usl = {{"service", a.scaled_service}, {"machine", a.scaled_machine},
               {"limited_by", a.limited_by.empty() ? json(nullptr) : json(a.limited_by)}, {"lambda", num(a.usl.lambda)},
               {"sigma", num(a.usl.sigma)}, {"kappa", num(a.usl.kappa)}, {"peak_n", num(a.usl.peak_n)},
               {"r_squared", num(a.usl.r_squared)}};
    json knee{{"replicas", a.knee ? json(a.knee->replicas) : json(nullptr)},
              {"capacity_rps", a.knee ? json(a.knee->capacity_rps) : json(nullptr)},
              {"point", a.knee ? json(a.knee->id) : json(nullptr)}, {"fraction", kKneeFraction}, {"note", a.knee_note}};
    return {{"loads", loads},
            {"capacity", {{"service", a.scaled_service}, {"machine", a.scaled_machine},
                          {"limited_by", a.limited_by.empty() ? json(nullptr) : json(a.limited_by)},
                          {"basis", "throughput_rps / max_utilisation, at the highest load swept per replica count"},
                          {"points", cap}}},
            {"usl", usl},
            {"knee", knee},
            {"recommendation", {{"load_rps", a.target_load_rps ? json(*a.target_load_rps) : json(nullptr)},
                                {"point", opt(a.recommended)},
                                {"strategy", a.recommended ? json(a.recommended_strategy) : json(nullptr)},
                                {"headroom", num(a.headroom)}, {"text", a.text}}}};
}

std::string to_csv(const std::vector<PointRecord>& points) {
    std::string out = "id,strategy,overrides,load,load_rps,service,replicas,machine,throughput_rps,availability,p50_s,"
                      "p95_s,p99_s,max_utilisation,slos_met,cost_per_hour_usd,cost_per_month_usd,"
                      "cost_per_million_requests_usd,status\n";
    for (const auto& p : points) {
        std::string overrides;
        for (const auto& o : p.overrides) overrides += (overrides.empty() ? "" : ";") + o;
        const bool done = p.status == "done";
        out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", p.id, p.strategy, csv_field(overrides),
                           csv_field(p.load), csv_num(p.load_rps.value_or(kNaN)), csv_field(p.service),
                           p.replicas > 0 ? std::to_string(p.replicas) : "", csv_field(p.machine), csv_num(p.throughput_rps),
                           csv_num(p.availability), csv_num(p.p50_s), csv_num(p.p95_s), csv_num(p.p99_s),
                           csv_num(p.max_utilisation), done ? (p.slos_met ? "true" : "false") : "", csv_num(p.cost_per_h),
                           csv_num(p.cost_per_month), csv_num(p.cost_per_million), p.status);
    }
    return out;
}

}  // namespace stacksim::sweep
