// Load balancer backend choice: round robin, random, least connections, power of two choices,
// consistent hashing with bounded loads, sticky sessions.
#include "sim/engine/runtime_state.hpp"

#include <algorithm>
#include <cmath>

namespace stacksim::sim {

Instance& Runtime::pick_backend(const Service& lb, Instance& lb_instance, const Request* req) {
    // The backends in rotation (health checks, outlier ejection, autoscaling); none left: panic
    // routing over every running backend, as Envoy does below its panic threshold.
    const Routing& routing = routing_.at(lb.lb->backend);
    // With active health checks, this proxy instance's own view of the backends.
    const auto& rotation = lb_instance.hc_view >= 0 ? routing.rotation_at[static_cast<std::size_t>(lb_instance.hc_view)] : routing.rotation;
    const auto& in_rotation = rotation.empty() ? routing.serving : rotation;
    // A canary's weighted split, then slow start's ramped weights (sim/control/deploy_routing.cpp).
    const auto& list = routing.split_weight >= 0 ? split_candidates(routing, in_rotation) : in_rotation;
    if (list.empty()) [[unlikely]] return *instances_.at(lb.lb->backend).front();
    if (lb.lb->slow_start) [[unlikely]]
        if (Instance* warming = slow_start_pick(lb, list)) return *warming;
    const std::size_t n = list.size();
    auto least = [&](std::size_t a, std::size_t b) { return list[b]->active < list[a]->active ? b : a; };
    auto any = [&] { return static_cast<std::size_t>(uniform_below(lb_rng_, n)); };
    switch (lb.lb->algorithm) {
        case LbAlgorithm::round_robin:
            // Each proxy instance keeps its own rotation, started at a random offset (Envoy's
            // round robin does this) so that several replicas do not deal to the backends in lockstep.
            if (!lb_instance.rotation_started) {
                lb_instance.rotation_started = true;
                lb_instance.rotation_next = uniform_below(lb_rng_, n);
            }
            return *list[lb_instance.rotation_next++ % n];
        case LbAlgorithm::random: return *list[any()];
        case LbAlgorithm::least_connections: {
            std::size_t best = 0;
            for (std::size_t i = 1; i < n; ++i) best = least(best, i);
            return *list[best];
        }
        case LbAlgorithm::power_of_two: return *list[least(any(), any())];
        case LbAlgorithm::consistent_hash: {
            // Consistent hashing with bounded loads: walk the ring from the key's point and take
            // the first backend under c x average load.
            long total = 0;
            for (const auto& b : list) total += b->active;
            const double cap = std::ceil(lb.lb->bounded_load * static_cast<double>(total + 1) / static_cast<double>(n));
            const std::size_t start = mix64(req ? req->session : lb_rng_()) % n;
            for (std::size_t k = 0; k < n; ++k)
                if (static_cast<double>(list[(start + k) % n]->active) < cap) return *list[(start + k) % n];
            return *list[start];
        }
        case LbAlgorithm::sticky: {
            if (!req) return *list[any()];  // internal traffic has no session
            auto [it, fresh] = sticky_.emplace(req->session, 0);
            if (fresh) it->second = round_robin_[lb.name]++ % n;
            return *list[it->second % n];
        }
    }
    return *list.front();
}

}  // namespace stacksim::sim
