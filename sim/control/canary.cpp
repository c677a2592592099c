// Canary (Argo Rollouts canary with traffic routing, Flagger): the canary is scaled to match
// its weight, the LB sends `weight` of its traffic to it once it is ready, the steps advance
// after their pause, and an analysis of the canary's error rate every `interval` rolls back
// after more than `failure_limit` failed measurements. The last step promotes: the stable
// set drains and the new version takes all traffic.
#include "sim/control/deployer.hpp"

#include <algorithm>
#include <cmath>

namespace stacksim::sim {

using Phase = Instance::Phase;

void Deployer::canary(Rollout& r) {
    if (r.outcome != "in_progress") return;
    const double now = Kernel::now();
    const double weight = r.promoted ? 1.0 : r.d->steps[r.step].weight;
    if (weight >= 1) r.promoted = true;
    const int need = r.promoted ? r.replicas
                                : std::clamp(static_cast<int>(std::ceil(weight * r.replicas - 1e-9)), 1, r.replicas);
    int active = 0, ready_now = 0;
    for (const Instance* i : r.slots) {
        if (i->version != 1) continue;
        active += i->phase == Phase::running || i->phase == Phase::starting;
        ready_now += ready(r, *i);
    }
    for (Instance* i : r.slots)
        if (active < need && i->phase == Phase::stopped) start_new(r, *i, false), ++active;
    if (ready_now < need || r.weight_set) {
        if (r.weight_set && !r.promoted && now >= r.step_pause_until_s - 1e-9) {  // the pause is over: next step
            if (++r.step == r.d->steps.size()) r.promoted = true, --r.step;
            r.weight_set = false;
        }
        return;
    }
    r.weight_set = true;
    if (r.promoted) {
        // Promotion: the stable set drains (out of rotation at once), the split ends.
        for (Instance* i : r.slots)
            if (i->version == 0 && i->phase == Phase::running) drain(r, *i);
        runtime_.set_traffic_split(r.d->service, -1);
        rec_.control_event(now, "canary_promoted", r.d->service, -1, {{"instances", need}});
        finish(r, "completed");
        return;
    }
    const bool first = r.step_pause_until_s < 0;
    runtime_.set_traffic_split(r.d->service, weight);
    r.step_pause_until_s = now + r.d->steps[r.step].pause_s;
    rec_.control_event(now, "canary_weight", r.d->service, -1,
                       {{"step", r.step + 1}, {"weight", weight}, {"instances", need}, {"pause_s", r.d->steps[r.step].pause_s}});
    if (first && r.d->analysis) {
        const auto& c = rec_.version_counts(r.new_id);
        r.seen_requests = c.all_requests;
        r.seen_errors = c.all_errors;
        kernel_.after(r.d->analysis->interval_s, [this, &r] { analyse(r); });
    }
}

void Deployer::analyse(Rollout& r) {
    if (r.outcome != "in_progress" || r.promoted) return;
    const CanaryAnalysis& a = *r.d->analysis;
    const auto& c = rec_.version_counts(r.new_id);
    const std::uint64_t requests = c.all_requests - r.seen_requests, errors = c.all_errors - r.seen_errors;
    r.seen_requests = c.all_requests;
    r.seen_errors = c.all_errors;
    if (requests >= static_cast<std::uint64_t>(a.min_requests)) {
        const double rate = static_cast<double>(errors) / static_cast<double>(requests);
        const bool passed = rate <= a.max_error_rate;
        rec_.control_event(Kernel::now(), "canary_analysis", r.d->service, -1,
                           {{"error_rate", rate}, {"requests", requests}, {"passed", passed}});
        if (!passed && ++r.failures > a.failure_limit) {
            rollback(r, rate, requests);
            return;
        }
    }
    kernel_.after(a.interval_s, [this, &r] { analyse(r); });
}

void Deployer::rollback(Rollout& r, double error_rate, std::uint64_t requests) {
    // Argo abort / Flagger rollback: traffic back to stable at once, the canary drains.
    runtime_.set_traffic_split(r.d->service, 0);
    for (Instance* i : r.slots)
        if (i->version == 1 && (i->phase == Phase::running || i->phase == Phase::starting)) {
            if (i->phase == Phase::starting) {
                i->phase = Phase::stopped;
                ++i->generation;
                continue;
            }
            drain(r, *i);
        }
    finish(r, "rolled_back", {{"error_rate", error_rate}, {"requests", requests}, {"failed_measurements", r.failures}});
}

}  // namespace stacksim::sim
