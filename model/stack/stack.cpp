#include <algorithm>
#include <cmath>
#include <numbers>

#include "model/stack/experiment.hpp"
#include "model/stack/topology.hpp"

namespace stacksim {

const std::vector<std::string>& retryable_error_kinds() {
    static const std::vector<std::string> kinds{"timeout", "dependency", "instance_down", "rejected", "pool_timeout",
                                                "queue_full", "circuit_open", "bulkhead_full", "rate_limited", "shed",
                                                "throttled", "connect_timeout", "server_error"};
    return kinds;
}

const std::vector<std::string>& default_retry_on() {
    static const std::vector<std::string> kinds{"timeout", "dependency", "instance_down", "rejected", "pool_timeout",
                                                "queue_full", "shed", "connect_timeout"};
    return kinds;
}

const char* to_string(ServiceKind k) {
    switch (k) {
        case ServiceKind::node_service: return "node_service";
        case ServiceKind::load_balancer: return "load_balancer";
        case ServiceKind::cache: return "cache";
        case ServiceKind::database: return "database";
        case ServiceKind::queue: return "queue";
        case ServiceKind::external: return "external";
    }
    return "?";
}

const char* to_string(LbAlgorithm a) {
    switch (a) {
        case LbAlgorithm::round_robin: return "round_robin";
        case LbAlgorithm::least_connections: return "least_connections";
        case LbAlgorithm::random: return "random";
        case LbAlgorithm::power_of_two: return "power_of_two";
        case LbAlgorithm::consistent_hash: return "consistent_hash";
        case LbAlgorithm::sticky: return "sticky";
    }
    return "?";
}

std::vector<BurnRateAlert> default_burn_rate_alerts() {
    return {{"page", 3600, 300, 14.4}, {"page", 6 * 3600, 1800, 6}, {"ticket", 3 * 86400, 6 * 3600, 1}};
}

const char* to_string(Workload::Arrivals a) {
    switch (a) {
        case Workload::Arrivals::poisson: return "poisson";
        case Workload::Arrivals::constant: return "constant";
        case Workload::Arrivals::mmpp: return "mmpp";
        case Workload::Arrivals::diurnal: return "diurnal";
        case Workload::Arrivals::flash_crowd: return "flash_crowd";
        case Workload::Arrivals::trace: return "trace";
    }
    return "?";
}

const Service* Topology::find(const std::string& service) const {
    auto it = services.find(service);
    return it == services.end() ? nullptr : &it->second;
}

const Service* Topology::resolve(const std::string& service) const {
    const Service* s = find(service);
    for (int hops = 0; s && s->kind == ServiceKind::load_balancer && hops < 16; ++hops) s = find(s->lb->backend);
    return s && s->kind != ServiceKind::load_balancer ? s : nullptr;
}

LinkSpec Topology::link(const std::string& a, const std::string& b) const {
    auto it = zone_links.find(std::minmax(a, b));
    if (it != zone_links.end()) return it->second;
    return a == b ? intra_zone : inter_zone;
}

double Workload::mean_rate_per_s(double duration_s) const {
    if (type != Type::open) return 0;
    switch (arrivals) {
        case Arrivals::mmpp: {
            const double cycle = burst_mean_s + calm_mean_s;
            return cycle > 0 ? (rate_per_s * calm_mean_s + burst_rate_per_s * burst_mean_s) / cycle : rate_per_s;
        }
        case Arrivals::flash_crowd:
            // Triangle-ish surge on top of the base rate: rise linearly, decay exponentially.
            if (duration_s <= 0) return rate_per_s;
            return rate_per_s + (flash_peak_per_s - rate_per_s) * (0.5 * flash_rise_s + flash_decay_s) / duration_s;
        default: break;
    }
    if (profile.empty() || duration_s <= 0) return rate_per_s;
    // Integrate the piecewise profile (steps or linear ramps) over [0, duration].
    double area = 0, prev_t = 0, prev_r = rate_per_s;
    for (const RatePoint& p : profile) {
        const double t = std::min(p.at_s, duration_s);
        if (t > prev_t) area += (t - prev_t) * (p.ramp ? 0.5 * (prev_r + p.rate_per_s) : prev_r);
        prev_t = std::max(prev_t, t);
        prev_r = p.rate_per_s;
    }
    if (duration_s > prev_t) area += (duration_s - prev_t) * prev_r;
    return area / duration_s;
}

double Workload::peak_rate_per_s() const {
    double peak = rate_per_s;
    for (const RatePoint& p : profile) peak = std::max(peak, p.rate_per_s);
    if (arrivals == Arrivals::mmpp) peak = std::max(peak, burst_rate_per_s);
    if (arrivals == Arrivals::flash_crowd) peak = std::max(peak, flash_peak_per_s);
    if (arrivals == Arrivals::diurnal) peak = rate_per_s * (1 + diurnal_amplitude);
    return peak;
}

}  // namespace stacksim
