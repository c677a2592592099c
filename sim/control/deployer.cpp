// The deploy controller: start, readiness, graceful drain and version bookkeeping shared by
// every strategy, and the rolling update (Kubernetes Deployment) and blue/green (Argo
// Rollouts blueGreen) strategies. Canary: canary.cpp; PM2 reload/restart: pm2.cpp.
#include "sim/control/deployer.hpp"

#include <algorithm>
#include <cmath>

namespace stacksim::sim {

using Phase = Instance::Phase;

Deployer::Deployer(const Experiment& e, Kernel& kernel, Runtime& runtime, Recorder& recorder)
    : e_(e), kernel_(kernel), runtime_(runtime), rec_(recorder) {
    for (const Deploy& d : e.deploys) {
        auto r = std::make_unique<Rollout>();
        r->d = &d;
        r->s = e.topology.find(d.service);
        r->replicas = r->s->replicas;
        r->old_id = recorder.add_version(d.service, d.from_version);
        r->new_id = recorder.add_version(d.service, d.version.name);
        for (const auto& [_, lb] : e.topology.services)
            if (lb.lb && lb.lb->backend == d.service && lb.lb->health_check) r->lb_health_check = true;
        for (const auto& inst : runtime.instances().at(d.service)) {
            r->slots.push_back(inst.get());
            inst->versioned = true;
            inst->version_id = r->old_id;
            for (auto& w : inst->workers) {
                w->versioned = true;
                w->version_id = r->old_id;
            }
        }
        // series.replicas: instances that exist (billed): starting, running, standby or draining.
        recorder.add_replicas_gauge(d.service, [list = r->slots] {
            return static_cast<int>(std::count_if(list.begin(), list.end(), [](const Instance* i) { return i->phase != Phase::stopped; }));
        });
        rollouts_.push_back(std::move(r));
    }
}

void Deployer::start() {
    for (auto& r : rollouts_) {
        Rollout* p = r.get();
        kernel_.at(p->d->at_s, [this, p] {
            begin(*p);
            tick(*p);
        });
    }
}

void Deployer::begin(Rollout& r) {
    r.outcome = "in_progress";
    r.started_s = Kernel::now();
    r.pm2.resize(r.slots.size());
    r.pm2_old.resize(r.slots.size());
    if (r.d->strategy == Deploy::Strategy::canary) runtime_.set_traffic_split(r.d->service, 0);  // nothing to the canary yet
    rec_.control_event(Kernel::now(), "deploy_started", r.d->service, -1,
                       {{"strategy", to_string(r.d->strategy)}, {"from", r.d->from_version}, {"to", r.d->version.name}});
}

void Deployer::finish(Rollout& r, const char* outcome, nlohmann::json detail) {
    r.outcome = outcome;
    r.ended_s = Kernel::now();
    nlohmann::json j{{"strategy", to_string(r.d->strategy)}, {"duration_s", r.ended_s - r.started_s}};
    if (detail.is_object()) j.update(detail);
    rec_.control_event(Kernel::now(), r.outcome == "completed" ? "deploy_completed" : "deploy_rolled_back", r.d->service, -1, j);
}

void Deployer::tick(Rollout& r) {
    switch (r.d->strategy) {
        case Deploy::Strategy::rolling: rolling(r); break;
        case Deploy::Strategy::blue_green: blue_green(r); break;
        case Deploy::Strategy::canary: canary(r); break;
        case Deploy::Strategy::pm2_reload:
        case Deploy::Strategy::pm2_restart: pm2(r); break;
    }
    // Keep watching until the rollout is over and nothing is left draining.
    if (r.outcome == "in_progress" || r.draining > 0) kernel_.after(kTick, [this, &r] { tick(r); });
}

bool Deployer::ready(const Rollout& r, const Instance& inst) const {
    (void)r;
    return inst.phase == Phase::running && !inst.hc_failing && inst.down == 0;
}

void Deployer::set_version(Rollout& r, Instance& inst, bool fresh) {
    const VersionSpec& v = r.d->version;
    inst.version = fresh ? 1 : 0;
    inst.version_id = fresh ? r.new_id : r.old_id;
    for (auto& w : inst.workers) {
        w->version_id = inst.version_id;
        w->error_rate = fresh ? v.error_rate : 0;
        w->cpu_factor = fresh ? v.cpu_factor : 1;
    }
}

void Deployer::start_new(Rollout& r, Instance& inst, bool standby) {
    inst.phase = Phase::starting;
    inst.standby = standby;
    Runtime::set_health(inst, false);
    inst.ejected = false;
    inst.consecutive_errors = 0;
    set_version(r, inst, true);
    const std::uint64_t gen = ++inst.generation;
    rec_.control_event(Kernel::now(), "instance_starting", inst.service->name, inst.index, {{"version", r.d->version.name}});
    kernel_.after(r.d->startup_s, [this, &r, &inst, gen] {
        if (inst.generation != gen || inst.phase != Phase::starting) return;
        inst.phase = Phase::running;
        inst.ready_since_s = Kernel::now();
        // Readiness: with LB health checks the instance joins the rotation only after
        // healthy_threshold passing probes (a Kubernetes readiness probe); slow start begins then.
        Runtime::set_health(inst, r.lb_health_check);
        if (!r.lb_health_check) inst.warming_since_s = Kernel::now();
        runtime_.refresh_routing(inst.service->name);
        rec_.control_event(Kernel::now(), "instance_ready", inst.service->name, inst.index, {{"version", r.d->version.name}});
        schedule_crash(r, inst);
    });
}

// A version with crash_after: each instance crashes after running that long, and is restarted
// (after `startup`) to crash again — a crash loop the health checks and the canary analysis see.
void Deployer::schedule_crash(Rollout& r, Instance& inst) {
    if (!r.d->version.crash_after_s) return;
    const std::uint64_t gen = inst.generation;
    kernel_.after(*r.d->version.crash_after_s, [this, &r, &inst, gen] {
        if (inst.generation != gen || inst.phase != Phase::running) return;
        const int cut = runtime_.crash_instance(inst);
        rec_.control_event(Kernel::now(), "instance_crashed", inst.service->name, inst.index,
                           {{"version", r.d->version.name}, {"requests_cut", cut}});
        kernel_.after(r.d->startup_s, [this, &r, &inst, gen] {
            runtime_.restore_instance(inst);
            if (inst.generation != gen) return;
            rec_.control_event(Kernel::now(), "instance_restarted", inst.service->name, inst.index, {{"version", r.d->version.name}});
            schedule_crash(r, inst);
        });
    });
}

void Deployer::drain(Rollout& r, Instance& inst) {
    inst.phase = Phase::draining;
    const std::uint64_t gen = ++inst.generation;
    runtime_.refresh_routing(inst.service->name);
    rec_.control_event(Kernel::now(), "instance_draining", inst.service->name, inst.index,
                       {{"version", inst.version ? r.d->version.name : r.d->from_version}});
    ++r.draining;
    drain_check(r, inst, gen, Kernel::now() + r.d->drain_timeout_s);
}

void Deployer::drain_check(Rollout& r, Instance& inst, std::uint64_t gen, double deadline_s) {
    if (inst.generation != gen) return;
    const bool idle = Runtime::idle(inst);
    if (!idle && Kernel::now() < deadline_s - 1e-9) {
        kernel_.after(std::min(kTick, deadline_s - Kernel::now()), [this, &r, &inst, gen, deadline_s] { drain_check(r, inst, gen, deadline_s); });
        return;
    }
    int cut = 0;
    if (!idle) {  // the grace period is over: SIGKILL, what is still in flight fails
        cut = runtime_.crash_instance(inst);
        runtime_.restore_instance(inst);
    }
    if (inst.down > 0) runtime_.restore_instance(inst);  // a crash-looping instance stops for good
    inst.phase = Phase::stopped;
    inst.standby = false;
    ++inst.generation;
    --r.draining;
    rec_.control_event(Kernel::now(), "instance_stopped", inst.service->name, inst.index, {{"requests_cut", cut}});
}

// ---- Rolling update (Kubernetes Deployment, strategy RollingUpdate) ---------------------
// At most replicas + maxSurge instances exist (draining ones not counted, as Kubernetes does
// not count terminating pods) and at least replicas - maxUnavailable are ready. New instances
// start on free slots; an old one is drained as soon as the ready count allows it.
void Deployer::rolling(Rollout& r) {
    if (r.outcome != "in_progress") return;
    const int n = r.replicas, surge = max_surge_instances(*r.d, n), unavailable = max_unavailable_instances(*r.d, n);
    int old_active = 0, new_active = 0, old_ready = 0, new_ready = 0;
    for (const Instance* i : r.slots) {
        if (i->phase != Phase::running && i->phase != Phase::starting) continue;
        (i->version ? new_active : old_active)++;
        if (ready(r, *i)) (i->version ? new_ready : old_ready)++;
    }
    int started = 0, drained = 0;
    for (int k = std::min(n + surge - old_active - new_active, n - new_active); k > 0; --k) {
        auto free = std::find_if(r.slots.begin(), r.slots.end(), [](const Instance* i) { return i->phase == Phase::stopped; });
        if (free == r.slots.end()) break;  // the freed old instance is still draining
        start_new(r, **free, false);
        ++started, ++new_active;
    }
    for (int k = std::min(old_active, old_ready + new_ready - (n - unavailable)); k > 0; --k) {
        // Old instances not ready (crashed, failing checks) go first, then the lowest index.
        Instance* victim = nullptr;
        for (Instance* i : r.slots)
            if (i->version == 0 && i->phase == Phase::running && (!victim || (ready(r, *victim) && !ready(r, *i)))) victim = i;
        if (!victim) break;
        drain(r, *victim);
        ++drained, --old_active;
    }
    if (started || drained)
        rec_.control_event(Kernel::now(), "rollout_batch", r.d->service, -1,
                           {{"new_started", started}, {"old_draining", drained}, {"new_ready", new_ready},
                            {"old_running", old_active}});
    if (old_active == 0 && new_ready == n) finish(r, "completed");
}

// ---- Blue/green (Argo Rollouts blueGreen) -------------------------------------------------
// The green set starts beside blue, routed nothing (the preview service) until every green
// instance is ready and the soak is over; then one routing change moves all traffic; blue
// stays idle for scale_down_delay (a rollback would be instant), then drains and stops.
void Deployer::blue_green(Rollout& r) {
    if (r.outcome != "in_progress") return;
    const double now = Kernel::now();
    if (r.all_ready_s < 0) {
        int green = 0, green_ready = 0;
        for (const Instance* i : r.slots) green += i->version == 1 && i->phase != Phase::stopped;
        if (green == 0) {
            for (Instance* i : r.slots)
                if (i->phase == Phase::stopped && green < r.replicas) start_new(r, *i, true), ++green;
            rec_.control_event(now, "green_starting", r.d->service, -1, {{"instances", green}});
            return;
        }
        for (const Instance* i : r.slots) green_ready += i->version == 1 && ready(r, *i);
        if (green_ready < r.replicas) return;
        r.all_ready_s = now;
        rec_.control_event(now, "green_ready", r.d->service, -1, {{"soak_s", r.d->soak_s}});
    }
    if (r.switched_s < 0) {
        if (now < r.all_ready_s + r.d->soak_s - 1e-9) return;
        for (Instance* i : r.slots) {
            if (i->phase == Phase::stopped) continue;
            i->standby = i->version == 0;
        }
        runtime_.refresh_routing(r.d->service);  // one routing change: the switch is atomic
        r.switched_s = now;
        rec_.control_event(now, "traffic_switched", r.d->service, -1, {{"to", r.d->version.name}});
    }
    if (!r.blue_released && now >= r.switched_s + r.d->scale_down_delay_s - 1e-9) {
        r.blue_released = true;
        for (Instance* i : r.slots)
            if (i->version == 0 && i->phase == Phase::running) drain(r, *i);
    }
    if (r.blue_released && r.draining == 0) finish(r, "completed", {{"switched_at_s", r.switched_s}});
}

nlohmann::json Deployer::report() const {
    nlohmann::json out = nlohmann::json::array();
    const nlohmann::json counts = rec_.versions_json();
    for (const auto& r : rollouts_) {
        nlohmann::json versions = nlohmann::json::array();
        for (const auto& c : counts)
            if (c["service"] == r->d->service) versions.push_back({{"version", c["version"]}, {"requests", c["requests"]},
                                                                  {"errors", c["errors"]}, {"error_rate", c["error_rate"]}});
        nlohmann::json j{{"service", r->d->service}, {"strategy", to_string(r->d->strategy)},
                         {"from", r->d->from_version}, {"to", r->d->version.name}, {"at_s", r->d->at_s},
                         {"outcome", r->outcome}, {"versions", versions}};
        j["ended_s"] = r->ended_s >= 0 ? nlohmann::json(r->ended_s) : nlohmann::json(nullptr);
        j["duration_s"] = r->ended_s >= 0 ? nlohmann::json(r->ended_s - r->started_s) : nlohmann::json(nullptr);
        out.push_back(j);
    }
    return out;
}

}  // namespace stacksim::sim
