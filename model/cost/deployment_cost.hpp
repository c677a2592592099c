#pragma once
#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

#include "model/stack/topology.hpp"

// What a deployment costs per hour at on-demand prices from the machine catalog.
namespace stacksim {

// Machines a service occupies: its replicas (for a database, the primary and its read
// replicas). External
// services are someone else's machines (priced per call, if at all, outside stacksim).
int priced_instances(const Service& s);

struct ServiceCost {
    std::string service, machine;
    double instances = 0;      // time-average when replicas change during a run
    double per_hour_usd = 0;
};

struct DeploymentCost {
    std::vector<ServiceCost> services;
    double per_hour_usd = 0;
    [[nodiscard]] double per_month_usd() const { return per_hour_usd * 730; }  // 730 h: the cloud billing month
    // Infinite when nothing was served.
    [[nodiscard]] double per_million_requests_usd(double throughput_rps) const;
};

// Prices `instances` (service -> average running instances; a missing service counts its
// configured instances) with the topology's catalog.
DeploymentCost deployment_cost(const Topology& t, const std::map<std::string, double>& instances = {});

// The `cost` block of the results document (docs/results.md).
nlohmann::json to_json(const DeploymentCost& c, double throughput_rps);

}  // namespace stacksim
