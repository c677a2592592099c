// The load balancers' view of their backends: which instances are in rotation (running,
// passing active health checks, not ejected by outlier detection), the health-check probe
// itself, and passive outlier detection on the request path (Envoy consecutive_5xx).
#include "sim/engine/runtime_state.hpp"

#include <algorithm>
#include <cmath>

namespace stacksim::sim {

void Runtime::refresh_routing(const std::string& service) {
    Routing& r = routing_[service];
    r.serving.clear();
    r.rotation.clear();
    for (const auto& inst : instances_.at(service)) {
        if (inst->phase != Instance::Phase::running) continue;
        if (inst->standby) continue;  // blue/green: the idle colour takes no traffic
        r.serving.push_back(inst.get());
        if (!inst->hc_failing && !inst->ejected) r.rotation.push_back(inst.get());
    }
    for (std::size_t v = 0; v < r.rotation_at.size(); ++v) {
        r.rotation_at[v].clear();
        for (Instance* inst : r.rotation)
            if (!inst->hc_failing_at[v]) r.rotation_at[v].push_back(inst);
    }
    r.canary.clear();
    r.stable.clear();
    if (r.split_weight >= 0)
        for (Instance* inst : r.rotation.empty() ? r.serving : r.rotation) (inst->version ? r.canary : r.stable).push_back(inst);
}

int Runtime::add_health_view(const std::string& backend) {
    Routing& r = routing_.at(backend);
    for (const auto& inst : instances_.at(backend)) {
        inst->hc_failing_at.push_back(inst->hc_failing);
        inst->hc_streak_at.push_back(0);
    }
    r.rotation_at.emplace_back();
    refresh_routing(backend);
    return static_cast<int>(r.rotation_at.size()) - 1;
}

void Runtime::set_health(Instance& inst, bool failing) {
    inst.hc_failing = failing;
    std::fill(inst.hc_failing_at.begin(), inst.hc_failing_at.end(), failing);
    std::fill(inst.hc_streak_at.begin(), inst.hc_streak_at.end(), 0);
}

void Runtime::probe(Instance& target, const Instance* from, std::function<void(bool ok)> done) {
    // A real request to the instance: it crosses the network, is refused by a crashed instance,
    // rejected by an overloaded worker, and queues behind the event loop's CPU work.
    invoke_instance(target, kProbeEndpoint, from, nullptr, [done = std::move(done)](bool ok, ErrorKind) { done(ok); }, {256, 256});
}

bool Runtime::idle(const Instance& inst) {
    if (inst.active > 0) return false;
    for (const auto& w : inst.workers)
        if (w->in_flight > 0 || !w->inbox.empty() || (w->loop && w->loop->in_system() > 0)) return false;
    return true;
}

void Runtime::observe_outlier(const Service& lb, Instance& backend, bool ok) {
    if (ok) {
        backend.consecutive_errors = 0;
        return;
    }
    const OutlierDetectionSpec& od = *lb.lb->outlier_detection;
    if (backend.ejected || ++backend.consecutive_errors < od.consecutive_errors) return;
    backend.consecutive_errors = 0;
    // max_ejection_percent caps the ejected share of the backends (at least one may go).
    const auto& all = instances_.at(backend.service->name);
    std::size_t ejected = 0, running = 0;
    for (const auto& i : all) {
        ejected += i->ejected;
        running += i->phase == Instance::Phase::running;
    }
    const auto cap = std::max<std::size_t>(1, static_cast<std::size_t>(std::floor(od.max_ejection_fraction * static_cast<double>(running) + 1e-9)));
    if (ejected >= cap) return;
    backend.ejected = true;
    ++backend.times_ejected;
    // Envoy: ejected for base_ejection_time x times ejected, capped at max_ejection_time.
    const double for_s = std::min(od.base_ejection_time_s * backend.times_ejected, std::max(od.base_ejection_time_s, od.max_ejection_time_s));
    refresh_routing(backend.service->name);
    rec_.control_event(Kernel::now(), "outlier_ejected", backend.service->name, backend.index,
                       {{"load_balancer", lb.name}, {"ejection_s", for_s}, {"times_ejected", backend.times_ejected}});
    kernel_.after(for_s, [this, &lb, &backend] {
        backend.ejected = false;
        refresh_routing(backend.service->name);
        rec_.control_event(Kernel::now(), "outlier_returned", backend.service->name, backend.index, {{"load_balancer", lb.name}});
    });
}

}  // namespace stacksim::sim
