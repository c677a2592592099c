#include "sim/control/control_plane.hpp"

#include <algorithm>
#include <cmath>

namespace stacksim::sim {

using Phase = Instance::Phase;

ControlPlane::ControlPlane(const Experiment& e, Kernel& kernel, Runtime& runtime, Recorder& recorder)
    : e_(e), kernel_(kernel), runtime_(runtime), rec_(recorder) {
    for (const auto& [name, s] : e.topology.services) {
        if (s.lb && s.lb->health_check && runtime.instances().contains(s.lb->backend)) {
            for (const auto& lb_instance : runtime.instances().at(name)) {  // every proxy instance checks
                auto hc = std::make_unique<HealthChecker>();
                hc->lb = &s;
                hc->spec = &*s.lb->health_check;
                hc->from = lb_instance.get();
                hc->view = runtime.add_health_view(s.lb->backend);
                lb_instance->hc_view = hc->view;
                checkers_.push_back(std::move(hc));
            }
        }
        if (s.node && s.node->autoscaling) {
            auto sc = std::make_unique<Scaler>();
            sc->service = &s;
            sc->spec = &*s.node->autoscaling;
            for (const auto& inst : runtime.instances().at(name)) sc->instances.push_back(inst.get());
            sc->last_busy = runtime.instance_busy_seconds(name);
            scalers_.push_back(std::move(sc));
            // series.replicas: instances that exist (billed): starting, running or draining.
            recorder.add_replicas_gauge(name, [list = scalers_.back()->instances] {
                return static_cast<int>(std::count_if(list.begin(), list.end(), [](const Instance* i) { return i->phase != Phase::stopped; }));
            });
        }
    }
}

void ControlPlane::start() {
    for (auto& hc : checkers_) {
        HealthChecker* h = hc.get();
        kernel_.at(h->spec->interval_s, [this, h] { health_round(*h); });
    }
    for (auto& sc : scalers_) {
        Scaler* s = sc.get();
        kernel_.at(s->spec->sync_period_s, [this, s] { sync(*s); });
    }
}

// ---- Active health checks -------------------------------------------------------------
// One checker per load-balancer *instance*, as Envoy, nginx and HAProxy each probe from every
// proxy: each keeps its own verdicts, so in a partition a proxy ejects only the backends it
// cannot reach. Every `interval` each running backend gets a probe; no reply within `timeout`
// (or an error: refused, 503) is a failure. `unhealthy_threshold` consecutive failures take it
// out of that proxy's rotation, `healthy_threshold` consecutive successes bring it back. A
// crashed proxy probes nothing (and routes nothing) until it is back.
void ControlPlane::health_round(HealthChecker& hc) {
    const Instance* from = hc.from;
    for (const auto& inst : runtime_.instances().at(hc.lb->lb->backend)) {
        if (from->down) break;
        if (inst->phase != Phase::running) continue;
        Instance* target = inst.get();
        auto decided = std::make_shared<bool>(false);
        const std::uint64_t gen = target->generation;
        runtime_.probe(*target, from, [this, &hc, target, gen, decided](bool ok) {
            if (*decided) return;
            *decided = true;
            probe_result(hc, *target, gen, ok);
        });
        kernel_.after(hc.spec->timeout_s, [this, &hc, target, gen, decided] {
            if (*decided) return;
            *decided = true;
            probe_result(hc, *target, gen, false);
        });
    }
    ++hc.round;
    kernel_.at(static_cast<double>(hc.round + 1) * hc.spec->interval_s, [this, &hc] { health_round(hc); });
}

void ControlPlane::probe_result(HealthChecker& hc, Instance& inst, std::uint64_t generation, bool ok) {
    if (inst.generation != generation || inst.phase != Phase::running) return;  // stopped meanwhile
    const auto v = static_cast<std::size_t>(hc.view);
    const bool failing = inst.hc_failing_at[v];
    int& streak = inst.hc_streak_at[v];
    if (ok != failing) {  // the expected outcome: nothing changes
        streak = 0;
        return;
    }
    const int threshold = failing ? hc.spec->healthy_threshold : hc.spec->unhealthy_threshold;
    if (++streak < threshold) return;
    streak = 0;
    inst.hc_failing_at[v] = !failing;
    inst.hc_failing = std::all_of(inst.hc_failing_at.begin(), inst.hc_failing_at.end(), [](std::uint8_t f) { return f != 0; });
    if (failing) inst.warming_since_s = Kernel::now();  // back in rotation: the LB's slow start applies
    runtime_.refresh_routing(inst.service->name);
    rec_.control_event(Kernel::now(), failing ? "health_check_returned" : "health_check_ejected", inst.service->name, inst.index,
                       {{"load_balancer", hc.lb->name}, {"from", hc.lb->name + "#" + std::to_string(hc.from->index)}});
}

// ---- Horizontal autoscaling (Kubernetes HPA, autoscaling/v2) ---------------------------
void ControlPlane::sync(Scaler& s) {
    const AutoscalingSpec& a = *s.spec;
    const double now = Kernel::now();
    const std::vector<double> busy = runtime_.instance_busy_seconds(s.service->name);
    const std::vector<int> servers = runtime_.instance_servers(s.service->name);
    // Utilisation of each ready pod since the last sync (metrics-server's CPU usage / request);
    // pods that are not ready (starting, crashed) have no metric.
    double sum_util = 0;
    int ready = 0, current = 0, starting = 0;
    for (std::size_t i = 0; i < s.instances.size(); ++i) {
        const Instance& inst = *s.instances[i];
        if (inst.phase == Phase::running || inst.phase == Phase::starting) ++current;
        if (inst.phase == Phase::starting) ++starting;
        if (inst.phase == Phase::running && inst.down == 0) {
            const double window = now - std::max(s.last_sync_s, inst.ready_since_s);
            if (window > 0 && servers[i] > 0) {
                sum_util += (busy[i] - s.last_busy[i]) / (window * servers[i]);
                ++ready;
            }
        }
    }
    s.last_busy = busy;
    s.last_sync_s = now;
    // desired = ceil(current x utilisation / target), unless within the tolerance. On a scale
    // up, pods not yet ready count as idle (the HPA's conservative rule).
    int desired = current;
    double ratio = 1;
    if (ready > 0) {
        ratio = sum_util / (a.target_utilisation * ready);
        if (ratio > 1 && starting > 0) ratio = sum_util / (a.target_utilisation * (ready + starting));
        if (std::abs(ratio - 1) > a.tolerance) desired = static_cast<int>(std::ceil(sum_util / a.target_utilisation - 1e-9));
    }
    desired = std::clamp(desired, a.min_replicas, a.max_replicas);
    // Stabilisation: the highest recommendation of the down window (no flapping down), the
    // lowest of the up window.
    s.recommendations.emplace_back(now, desired);
    const double keep = std::max(a.scale_up.stabilization_window_s, a.scale_down.stabilization_window_s);
    while (!s.recommendations.empty() && s.recommendations.front().first < now - keep - 1e-9) s.recommendations.pop_front();
    int up_rec = desired, down_rec = desired;
    for (const auto& [t, r] : s.recommendations) {
        if (t >= now - a.scale_up.stabilization_window_s - 1e-9) up_rec = std::min(up_rec, r);
        if (t >= now - a.scale_down.stabilization_window_s - 1e-9) down_rec = std::max(down_rec, r);
    }
    int target = current;
    if (target < up_rec) target = up_rec;
    if (target > down_rec) target = down_rec;
    // Scaling policies limit the change per period.
    if (target > current) target = std::min(target, limit(s, current, true));
    else if (target < current) target = std::max(target, limit(s, current, false));
    target = std::clamp(target, a.min_replicas, a.max_replicas);
    if (target != current) {
        rec_.control_event(now, target > current ? "scale_up" : "scale_down", s.service->name, -1,
                           {{"from", current}, {"to", target}, {"utilisation", ready ? sum_util / ready : 0.0},
                            {"desired", desired}});
        if (target > current) start_instances(s, target - current);
        else stop_instances(s, current - target);
    }
    kernel_.after(a.sync_period_s, [this, &s] { sync(s); });
}

int ControlPlane::limit(const Scaler& s, int current, bool up) const {
    const ScalingRules& rules = up ? s.spec->scale_up : s.spec->scale_down;
    if (rules.select == ScalingRules::Select::disabled || rules.policies.empty()) return current;
    const double now = Kernel::now();
    bool first = true;
    int best = current;
    for (const ScalingPolicy& p : rules.policies) {
        // Replicas at the start of the policy's period: undo the changes made within it.
        int added = 0, removed = 0;
        for (const auto& [t, d] : s.changes)
            if (t > now - p.period_s + 1e-9) (d > 0 ? added : removed) += std::abs(d);
        int proposed = 0;
        if (up) {
            const int start = current - added;
            proposed = p.type == ScalingPolicy::Type::pods ? start + static_cast<int>(p.value)
                                                           : static_cast<int>(std::ceil(start * (1 + p.value / 100) - 1e-9));
        } else {
            const int start = current + removed;
            proposed = p.type == ScalingPolicy::Type::pods ? start - static_cast<int>(p.value)
                                                           : static_cast<int>(std::floor(start * (1 - p.value / 100) + 1e-9));
        }
        // select max = the policy allowing the biggest change; min = the smallest.
        const bool more = up ? proposed > best : proposed < best;
        if (first || (rules.select == ScalingRules::Select::max) == more) best = proposed;
        first = false;
    }
    return best;
}

void ControlPlane::start_instances(Scaler& s, int n) {
    s.changes.emplace_back(Kernel::now(), n);
    for (Instance* inst : s.instances) {  // lowest index first (deterministic)
        if (n == 0) break;
        if (inst->phase != Phase::stopped) continue;
        --n;
        inst->phase = Phase::starting;
        Runtime::set_health(*inst, false);
        inst->ejected = false;
        inst->consecutive_errors = 0;
        const std::uint64_t gen = ++inst->generation;
        rec_.control_event(Kernel::now(), "instance_starting", s.service->name, inst->index);
        kernel_.after(s.spec->startup_s, [this, inst, gen] {
            if (inst->generation != gen || inst->phase != Phase::starting) return;
            inst->phase = Phase::running;
            inst->ready_since_s = inst->warming_since_s = Kernel::now();
            runtime_.refresh_routing(inst->service->name);
            rec_.control_event(Kernel::now(), "instance_ready", inst->service->name, inst->index);
        });
    }
    if (n > 0) s.changes.back().second -= n;  // no stopped instance left (some still draining)
}

void ControlPlane::stop_instances(Scaler& s, int n) {
    s.changes.emplace_back(Kernel::now(), -n);
    // Pods still starting go first, then the newest running ones (highest index).
    for (const Phase phase : {Phase::starting, Phase::running})
        for (auto it = s.instances.rbegin(); it != s.instances.rend() && n > 0; ++it) {
            Instance* inst = *it;
            if (inst->phase != phase) continue;
            --n;
            const std::uint64_t gen = ++inst->generation;
            if (phase == Phase::starting) {
                inst->phase = Phase::stopped;
                rec_.control_event(Kernel::now(), "instance_stopped", s.service->name, inst->index, {{"requests_cut", 0}});
                continue;
            }
            // Graceful shutdown: out of rotation at once, in-flight requests finish.
            inst->phase = Phase::draining;
            runtime_.refresh_routing(inst->service->name);
            rec_.control_event(Kernel::now(), "instance_draining", s.service->name, inst->index);
            drain(s, *inst, gen, Kernel::now() + s.spec->drain_timeout_s);
        }
}

void ControlPlane::drain(Scaler& s, Instance& inst, std::uint64_t generation, double deadline_s) {
    if (inst.generation != generation || inst.phase != Phase::draining) return;
    const bool idle = Runtime::idle(inst);
    if (!idle && Kernel::now() < deadline_s - 1e-9) {
        kernel_.after(std::min(0.1, deadline_s - Kernel::now()), [this, &s, &inst, generation, deadline_s] {
            drain(s, inst, generation, deadline_s);
        });
        return;
    }
    int cut = 0;
    if (!idle) {  // terminationGracePeriod over: SIGKILL, what is still in flight fails
        cut = runtime_.crash_instance(inst);
        runtime_.restore_instance(inst);
    }
    inst.phase = Phase::stopped;
    rec_.control_event(Kernel::now(), "instance_stopped", inst.service->name, inst.index, {{"requests_cut", cut}});
}

}  // namespace stacksim::sim
