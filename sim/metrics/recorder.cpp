#include "sim/metrics/recorder.hpp"
#include "model/cost/deployment_cost.hpp"

#include <fmt/format.h>
#include <simgrid/s4u/Engine.hpp>

#include <algorithm>
#include <cmath>
#include <string_view>

namespace stacksim::sim {

const char* to_string(ErrorKind k) {
    switch (k) {
        case ErrorKind::none: return "none";
        case ErrorKind::rejected: return "rejected";
        case ErrorKind::pool_timeout: return "pool_timeout";
        case ErrorKind::queue_full: return "queue_full";
        case ErrorKind::dependency: return "dependency";
        case ErrorKind::instance_down: return "instance_down";
        case ErrorKind::timeout: return "timeout";
        case ErrorKind::circuit_open: return "circuit_open";
        case ErrorKind::bulkhead_full: return "bulkhead_full";
        case ErrorKind::connect_timeout: return "connect_timeout";
        case ErrorKind::rate_limited: return "rate_limited";
        case ErrorKind::shed: return "shed";
        case ErrorKind::throttled: return "throttled";
        case ErrorKind::deadline_exceeded: return "deadline_exceeded";
        case ErrorKind::server_error: return "server_error";
        case ErrorKind::kCount: break;
    }
    return "?";
}

namespace {
constexpr std::array<double, 5> kQuantiles{0.5, 0.9, 0.95, 0.99, 0.999};
constexpr std::array<const char*, 5> kQuantileNames{"p50", "p90", "p95", "p99", "p999"};
double ratio(double a, double b) { return b > 0 ? a / b : 0.0; }
nlohmann::json latency_json(const LatencyHistogram& h) {
    nlohmann::json j{{"mean", h.mean()}, {"max", h.max()}};
    for (std::size_t i = 0; i < kQuantiles.size(); ++i) j[kQuantileNames[i]] = h.interpolated_quantile(kQuantiles[i]);
    return j;
}
}  // namespace

Recorder::Recorder(const Experiment& e)
    : e_(e), interval_s_(e.interval_s), warmup_s_(e.warmup_s), by_endpoint_(e.workload.mix.size()),
      endpoint_ok_(e.workload.mix.size()), endpoint_errors_(e.workload.mix.size()) {
    for (const Slo& slo : e.slos) {
        SliCounter c;
        for (const MixEntry& m : e.workload.mix) c.judges.push_back(slo.endpoint.empty() || slo.endpoint == m.endpoint);
        sli_.push_back(std::move(c));
    }
}

bool Recorder::measuring() const { return simgrid::s4u::Engine::get_clock() >= warmup_s_; }

void Recorder::charge_failure(const void* origin) {
    bool charged = false;
    if (origin) {
        for (Window* w : open_)
            if (std::find(w->targets.begin(), w->targets.end(), origin) != w->targets.end()) ++w->charged, charged = true;
        if (!charged)
            for (Window* w : open_)
                if (w->targets.empty()) ++w->charged, charged = true;
    }
    if (!charged) ++open_[split_turn_++ % open_.size()]->charged;
}

void Recorder::completion(int mix, double latency_s, bool ok, ErrorKind why, const void* fault_origin) {
    --in_flight_;
    ++total_completed_;
    if (ok) {
        ++cur_.ok;
        cur_.latency.record(latency_s);
    } else {
        ++cur_.errors[static_cast<std::size_t>(why)];
    }
    for (Window* w : open_) {
        if (ok) {
            ++w->ok;
            w->latency.record(latency_s);
        } else {
            ++w->errors;
        }
    }
    if (!ok && !open_.empty()) [[unlikely]] charge_failure(fault_origin);
    // Availability counts every finished request; latency SLIs judge successful ones only
    // (a fast error is not a good request, and it is already charged to availability).
    for (std::size_t i = 0; i < sli_.size(); ++i) {
        SliCounter& c = sli_[i];
        if (!c.judges[static_cast<std::size_t>(mix)]) continue;
        const Slo& slo = e_.slos[i];
        if (slo.sli == Slo::Sli::availability) {
            ++c.valid;
            c.good += ok;
        } else if (ok) {
            ++c.valid;
            c.good += latency_s <= slo.threshold_s;
        }
    }
    if (!measuring()) return;
    const auto m = static_cast<std::size_t>(mix);
    if (ok) {
        ++ok_;
        ++endpoint_ok_[m];
        all_.record(latency_s);
        by_endpoint_[m].record(latency_s);
    } else {
        ++errors_[static_cast<std::size_t>(why)];
        ++endpoint_errors_[m];
    }
}

std::size_t Recorder::open_window() {
    windows_.push_back(std::make_unique<Window>());
    open_.push_back(windows_.back().get());
    return windows_.size() - 1;
}

void Recorder::close_window(std::size_t id) { std::erase(open_, windows_[id].get()); }

std::size_t Recorder::add_edge(const std::string& service, const std::string& dependency) {
    for (std::size_t i = 0; i < edges_.size(); ++i)
        if (edges_[i].service == service && edges_[i].dependency == dependency) return i;
    edges_.push_back({service, dependency, {}, {}, {}, {}, {}});
    // An edge first used mid-run gets zeros for the intervals before it.
    edges_.back().attempts_s.assign(t_.size(), 0.0);
    edges_.back().retries_s.assign(t_.size(), 0.0);
    edges_.back().timeouts_s.assign(t_.size(), 0.0);
    return edges_.size() - 1;
}

std::size_t Recorder::add_breaker(const std::string& service, const std::string& dependency, int instance) {
    breakers_.push_back({service, dependency, instance, "closed", 0, 0, {}});
    return breakers_.size() - 1;
}

void Recorder::breaker_transition(std::size_t id, const char* from, const char* to) {
    constexpr std::size_t kMaxTransitions = 1000;  // memory stays flat in simulated time
    Breaker& b = breakers_[id];
    b.state = to;
    if (std::string_view(to) == "open") ++b.opens;
    if (b.transitions.size() < kMaxTransitions) b.transitions.emplace_back(simgrid::s4u::Engine::get_clock(), from, to);
    else ++b.dropped;
}

nlohmann::json Recorder::resilience_json() const {
    using nlohmann::json;
    static constexpr std::array<const char*, static_cast<std::size_t>(EdgeEvent::kCount)> kNames{
        "calls", "attempts", "retries", "retries_denied", "timeouts", "circuit_open", "bulkhead_full", "breaker_opens",
        "throttled", "hedges", "hedge_wins", "deadline_exceeded"};
    json edges = json::array();
    for (const Edge& e : edges_) {
        json j{{"service", e.service}, {"dependency", e.dependency}};
        for (std::size_t k = 0; k < kNames.size(); ++k) j[kNames[k]] = e.total[k];
        const auto calls = static_cast<double>(e.total[static_cast<std::size_t>(EdgeEvent::call)]);
        j["retry_ratio"] = ratio(static_cast<double>(e.total[static_cast<std::size_t>(EdgeEvent::retry)]), calls);
        edges.push_back(j);
    }
    json breakers = json::array();
    for (const Breaker& b : breakers_) {
        json tr = json::array();
        for (const auto& [at, from, to] : b.transitions) tr.push_back({{"at_s", at}, {"from", from}, {"to", to}});
        breakers.push_back({{"service", b.service}, {"dependency", b.dependency}, {"instance", b.instance},
                            {"state_at_end", b.state}, {"opens", b.opens}, {"transitions", tr},
                            {"transitions_dropped", b.dropped}});
    }
    return {{"edges", edges}, {"breakers", breakers}};
}

void Recorder::control_event(double t_s, const char* kind, const std::string& service, int instance, nlohmann::json detail) {
    nlohmann::json e{{"t_s", t_s}, {"kind", kind}, {"service", service}};
    if (instance >= 0) e["instance"] = service + "#" + std::to_string(instance);
    if (detail.is_object()) e.update(detail);
    control_events_.push_back(std::move(e));
}

void Recorder::cache_lookup(const std::string& cache, bool hit) {
    auto& c = cache_interval_[cache];
    ++c.lookups;
    c.hits += hit;
    if (!measuring()) return;
    auto& w = cache_[cache];
    ++w.lookups;
    w.hits += hit;
}

void Recorder::pool_wait(const std::string& db, double wait_s, bool timed_out) {
    if (!measuring()) return;
    auto& p = pools_[db];
    ++p.waits;
    p.timeouts += timed_out;
    p.wait_s += wait_s;
}

void Recorder::publish(const std::string& queue, bool accepted) {
    if (!measuring()) return;
    auto& q = queues_[queue];
    (accepted ? q.accepted : q.rejected)++;
}

void Recorder::close_interval(double t_end) {
    const double start = t_end - interval_s_;
    if (start >= warmup_s_ - 1e-9) arrivals_ += cur_.arrivals;
    t_.push_back(t_end);
    arrivals_s_.push_back(static_cast<double>(cur_.arrivals) / interval_s_);
    ok_s_.push_back(static_cast<double>(cur_.ok) / interval_s_);
    std::uint64_t errors = 0;
    for (auto n : cur_.errors) errors += n;
    errors_s_.push_back(static_cast<double>(errors) / interval_s_);
    in_flight_s_.push_back(static_cast<double>(in_flight_));
    mean_s_.push_back(cur_.latency.mean());  // per-interval means are the batches of batch means
    for (std::size_t i = 0; i < kQuantiles.size(); ++i) quantiles_s_[i].push_back(cur_.latency.interpolated_quantile(kQuantiles[i]));
    for (std::size_t i = 0; i < probes_.size(); ++i) {
        const Probe& p = probes_[i];
        const double busy = p.busy_s();
        const double delta = busy - last_busy_[i];
        last_busy_[i] = busy;
        const int servers = p.servers_now ? p.servers_now() : p.servers;
        utilisation_s_[p.service].push_back(ratio(delta, interval_s_ * servers));
        depth_s_[p.service].push_back(static_cast<double>(p.depth()));
        double occupied_delta = 0;
        if (p.occupied_s) {
            const double occupied = p.occupied_s();
            occupied_delta = occupied - last_occupied_[i];
            last_occupied_[i] = occupied;
        }
        if (start >= warmup_s_ - 1e-9) {
            busy_after_warmup_[p.service] += delta;
            if (p.occupied_s) occupied_after_warmup_[p.service] += occupied_delta;
            if (p.servers_now) capacity_after_warmup_[p.service] += interval_s_ * servers;
        }

    }
    // Per-instance busy time is snapshotted once, at the first interval end after the warm-up.
    if (warmup_s_ > 0 && instance_snapshot_s_ < 0 && t_end >= warmup_s_ - 1e-9) {
        for (const Probe& p : probes_)
            if (p.instance_busy_s) instance_busy_at_warmup_[p.service] = p.instance_busy_s();
        instance_snapshot_s_ = t_end;
    }
    for (SliCounter& c : sli_) {
        c.good_s.push_back(c.good);
        c.valid_s.push_back(c.valid);
        c.good = c.valid = 0;
    }
    // Configured instances, or the running ones of an autoscaled service (crashed instances
    // still count: the machine is billed while it restarts).
    for (const auto& [name, svc] : e_.topology.services) {
        if (priced_instances(svc) <= 0) continue;
        const auto g = replicas_gauges_.find(name);
        replicas_s_[name].push_back(g != replicas_gauges_.end() ? g->second() : priced_instances(svc));
    }
    for (auto& [name, c] : cache_interval_) {
        hit_ratio_s_[name].push_back(ratio(static_cast<double>(c.hits), static_cast<double>(c.lookups)));
        c = {};
    }
    for (Edge& e : edges_) {
        e.attempts_s.push_back(static_cast<double>(e.interval[static_cast<std::size_t>(EdgeEvent::attempt)]) / interval_s_);
        e.retries_s.push_back(static_cast<double>(e.interval[static_cast<std::size_t>(EdgeEvent::retry)]) / interval_s_);
        e.timeouts_s.push_back(static_cast<double>(e.interval[static_cast<std::size_t>(EdgeEvent::timeout)]) / interval_s_);
        e.interval = {};
    }
    if (!versions_.empty()) close_version_interval();
    cur_.arrivals = cur_.ok = 0;
    cur_.errors = {};
    cur_.latency.clear();
}

nlohmann::json Recorder::summary() const {
    using nlohmann::json;
    const double measured_s = e_.duration_s - e_.warmup_s;
    std::uint64_t errors = 0;
    json by_kind = json::object();
    for (std::size_t k = 1; k < errors_.size(); ++k) {
        errors += errors_[k];
        if (errors_[k]) by_kind[to_string(static_cast<ErrorKind>(k))] = errors_[k];
    }
    const double finished = static_cast<double>(ok_ + errors);
    json s{{"measured_s", measured_s},
           {"arrivals", arrivals_},
           {"completed", ok_},
           {"errors", errors},
           {"errors_by_kind", by_kind},
           {"availability", finished > 0 ? static_cast<double>(ok_) / finished : 1.0},
           {"in_flight_at_end", in_flight_},  // not judged: still queued or in service when the run ended
           {"throughput_rps", static_cast<double>(ok_) / measured_s},
           {"latency_s", latency_json(all_)}};
    json eps = json::array();
    for (std::size_t m = 0; m < e_.workload.mix.size(); ++m)
        eps.push_back({{"endpoint", e_.workload.mix[m].endpoint},
                       {"completed", endpoint_ok_[m]},
                       {"errors", endpoint_errors_[m]},
                       {"latency_s", latency_json(by_endpoint_[m])}});
    s["endpoints"] = eps;
    json services = json::array();
    for (const Probe& p : probes_) {
        const auto it = busy_after_warmup_.find(p.service);
        const auto cap = capacity_after_warmup_.find(p.service);
        const double capacity_s = cap != capacity_after_warmup_.end() ? cap->second : measured_s * p.servers;
        nlohmann::json svc{{"service", p.service},
                           {"kind", p.kind},
                           {"servers", p.servers},
                           {"utilisation", ratio(it == busy_after_warmup_.end() ? 0 : it->second, capacity_s)}};
        if (p.occupied_s) {  // busy workers / workers: above utilisation when workers wait for shared cores
            const auto occ = occupied_after_warmup_.find(p.service);
            const double workers_s = p.servers_now && p.servers > 0 ? capacity_s * p.workers / p.servers : measured_s * p.workers;
            svc["worker_occupancy"] = ratio(occ == occupied_after_warmup_.end() ? 0 : occ->second, workers_s);
        }
        if (p.instance_busy_s) {
            const auto now = p.instance_busy_s();
            const auto snap = instance_busy_at_warmup_.find(p.service);
            const double since = instance_snapshot_s_ >= 0 ? instance_snapshot_s_ : 0;
            nlohmann::json per = nlohmann::json::array();
            for (std::size_t i = 0; i < now.size(); ++i) {
                const double before = snap != instance_busy_at_warmup_.end() ? snap->second[i] : 0;
                per.push_back(ratio(now[i] - before, (e_.duration_s - since) * p.instance_servers[i]));
            }
            svc["instance_utilisation"] = per;
        }
        services.push_back(svc);
    }
    s["services"] = services;
    json caches = json::array();
    for (const auto& [name, c] : cache_)
        caches.push_back({{"cache", name}, {"lookups", c.lookups},
                          {"hit_ratio", ratio(static_cast<double>(c.hits), static_cast<double>(c.lookups))}});
    s["caches"] = caches;
    json pools = json::array();
    for (const auto& [name, p] : pools_)
        pools.push_back({{"database", name}, {"waits", p.waits}, {"timeouts", p.timeouts},
                         {"mean_wait_s", ratio(p.wait_s, static_cast<double>(p.waits))}});
    s["connection_pools"] = pools;
    json queues = json::array();
    for (const auto& [name, q] : queues_)
        queues.push_back({{"queue", name}, {"accepted", q.accepted}, {"rejected", q.rejected}});
    s["queues"] = queues;
    limits_.add_to(s, e_.topology);
    if (has_policies()) s["resilience"] = resilience_json();
    if (!overload_.empty()) {
        json list = json::array();
        for (const auto& [name, c] : overload_)
            list.push_back({{"service", name}, {"rate_limited", c[0]}, {"shed_queue_length", c[1]},
                            {"shed_queue_time", c[2]}, {"stale_served", c[3]}});
        s["overload"] = list;
    }
    return s;
}

nlohmann::json Recorder::series() const {
    nlohmann::json s{{"t_s", t_}, {"arrivals_rps", arrivals_s_}, {"completed_rps", ok_s_}, {"errors_rps", errors_s_},
                     {"in_flight", in_flight_s_}, {"mean_s", mean_s_}};
    for (std::size_t i = 0; i < kQuantiles.size(); ++i) s[std::string(kQuantileNames[i]) + "_s"] = quantiles_s_[i];
    s["utilisation"] = utilisation_s_;
    s["queue_depth"] = depth_s_;
    s["cache_hit_ratio"] = hit_ratio_s_;
    s["replicas"] = replicas_s_;
    if (!versions_.empty()) s["versions"] = version_series();
    if (has_policies()) {
        nlohmann::json attempts = nlohmann::json::object(), retries = nlohmann::json::object(),
                       timeouts = nlohmann::json::object();
        for (const Edge& e : edges_) {
            const std::string label = e.service + "->" + e.dependency;
            attempts[label] = e.attempts_s;
            retries[label] = e.retries_s;
            timeouts[label] = e.timeouts_s;
        }
        s["attempts_rps"] = attempts;
        s["retries_rps"] = retries;
        s["timeouts_rps"] = timeouts;
    }
    return s;
}

nlohmann::json Recorder::last_interval() const {
    if (t_.empty()) return nlohmann::json::object();
    const auto last = [](const std::vector<double>& v) { return v.empty() ? 0.0 : v.back(); };
    nlohmann::json row{{"t_s", t_.back()}, {"arrivals_rps", last(arrivals_s_)}, {"completed_rps", last(ok_s_)},
                       {"errors_rps", last(errors_s_)}, {"in_flight", last(in_flight_s_)}, {"mean_s", last(mean_s_)}};
    for (std::size_t i = 0; i < kQuantiles.size(); ++i) row[std::string(kQuantileNames[i]) + "_s"] = last(quantiles_s_[i]);
    auto last_of = [&](const std::map<std::string, std::vector<double>>& m) {
        nlohmann::json o = nlohmann::json::object();
        for (const auto& [name, v] : m) o[name] = last(v);
        return o;
    };
    row["utilisation"] = last_of(utilisation_s_);
    row["queue_depth"] = last_of(depth_s_);
    row["cache_hit_ratio"] = last_of(hit_ratio_s_);
    row["replicas"] = last_of(replicas_s_);
    return row;
}

slo::SliSeries Recorder::sli_series(std::size_t i) const {
    return {t_, sli_[i].good_s, sli_[i].valid_s, interval_s_, warmup_s_};
}

std::map<std::string, double> Recorder::mean_instances() const {
    std::map<std::string, double> out;
    for (const auto& [name, v] : replicas_s_) {
        double sum = 0, n = 0;
        for (std::size_t i = 0; i < v.size(); ++i)
            if (t_[i] - interval_s_ >= warmup_s_ - 1e-9) sum += v[i], ++n;
        if (n > 0) out[name] = sum / n;
    }
    return out;
}

std::string Recorder::series_csv() const {
    std::string out = "t_s,arrivals_rps,completed_rps,errors_rps,in_flight,mean_s";
    for (const char* q : kQuantileNames) out += std::string(",") + q + "_s";
    for (const auto& [name, _] : utilisation_s_) out += ",utilisation:" + name;
    for (const auto& [name, _] : depth_s_) out += ",queue_depth:" + name;
    for (const auto& [name, _] : hit_ratio_s_) out += ",cache_hit_ratio:" + name;
    out += "\n";
    for (std::size_t i = 0; i < t_.size(); ++i) {
        out += fmt::format("{},{},{},{},{},{}", t_[i], arrivals_s_[i], ok_s_[i], errors_s_[i], in_flight_s_[i], mean_s_[i]);
        for (const auto& q : quantiles_s_) out += fmt::format(",{}", q[i]);
        for (const auto* m : {&utilisation_s_, &depth_s_, &hit_ratio_s_})
            for (const auto& [_, v] : *m) out += i < v.size() ? fmt::format(",{}", v[i]) : std::string(",");
        out += "\n";
    }
    return out;
}

}  // namespace stacksim::sim
