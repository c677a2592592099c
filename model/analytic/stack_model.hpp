#pragma once
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/stack/experiment.hpp"

// The instant analytic model of a whole stack: every service becomes one or more queueing
// stations, traffic equations give their arrival rates, and step-by-step composition gives
// each endpoint's response time. Assumptions are listed in docs/analytic-model.md.
namespace stacksim::analytic {

struct StationReport {
    std::string service, role;      // role: "event loop", "primary", "read replicas", ...
    std::string kind;
    int servers = 0;                // 0 = infinite-server (delay) station
    double arrival_rate = 0;        // visits per second
    double mean_service_s = 0, service_scv = 0;
    double utilisation = 0;         // per server
    double mean_wait_s = 0, mean_response_s = 0, p99_response_s = 0;
    double p_block = 0;
    bool stable = true, bottleneck = false;
    std::string formula;            // "M/G/c (Allen-Cunneen)", "M/M/c/K", "M/G/inf"
};

struct EndpointReport {
    std::string endpoint;
    double rate = 0, share = 0;
    double mean_s = 0, sd_s = 0, p50_s = 0, p95_s = 0, p99_s = 0;
    double error_probability = 0;
};

struct CacheReport {
    std::string cache, used_by;     // used_by: "service/endpoint" of the cache step
    double key_space = 0, zipf = 0, ttl_s = 0, request_rate = 0, hit_ratio = 0;
};

struct AnalyticReport {
    std::string experiment, workload_model;
    double offered_rate = 0;        // requests per second into the entry
    double throughput = 0;          // successful requests per second (estimate)
    double saturation_rate = 0;     // offered rate at which the bottleneck reaches ρ = 1
    std::string bottleneck;
    double mean_response_s = 0, p95_s = 0, p99_s = 0;  // over the request mix
    double availability = 1;
    double closed_users = 0, closed_think_s = 0;       // closed workloads (MVA)
    std::string closed_mva_method;                     // "exact" or "approximate (...)": see mva.hpp
    double cost_per_h = 0, cost_per_month = 0, cost_per_million = 0;
    bool stable = true;
    std::vector<StationReport> stations;
    std::vector<EndpointReport> endpoints;
    std::vector<CacheReport> caches;
    std::vector<std::string> notes;  // approximations applied and conditions worth knowing
};

// Why the analytic model gives no estimate, in words for the user (never a library's text).
class AnalysisError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Throws AnalysisError, and only that, when there is no estimate: the traffic equations have
// no solution (an async feedback loop that never ends) or a numerical step failed. An
// overloaded stack is reported, not thrown.
AnalyticReport analyze(const Experiment& experiment);

nlohmann::json to_json(const AnalyticReport& report);

}  // namespace stacksim::analytic
