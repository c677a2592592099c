#include "sim/chaos/fault_injector.hpp"

#include <algorithm>
#include <cmath>

#include "sim/chaos/fault_impact.hpp"
#include "sim/chaos/network_faults.hpp"

namespace stacksim::sim {
namespace {

// Kernel stream ids of the fault entries (the runtime uses 1, the workload 2).
constexpr std::uint64_t kChaosStream = 0xC4A05000;

double magnitude(const Fault& f, const char* key, double fallback) {
    const auto it = f.magnitudes.find(key);
    return it == f.magnitudes.end() ? fallback : it->second;
}

std::string name_of(const Instance& i) { return i.service->name + "#" + std::to_string(i.index); }

}  // namespace

bool fault_simulated(const std::string& kind) {
    static const std::vector<std::string> kSimulated{
        "instance_crash", "host_crash",        "zone_outage",     "worker_crash", "cpu_slowdown",     "cache_flush",
        "db_failover",    "dependency_errors", "dependency_hang", "partition",    "link_degradation", "disk_slowdown",
        "memory_leak"};
    return std::find(kSimulated.begin(), kSimulated.end(), kind) != kSimulated.end();
}

FaultInjector::FaultInjector(const Experiment& e, Kernel& kernel, Runtime& runtime, Recorder& recorder)
    : e_(e), kernel_(kernel), runtime_(runtime), rec_(recorder) {
    for (std::size_t i = 0; i < e.chaos.size(); ++i) rngs_.push_back(kernel.stream(kChaosStream + i));
}

void FaultInjector::start() {
    for (std::size_t i = 0; i < e_.chaos.size(); ++i) {
        const Fault& f = e_.chaos[i];
        if (!fault_simulated(f.kind)) continue;
        if (f.mtbf) {  // random: the first failure after `at` (default 0) + an mtbf draw
            const double first = f.at_s.value_or(0) + DistributionSampler(*f.mtbf)(rngs_[i]);
            kernel_.after(first, [this, i] { begin(i, true); });
        } else {
            kernel_.after(*f.at_s, [this, i] { begin(i, false); });
        }
    }
}

// How long an occurrence lasts: an mttr draw (random faults), else `for`, else `restart`,
// else the kind's default (a worker restart 1 s; anything else 30 s). For a cache flush it
// is the window over which the impact is measured (the flush itself is instantaneous). A
// memory leak lasts until the end of the run unless `for` says when it is fixed (`restart`
// is its OOM restart time).
double FaultInjector::duration(const Fault& f, bool random, Rng& rng) const {
    if (random && f.mttr) return std::max(0.0, DistributionSampler(*f.mttr)(rng));
    if (f.for_s) return *f.for_s;
    if (f.kind == "memory_leak") return std::max(0.0, kernel_.end() - Kernel::now());
    if (auto it = f.magnitudes.find("restart_s"); it != f.magnitudes.end()) return it->second;
    return f.kind == "worker_crash" ? 1.0 : 30.0;
}

// The instances a fault can hit: the target service's, or every in-stack instance placed in
// the target zone (external services are outside the zones).
std::vector<Instance*> FaultInjector::candidates(const Fault& f) const {
    std::vector<Instance*> out;
    const auto& all = runtime_.instances();
    if (auto it = all.find(f.target); it != all.end()) {
        for (const auto& inst : it->second)
            if (inst->phase != Instance::Phase::stopped) out.push_back(inst.get());  // autoscaling: not started
        return out;
    }
    for (const auto& [_, list] : all)
        for (const auto& inst : list)
            if (inst->zone == f.target && inst->service->kind != ServiceKind::external && inst->phase != Instance::Phase::stopped)
                out.push_back(inst.get());
    return out;
}

// ceil(fraction x candidates) of them (at least one), chosen with the fault's own stream.
std::vector<Instance*> FaultInjector::pick(const Fault& f, Rng& rng) const {
    std::vector<Instance*> c = candidates(f);
    if (c.empty()) return c;
    const auto k = std::clamp<std::size_t>(static_cast<std::size_t>(std::ceil(f.fraction * static_cast<double>(c.size()) - 1e-9)),
                                           1, c.size());
    for (std::size_t i = 0; i < k; ++i) {  // partial Fisher-Yates
        std::swap(c[i], c[i + uniform_below(rng, c.size() - i)]);
    }
    c.resize(k);
    std::sort(c.begin(), c.end(), [](const Instance* a, const Instance* b) {
        return a->service->name != b->service->name ? a->service->name < b->service->name : a->index < b->index;
    });
    return c;
}

void FaultInjector::begin(std::size_t i, bool random) {
    const Fault& f = e_.chaos[i];
    Rng& rng = rngs_[i];
    auto o = std::make_unique<Occurrence>();
    o->fault = &f;
    o->random = random;
    o->start_s = Kernel::now();
    o->end_s = o->start_s + duration(f, random, rng);
    o->window = rec_.open_window();
    apply(*o, rng);
    Occurrence* occ = o.get();
    occurrences_.push_back(std::move(o));
    kernel_.after(occ->end_s - occ->start_s, [this, occ, i, random] {
        if (occ->revert) occ->revert();
        rec_.close_window(occ->window);
        occ->ended = true;
        if (random) next_random(i);
    });
}

void FaultInjector::next_random(std::size_t i) {
    const double up = DistributionSampler(*e_.chaos[i].mtbf)(rngs_[i]);
    kernel_.after(up, [this, i] { begin(i, true); });
}

void FaultInjector::apply(Occurrence& o, Rng& rng) {
    const Fault& f = *o.fault;
    Runtime& rt = runtime_;
    std::vector<Instance*> hit;
    if (f.kind == "instance_crash" || f.kind == "host_crash" || f.kind == "zone_outage") {
        // An instance crash kills the process (its host answers new connections with RST); a
        // host crash takes the machine (no answer: callers wait their connect timeout); a zone
        // outage takes every host placed in the zone at once (correlated) and the zone's links
        // with them, as a partition from every other zone.
        const bool host = f.kind != "instance_crash";
        hit = pick(f, rng);
        for (Instance* inst : hit) o.requests_lost += rt.crash_instance(*inst, host);
        const bool zone = f.kind == "zone_outage";
        if (zone) rt.network().partition(f.target, "", o.end_s);
        o.revert = [&rt, hit, host, zone, target = f.target] {
            if (zone) rt.network().heal(target, "");
            for (Instance* inst : hit) rt.restore_instance(*inst, host);
            if (zone) rt.network_healed();
        };
    } else if (f.kind == "partition") {  // packets between the two zones are dropped
        rt.network().partition(f.between[0], f.between[1], o.end_s);
        o.revert = [&rt, a = f.between[0], b = f.between[1]] {
            rt.network().heal(a, b);
            rt.network_healed();
        };
    } else if (f.kind == "link_degradation") {  // netem on the zone pair, both directions
        const LinkDegradation d{magnitude(f, "latency_s", 0), magnitude(f, "jitter_s", 0), magnitude(f, "loss", 0)};
        rt.network().degrade(f.between[0], f.between[1], d);
        o.revert = [&rt, d, a = f.between[0], b = f.between[1]] { rt.network().restore(a, b, d); };
    } else if (f.kind == "disk_slowdown") {
        // Databases and brokers have no disk of their own in the model: the `io_share` (default
        // all) of a query's / publish's service time is I/O and takes `factor` times longer.
        hit = pick(f, rng);
        const double stretch = 1 + magnitude(f, "io_share", 1.0) * (std::max(1e-3, magnitude(f, "factor", 2.0)) - 1);
        for (Instance* inst : hit) inst->io_stretch *= stretch;
        o.revert = [hit, stretch] {
            for (Instance* inst : hit) inst->io_stretch /= stretch;
        };
    } else if (f.kind == "memory_leak") {
        hit = pick(f, rng);
        std::erase_if(hit, [](const Instance* i) { return i->service->kind != ServiceKind::node_service; });  // a zone: its Node.js processes
        for (Instance* inst : hit) {
            const MachineType* m = e_.topology.machines.find(inst->service->machine);
            MemoryLeak::Spec spec{magnitude(f, "leak_bytes_per_s", 0), magnitude(f, "leak_bytes_per_request", 0),
                                  magnitude(f, "memory_limit_bytes", m ? m->ram_bytes : 0), magnitude(f, "restart_s", 5.0)};
            Occurrence* occ = &o;
            const std::string name = name_of(*inst);
            o.leaks.push_back(std::make_unique<MemoryLeak>(kernel_, rt, rec_, *inst, spec, [occ, name](int lost) {
                occ->requests_lost += lost;
                occ->oom_kills.push_back({{"instance", name}, {"t_s", Kernel::now()}});
            }));
            o.leaks.back()->start();
        }
        o.revert = [occ = &o] {
            for (auto& leak : occ->leaks) leak->stop();
        };
    } else if (f.kind == "db_failover") {  // the primary is gone until a replica is promoted
        Instance* primary = rt.instances().at(f.target).front().get();
        hit = {primary};
        o.requests_lost += rt.crash_instance(*primary);
        o.revert = [&rt, primary] { rt.restore_instance(*primary); };
    } else if (f.kind == "worker_crash") {  // one worker per instance hit; the master restarts it
        std::vector<Worker*> dead;
        std::vector<const void*> targets;
        for (Instance* inst : pick(f, rng)) {
            targets.push_back(inst);
            std::vector<Worker*> live;
            for (auto& w : inst->workers)
                if (!w->down) live.push_back(w.get());
            if (live.empty()) continue;
            Worker* w = live[uniform_below(rng, live.size())];
            const auto index = std::find_if(inst->workers.begin(), inst->workers.end(), [w](const auto& p) { return p.get() == w; }) -
                               inst->workers.begin();
            o.affected.push_back(name_of(*inst) + "/w" + std::to_string(index));
            o.requests_lost += rt.crash_worker(*w);
            dead.push_back(w);
        }
        o.revert = [&rt, dead] {
            for (Worker* w : dead) rt.restore_worker(*w);
        };
        rec_.set_window_targets(o.window, std::move(targets));
    } else if (f.kind == "cpu_slowdown") {
        hit = pick(f, rng);
        const double factor = std::max(1e-3, magnitude(f, "factor", 2.0));
        for (Instance* inst : hit) inst->cpu_slowdown *= factor;
        o.revert = [hit, factor] {
            for (Instance* inst : hit) inst->cpu_slowdown /= factor;
        };
    } else if (f.kind == "cache_flush") {
        hit = pick(f, rng);
        for (Instance* inst : hit)
            if (inst->cache) inst->cache->flush();
    } else if (f.kind == "dependency_errors" || f.kind == "dependency_hang") {
        // Every instance of the target; `error_rate` / `fraction` is the share of calls hit.
        hit = candidates(f);
        const bool errors = f.kind == "dependency_errors";
        const double share = errors ? magnitude(f, "error_rate", f.fraction) : f.fraction;
        const double hang_s = magnitude(f, "latency_s", 0), until = o.end_s;
        for (Instance* inst : hit) {
            if (errors) inst->error_rate = share;
            else inst->hang_fraction = share, inst->hang_s = hang_s, inst->hang_until_s = until;
            Runtime::refresh_faulty(*inst);
        }
        o.revert = [hit, errors] {
            for (Instance* inst : hit) {
                if (errors) inst->error_rate = 0;
                else inst->hang_fraction = 0;
                Runtime::refresh_faulty(*inst);
            }
        };
    }
    for (const Instance* inst : hit) o.affected.push_back(name_of(*inst));
    if (!hit.empty()) rec_.set_window_targets(o.window, {hit.begin(), hit.end()});
}

nlohmann::json FaultInjector::timeline(const nlohmann::json& series) const {
    using nlohmann::json;
    const IntervalSeries s = IntervalSeries::from_json(series, e_.interval_s);
    auto number_or_null = [](std::optional<double> v) { return v ? json(*v) : json(nullptr); };
    json out = json::array();
    for (const auto& o : occurrences_) {
        const Fault& f = *o->fault;
        const Recorder::Window& w = rec_.window(o->window);
        const std::uint64_t finished = w.ok + w.errors;
        const Baseline b = baseline_before(s, o->start_s);
        json entry{{"kind", f.kind},
                   {"target", f.target.empty() && f.between.size() == 2 ? f.between[0] + " <-> " + f.between[1] : f.target},
                   {"random", o->random},
                   {"instances", o->affected},
                   {"start_s", o->start_s},
                   {"end_s", std::min(o->end_s, e_.duration_s)},
                   {"ended", o->ended},
                   {"requests", finished},
                   {"requests_failed", w.charged},
                   {"requests_failed_while_active", w.errors},
                   {"requests_lost", o->requests_lost},
                   {"error_rate", finished ? static_cast<double>(w.charged) / static_cast<double>(finished) : 0.0},
                   {"p99_s", w.ok ? json(w.latency.interpolated_quantile(0.99)) : json(nullptr)},
                   {"baseline", b.intervals ? json{{"error_rate", b.error_rate}, {"p99_s", b.p99_s}, {"intervals", b.intervals}}
                                            : json(nullptr)},
                   {"time_to_recover_s", o->ended ? number_or_null(time_to_recover(s, b, o->end_s)) : json(nullptr)}};
        if (!f.between.empty()) entry["between"] = f.between;
        if (f.kind == "memory_leak") entry["oom_kills"] = o->oom_kills;
        if (f.kind == "cache_flush" && series.contains("cache_hit_ratio") && series["cache_hit_ratio"].contains(f.target)) {
            const auto h = hit_ratio_impact(s.t_s, series["cache_hit_ratio"][f.target].get<std::vector<double>>(),
                                            e_.interval_s, o->start_s, o->end_s);
            if (h)
                entry["hit_ratio"] = {{"before", h->before}, {"lowest", h->lowest},
                                      {"recovered_s", number_or_null(h->recovered_s)}};
        }
        out.push_back(entry);
    }
    return out;
}

}  // namespace stacksim::sim
