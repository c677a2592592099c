#include "model/cost/deployment_cost.hpp"

#include <cmath>
#include <limits>

namespace stacksim {

int priced_instances(const Service& s) {
    // A database's replicas already count its read replicas (1 primary + read_replicas).
    return s.kind == ServiceKind::external ? 0 : s.replicas;
}

double DeploymentCost::per_million_requests_usd(double throughput_rps) const {
    return throughput_rps > 0 ? per_hour_usd / (throughput_rps * 3600) * 1e6 : std::numeric_limits<double>::infinity();
}

DeploymentCost deployment_cost(const Topology& t, const std::map<std::string, double>& instances) {
    DeploymentCost c;
    for (const auto& [name, s] : t.services) {
        const MachineType* m = t.machines.find(s.machine);
        if (!m || s.kind == ServiceKind::external) continue;
        const auto it = instances.find(name);
        const double n = it != instances.end() ? it->second : priced_instances(s);
        c.services.push_back({name, s.machine, n, n * m->price_per_h});
        c.per_hour_usd += n * m->price_per_h;
    }
    return c;
}

nlohmann::json to_json(const DeploymentCost& c, double throughput_rps) {
    nlohmann::json services = nlohmann::json::array();
    for (const auto& s : c.services)
        services.push_back({{"service", s.service}, {"machine", s.machine}, {"replicas", s.instances},
                            {"per_hour_usd", s.per_hour_usd}});
    const double per_million = c.per_million_requests_usd(throughput_rps);
    return {{"price_date", MachineCatalog::kPriceDate},
            {"per_hour_usd", c.per_hour_usd},
            {"per_month_usd", c.per_month_usd()},
            {"per_million_requests_usd", std::isfinite(per_million) ? nlohmann::json(per_million) : nlohmann::json(nullptr)},
            {"services", services}};
}

}  // namespace stacksim
