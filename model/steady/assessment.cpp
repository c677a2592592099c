#include "model/steady/assessment.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "model/units/units.hpp"

namespace stacksim::steady {
namespace {

using nlohmann::json;

std::vector<double> numbers(const json& v) {
    std::vector<double> out;
    if (!v.is_array()) return out;
    for (const auto& x : v) out.push_back(x.is_number() ? x.get<double>() : std::nan(""));
    return out;
}

std::string escape(const std::string& name) {  // RFC 6901
    std::string out;
    for (char c : name) out += c == '~' ? std::string("~0") : c == '/' ? std::string("~1") : std::string(1, c);
    return out;
}

// The resource behind a service's depth series, and the depth at which it refuses work.
std::pair<std::string, std::optional<double>> kind_and_bound(const Experiment& e, const std::string& service) {
    const Service* s = e.topology.find(service);
    if (!s) return {"waiting", std::nullopt};
    if (s->queue) return {"queue", s->queue->max_depth ? std::optional<double>(*s->queue->max_depth) : std::nullopt};
    if (s->node) {
        // Requests beyond accept_queue (or max_in_flight) per worker are refused.
        const MachineType* m = e.topology.machines.find(s->machine);
        const int workers = s->node->workers > 0 ? s->node->workers : (m ? m->vcpus : 1);
        const int per_worker = s->node->accept_queue.value_or(s->node->max_in_flight);
        return {"accept_queue", static_cast<double>(per_worker) * workers * std::max(1, s->replicas)};
    }
    return {"waiting", std::nullopt};
}

// The measured intervals: those starting at or after the warm-up.
std::size_t first_measured(const std::vector<double>& t_end, double interval_s, double warmup_s) {
    std::size_t i = 0;
    while (i < t_end.size() && t_end[i] - interval_s < warmup_s - 1e-9) ++i;
    return i;
}

std::string count(double v) { return fmt::format("{:.0f}", v); }

Resource judge(std::string name, std::string kind, std::string pointer, const std::vector<double>& measured,
               double interval_s, std::optional<double> bound) {
    Resource r{std::move(name), std::move(kind), std::move(pointer), trend(measured, interval_s), bound, std::nullopt, "stable"};
    if (!r.trend.judged) r.status = "not_judged";
    else if (r.trend.growing) r.status = "growing";
    else if (bound && *bound > 0 && r.trend.last_third_mean >= 0.9 * *bound) r.status = "at_bound";
    if (r.status == "growing" && bound && r.trend.slope_per_s > 0)
        r.time_to_full_s = std::max(0.0, (*bound - r.trend.last) / r.trend.slope_per_s);
    return r;
}

// Why the warm-up cannot be judged from this run's series (its load or stack changes on purpose).
std::string time_varying(const Experiment& e) {
    const Workload& w = e.workload;
    if (w.type == Workload::Type::open && w.arrivals != Workload::Arrivals::poisson && w.arrivals != Workload::Arrivals::constant)
        return fmt::format("the arrival rate varies by design ({})", to_string(w.arrivals));
    if (w.type == Workload::Type::open && !w.profile.empty()) return "the arrival rate follows a profile";
    if (!e.chaos.empty()) return "faults are injected";
    if (!e.deploys.empty()) return "versions are deployed during the run";
    for (const auto& [name, s] : e.topology.services)
        if (s.node && s.node->autoscaling) return "service " + name + " autoscales";
    return "";
}

WarmupSeries judge_warmup(std::string name, std::string pointer, const std::vector<double>& y, std::size_t offset,
                          double interval_s, double warmup_s) {
    WarmupSeries w{std::move(name), std::move(pointer), mser5(y), 0, 0, 0, true};
    if (!w.truncation.judged) return w;
    w.truncation_s = static_cast<double>(offset + w.truncation.intervals) * interval_s;
    double sum = 0, n = 0;
    for (std::size_t i = 0; i < y.size(); ++i)
        if (static_cast<double>(offset + i) * interval_s >= warmup_s - 1e-9 && std::isfinite(y[i])) sum += y[i], ++n;
    w.mean_after_warmup = n > 0 ? sum / n : std::nan("");
    if (w.truncation.settled) {
        // Too short when the transient outlasts the warm-up and biases what the run reports
        // beyond the steady mean's own noise and beyond kMaterialBias of it.
        const double bias = std::abs(w.mean_after_warmup - w.truncation.steady_mean);
        const double noise = std::max(w.truncation.steady_ci95, kMaterialBias * std::abs(w.truncation.steady_mean));
        w.adequate = w.truncation_s <= warmup_s + 1e-9 || !(bias > noise);
        return w;
    }
    // Not settled by half-way: the run cannot tell where the transient ends. The warm-up is
    // too short when the measured part itself still drifts, significantly and materially.
    std::vector<double> measured;
    for (std::size_t i = 0; i < y.size(); ++i)
        if (static_cast<double>(offset + i) * interval_s >= warmup_s - 1e-9 && std::isfinite(y[i])) measured.push_back(y[i]);
    const Trend drift = trend(measured, interval_s, 0.95);
    w.drift_per_s = drift.slope_per_s;
    w.adequate = !(drift.judged && (drift.ci_low > 0 || drift.ci_high < 0) &&
                   std::abs(drift.slope_per_s * drift.span_s) > kMaterialBias * std::abs(drift.mean));
    return w;
}

double round_up_warmup(double s) {
    const double step = s <= 60 ? 10 : s <= 600 ? 30 : 60;
    return std::ceil(s / step) * step;
}

}  // namespace

Assessment assess(const Experiment& e, const json& results) {
    Assessment a;
    const json& series = results.contains("series") ? results["series"] : json::object();
    const std::vector<double> t = numbers(series.value("t_s", json::array()));
    const double dt = e.interval_s;
    const std::size_t from = first_measured(t, dt, e.warmup_s);
    auto measured = [&](const std::vector<double>& v) {
        // Series may start late (a cache's first lookup): aligned to the end of t_s.
        const std::size_t offset = t.size() >= v.size() ? t.size() - v.size() : 0;
        const std::size_t skip = from > offset ? from - offset : 0;
        return std::vector<double>(v.begin() + static_cast<std::ptrdiff_t>(std::min(skip, v.size())), v.end());
    };

    const json depths = series.value("queue_depth", json::object());  // items() must not outlive it
    for (const auto& [service, v] : depths.items()) {
        auto [kind, bound] = kind_and_bound(e, service);
        const std::string label = kind == "queue" ? "queue " + service
                                  : kind == "accept_queue" ? service + " accept queue"
                                                            : service + " waiting";
        a.resources.push_back(judge(label, kind, "/series/queue_depth/" + escape(service), measured(numbers(v)), dt, bound));
    }
    a.resources.push_back(
        judge("in flight", "in_flight", "/series/in_flight", measured(numbers(series.value("in_flight", json::array()))), dt, {}));
    const json& summary = results.contains("summary") ? results["summary"] : json::object();
    a.in_flight_at_end = summary.value("in_flight_at_end", 0.0);

    for (const Resource& r : a.resources) {
        if (r.status == "growing") {
            std::string line = fmt::format("{} grows {:+.3g}/s (99% CI {:.3g} to {:.3g}): {} -> {} over the measured {}", r.name,
                                           r.trend.slope_per_s, r.trend.ci_low, r.trend.ci_high, count(r.trend.first),
                                           count(r.trend.last), units::format_duration(r.trend.span_s));
            if (r.time_to_full_s)
                line += fmt::format("; it reaches its bound of {} about {} after the end of the run", count(*r.bound),
                                    units::format_duration(*r.time_to_full_s));
            a.findings.push_back(line);
        } else if (r.status == "at_bound") {
            a.findings.push_back(fmt::format("{} is at its bound ({} of {}): more arrives than it drains, the excess is refused",
                                             r.name, count(r.trend.last_third_mean), count(*r.bound)));
        }
    }
    // A backlog pinned at its bound is overloaded too: the bound turns its growth into refusals.
    const bool unstable = std::any_of(a.resources.begin(), a.resources.end(),
                                      [](const Resource& r) { return r.status == "growing" || r.status == "at_bound"; });

    Warmup& w = a.warmup;
    w.configured_s = e.warmup_s;
    w.reason = time_varying(e);
    w.applicable = w.reason.empty();
    if (w.applicable) {
        const std::vector<double> completed = numbers(series.value("completed_rps", json::array()));
        std::vector<double> mean = numbers(series.value("mean_s", json::array()));
        for (std::size_t i = 0; i < mean.size() && i < completed.size(); ++i)
            if (!(completed[i] > 0)) mean[i] = std::nan("");  // nothing finished: no latency to average
        w.series.push_back(judge_warmup("latency mean", "/series/mean_s", mean, 0, dt, e.warmup_s));
        w.series.push_back(judge_warmup("throughput", "/series/completed_rps", completed, 0, dt, e.warmup_s));
        const json hit_ratios = series.value("cache_hit_ratio", json::object());
        for (const auto& [cache, v] : hit_ratios.items()) {
            const auto y = numbers(v);
            w.series.push_back(judge_warmup("hit ratio " + cache, "/series/cache_hit_ratio/" + escape(cache), y,
                                            t.size() >= y.size() ? t.size() - y.size() : 0, dt, e.warmup_s));
        }
        double longest = 0;
        bool unsettled = false;
        for (const WarmupSeries& s : w.series) {
            if (s.adequate) continue;
            w.adequate = false;
            if (!s.truncation.settled) {
                unsettled = true;
                a.findings.push_back(fmt::format("{} has not settled in the first half of the run and still drifts "
                                                 "({:+.3g}/s after the warm-up): the run is a transient; run longer, with a "
                                                 "warm-up beyond {}", s.name, s.drift_per_s,
                                                 units::format_duration(std::max(e.warmup_s, e.duration_s / 2))));
            } else {
                longest = std::max(longest, s.truncation_s);
                a.findings.push_back(fmt::format("{} settles at {} (MSER-5), after the {} warm-up: the measured mean {:.4g} "
                                                 "vs {:.4g} in steady state", s.name, units::format_duration(s.truncation_s),
                                                 units::format_duration(e.warmup_s), s.mean_after_warmup,
                                                 s.truncation.steady_mean));
            }
        }
        if (!w.adequate && !unsettled) {
            w.suggested_s = round_up_warmup(longest);
            a.findings.push_back(fmt::format("warm-up too short: use at least \"warmup\": \"{}\"",
                                             units::format_duration(*w.suggested_s)));
        }
    }
    a.verdict = unstable ? "unstable" : !w.adequate ? "transient" : "steady";
    return a;
}

json to_json(const Assessment& a) {
    json resources = json::array();
    for (const Resource& r : a.resources) {
        const Trend& t = r.trend;
        json j{{"name", r.name}, {"kind", r.kind}, {"series", r.series}, {"status", r.status},
               {"slope_per_s", t.judged ? json(t.slope_per_s) : json(nullptr)},
               {"slope_ci", t.judged ? json::array({t.ci_low, t.ci_high}) : json(nullptr)},
               {"first_third_mean", t.first_third_mean}, {"last_third_mean", t.last_third_mean},
               {"start", t.first}, {"end", t.last},
               {"bound", r.bound ? json(*r.bound) : json(nullptr)},
               {"time_to_full_s", r.time_to_full_s ? json(*r.time_to_full_s) : json(nullptr)}};
        resources.push_back(j);
    }
    json series = json::array();
    for (const WarmupSeries& s : a.warmup.series)
        series.push_back({{"name", s.name}, {"series", s.series}, {"judged", s.truncation.judged},
                          {"settled", s.truncation.settled}, {"truncation_s", s.truncation_s},
                          {"steady_mean", s.truncation.steady_mean}, {"steady_ci95", s.truncation.steady_ci95},
                          {"mean_after_warmup", std::isfinite(s.mean_after_warmup) ? json(s.mean_after_warmup) : json(nullptr)},
                          {"drift_per_s", s.truncation.settled ? json(nullptr) : json(s.drift_per_s)},
                          {"adequate", s.adequate}});
    const Warmup& w = a.warmup;
    return {{"verdict", a.verdict},
            {"conclusive", a.verdict == "steady"},
            {"method", {{"trend", "OLS slope of depth vs time over the measured period, batch-means 99% CI"},
                        {"warmup", "MSER-5 truncation of the series from t = 0"}}},
            {"resources", resources},
            {"in_flight_at_end", a.in_flight_at_end},
            {"warmup", {{"applicable", w.applicable}, {"reason", w.applicable ? json(nullptr) : json(w.reason)},
                        {"configured_s", w.configured_s}, {"adequate", w.adequate},
                        {"suggested_s", w.suggested_s ? json(*w.suggested_s) : json(nullptr)}, {"series", series}}},
            {"findings", a.findings}};
}

json pool(const std::vector<json>& blocks) {
    json out{{"replications", blocks.size()}};
    std::map<std::string, int> growing;
    std::vector<std::string> order;
    std::vector<std::string> findings;
    int unstable = 0, transient = 0;
    double suggested = 0;
    bool have_suggestion = false;
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        const json& b = blocks[i];
        const std::string v = b.value("verdict", "steady");
        unstable += v == "unstable";
        transient += v == "transient";
        for (const auto& r : b.value("resources", json::array()))
            if (r.value("status", "") == "growing" || r.value("status", "") == "at_bound") {
                const std::string name = r.value("name", "?");
                if (!growing.count(name)) order.push_back(name);
                ++growing[name];
            }
        const json& w = b.value("warmup", json::object());
        if (w.contains("suggested_s") && w["suggested_s"].is_number())
            suggested = std::max(suggested, w["suggested_s"].get<double>()), have_suggestion = true;
        for (const auto& f : b.value("findings", json::array()))
            if (f.is_string()) findings.push_back(fmt::format("replication {}: {}", i, f.get<std::string>()));
    }
    const std::string verdict = unstable > 0 ? "unstable" : transient > 0 ? "transient" : "steady";
    json res = json::array();
    for (const auto& name : order) res.push_back({{"name", name}, {"growing_in", growing[name]}});
    out.update({{"verdict", verdict}, {"conclusive", verdict == "steady"},
                {"rule", "a resource growing in any replication makes the pooled run unstable; the longest suggested warm-up is kept"},
                {"unstable_replications", unstable}, {"transient_replications", transient}, {"growing", res},
                {"warmup", {{"suggested_s", have_suggestion ? json(suggested) : json(nullptr)}}}, {"findings", findings}});
    return out;
}

bool conclusive(const json& s) {
    if (!s.is_object()) return true;
    const auto it = s.find("conclusive");
    return it == s.end() || *it != false;
}

void mark_slos(json& slos, const json& steady_state) {
    if (!slos.is_array()) return;
    const bool c = conclusive(steady_state);
    for (auto& s : slos)
        if (s.is_object()) s["conclusive"] = c;
}

}  // namespace stacksim::steady
