// Deploys on the request path: the canary's weighted split at the load balancer (Envoy
// weighted clusters, nginx split_clients), slow start for backends joining the rotation
// (Envoy slow_start_config, nginx slow_start=), and per-version accounting of answers.
#include "sim/engine/runtime_state.hpp"

#include <algorithm>
#include <cmath>

namespace stacksim::sim {

const Deploy* Runtime::deploy_of(const Service& s) const {
    for (const Deploy& d : e_.deploys)
        if (d.service == s.name) return &d;
    return nullptr;
}

void Runtime::set_traffic_split(const std::string& service, double weight) {
    routing_.at(service).split_weight = weight;
    refresh_routing(service);
}

const std::vector<Instance*>& Runtime::split_candidates(const Routing& r, const std::vector<Instance*>& all) {
    // Each request draws its side; an empty side sends everything to the other one.
    const bool canary = uniform01(deploy_rng_) < r.split_weight;
    const auto& side = canary ? r.canary : r.stable;
    if (!side.empty()) return side;
    const auto& other = canary ? r.stable : r.canary;
    return other.empty() ? all : other;
}

Instance* Runtime::slow_start_pick(const Service& lb, const std::vector<Instance*>& list) {
    // Envoy: weight = max(min_weight, (elapsed / window)^(1 / aggression)) for a backend that
    // joined less than `window` ago. While one is warming, the pick is weighted random (what
    // Envoy's weighted round robin / least request converge to); otherwise the algorithm's.
    const SlowStartSpec& ss = *lb.lb->slow_start;
    const double now = Kernel::now();
    bool warming = false;
    for (const Instance* i : list) warming = warming || (i->warming_since_s >= 0 && now - i->warming_since_s < ss.window_s);
    if (!warming) return nullptr;
    auto weight = [&](const Instance* i) {
        if (i->warming_since_s < 0 || now - i->warming_since_s >= ss.window_s) return 1.0;
        const double time_factor = std::max(now - i->warming_since_s, 1e-9) / ss.window_s;
        return std::max(ss.min_weight, std::pow(time_factor, 1 / ss.aggression));
    };
    double total = 0;
    for (const Instance* i : list) total += weight(i);
    double u = uniform(deploy_rng_, 0, total);
    for (Instance* i : list) {
        u -= weight(i);
        if (u < 0) return i;
    }
    return list.back();
}

void Runtime::version_outcome(Worker& w, bool probe, bool& ok, ErrorKind& why) {
    if (probe) return;  // a /health handler is not the version's business logic
    if (ok && w.error_rate > 0 && uniform01(deploy_rng_) < w.error_rate) {
        ok = false;  // the bad version did the work and answered 500
        why = ErrorKind::server_error;
    }
    rec_.version_outcome(w.version_id, ok);
}

void Runtime::version_refused(Instance& inst) { rec_.version_outcome(inst.version_id, false); }

}  // namespace stacksim::sim
