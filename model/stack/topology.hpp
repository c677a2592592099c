#pragma once
#include <map>
#include <memory>
#include <optional>
#include <variant>
#include <string>
#include <vector>

#include "model/cost/machine.hpp"
#include "model/stack/distribution.hpp"
#include "model/stack/resilience.hpp"

// The validated description of a stack: machines, zones, network and services.
// Plain data; produced by model/schema, read by the analytic model and the simulator.
namespace stacksim {

struct Step;
using Steps = std::vector<Step>;

struct CpuStep { Distribution time; };  // on a reference core (speed 1.0)
struct CallStep {
    std::string service, endpoint;
    bool async = false;          // fire-and-forget: the caller does not wait
    double request_bytes = 1024, response_bytes = 4096;
    // Timeouts, retries, breaker, bulkhead: the step's own `resilience`, else the calling
    // service's entry for this dependency; null = a plain call (no per-call cost).
    std::shared_ptr<const CallPolicy> policy;
};
struct CacheStep {
    std::string cache;
    double key_space = 1;        // number of distinct keys
    double zipf_alpha = 0;       // 0 = uniform popularity
    std::optional<double> ttl_s; // overrides the cache's default TTL
    double value_bytes = 1024;
    struct L1 {
        double max_keys = 0;
        std::optional<double> ttl_s;
    };
    std::optional<L1> l1;        // an in-process cache per worker, checked first
    std::optional<double> stale_if_error_s;  // RFC 5861: serve an expired entry this long past its TTL when the miss path fails
    Steps on_miss;               // run on a miss, then the value is written back
};
struct DbStep {
    std::string database;
    enum class Op { read, write } op = Op::read;
    Distribution query;          // time on an idle database server
    std::shared_ptr<const CallPolicy> policy;  // the step's `resilience`, else the service's for this database
};
struct PublishStep { std::string queue; double payload_bytes = 1024; };
struct Branch { double probability = 0; Steps steps; };
struct BranchStep { std::vector<Branch> branches; };  // probabilities sum to <= 1; remainder does nothing

struct Step {
    using Body = std::variant<CpuStep, CallStep, CacheStep, DbStep, PublishStep, BranchStep>;
    Body body;
    std::string pointer;  // JSON pointer of the step, for messages
};

struct Endpoint {
    std::string name;
    Steps steps;
};

enum class ServiceKind { node_service, load_balancer, cache, database, queue, external };
const char* to_string(ServiceKind k);

enum class LbAlgorithm { round_robin, least_connections, random, power_of_two, consistent_hash, sticky };
const char* to_string(LbAlgorithm a);

// Horizontal autoscaling like the Kubernetes HPA (autoscaling/v2), on CPU utilisation.
struct ScalingPolicy {
    enum class Type { pods, percent } type = Type::percent;
    double value = 100;          // pods, or percent of the replicas at the start of the period
    double period_s = 15;
};
struct ScalingRules {
    double stabilization_window_s = 0;
    std::vector<ScalingPolicy> policies;
    enum class Select { max, min, disabled } select = Select::max;
};
struct AutoscalingSpec {
    int min_replicas = 1, max_replicas = 1;
    double target_utilisation = 0.8;  // average busy fraction of the ready instances' cores
    double sync_period_s = 15;
    double tolerance = 0.1;
    double startup_s = 0;              // from scheduling to taking traffic (image pull, boot, warm-up)
    double drain_timeout_s = 30;       // terminationGracePeriodSeconds: in-flight work is cut after it
    ScalingRules scale_up{0, {{ScalingPolicy::Type::percent, 100, 15}, {ScalingPolicy::Type::pods, 4, 15}}};
    ScalingRules scale_down{300, {{ScalingPolicy::Type::percent, 100, 15}}};
};
struct NodeServiceSpec {
    int workers = 0;             // cluster workers per instance; 0 = one per vCPU
    int max_in_flight = 1024;    // per worker; beyond it the request is rejected (503)
    std::optional<int> accept_queue;  // per worker bound on requests waiting for the event loop
    std::optional<SheddingSpec> shedding;
    std::optional<AutoscalingSpec> autoscaling;
};
// Active health checks (Envoy health_checks, nginx plus health_check, HAProxy check).
struct HealthCheckSpec {
    double interval_s = 5, timeout_s = 1;
    int unhealthy_threshold = 3, healthy_threshold = 2;
    Distribution probe_cpu = Distribution::fixed(100e-6);  // the /health handler on the event loop
};
// Passive outlier detection (Envoy outlier_detection, consecutive_5xx).
struct OutlierDetectionSpec {
    int consecutive_errors = 5;
    double base_ejection_time_s = 30;
    double max_ejection_time_s = 300;
    double max_ejection_fraction = 0.1;
};
// Slow start (Envoy slow_start_config, nginx server slow_start=): a backend that joins the
// rotation mid-run gets weight max(min_weight, (elapsed / window)^(1 / aggression)).
struct SlowStartSpec {
    double window_s = 30;
    double aggression = 1;
    double min_weight = 0.1;
};
struct LoadBalancerSpec {
    std::string backend;
    LbAlgorithm algorithm = LbAlgorithm::round_robin;
    Distribution cpu_per_request = Distribution::fixed(50e-6);
    int max_connections = 10000;  // per instance
    double bounded_load = 1.25;   // consistent hashing with bounded loads (c)
    std::optional<HealthCheckSpec> health_check;
    std::optional<OutlierDetectionSpec> outlier_detection;
    std::optional<double> deadline_s;  // overall deadline set on requests passing through (504 after it)
    std::optional<SlowStartSpec> slow_start;
};
struct CacheSpec {
    double capacity_keys = 0;     // either keys...
    double capacity_bytes = 0;    // ...or bytes (divided by each key space's value size)
    std::optional<double> default_ttl_s;
    int threads = 1;              // Redis executes commands on one thread
    Distribution op_time = Distribution::fixed(20e-6);
};
struct DatabaseSpec {
    int read_replicas = 0;
    bool read_from_replicas = true;
    int concurrency = 0;          // parallel query slots per server; 0 = vCPUs
    int max_connections = 500;    // per server
    int pool_size = 20;           // per client instance
    double pool_timeout_s = 5;
    double replication_lag_s = 0.01;
};
struct QueueSpec {
    std::optional<int> max_depth;  // unbounded when absent
    enum class Backpressure { reject, block } backpressure = Backpressure::reject;
    std::string consumer_service, consumer_endpoint;
    int consumer_concurrency = 1;  // per consumer worker
    Distribution publish_time = Distribution::fixed(50e-6);
    double visibility_timeout_s = 30;
    int max_deliveries = 5;
    std::string dead_letter_queue;
};
struct ExternalSpec {
    Distribution latency = Distribution::fixed(0.05);
    std::optional<int> concurrency;  // unbounded (delay station) when absent
    double error_rate = 0;
};

struct Service {
    std::string name;
    ServiceKind kind = ServiceKind::node_service;
    std::string pointer;  // JSON pointer, for messages
    int replicas = 1;
    std::string machine;
    std::vector<std::string> zones;  // instances are spread round-robin over these
    std::map<std::string, Endpoint> endpoints;  // node_service only
    std::optional<NodeServiceSpec> node;
    std::optional<LoadBalancerSpec> lb;
    std::optional<CacheSpec> cache;
    std::optional<DatabaseSpec> database;
    std::optional<QueueSpec> queue;
    std::optional<ExternalSpec> external;
    // node_service: default call policy per dependency (the `resilience` block).
    std::map<std::string, std::shared_ptr<const CallPolicy>> resilience;
    std::optional<RateLimitSpec> rate_limit;  // load_balancer or node_service
};

struct LinkSpec { double latency_s = 0; double bandwidth_bps = 0; };

struct Topology {
    std::string name, description, file;
    MachineCatalog machines;         // built-in catalog plus the file's own types
    std::vector<std::string> zones;
    LinkSpec intra_zone{100e-6, 25e9};
    LinkSpec inter_zone{1e-3, 10e9};
    std::map<std::pair<std::string, std::string>, LinkSpec> zone_links;  // overrides, key sorted
    // A client's TCP connect timeout: a call to a dead host or across a partition gets no
    // answer to its SYN and fails after it (a crashed process on a live host answers RST at once).
    double connect_timeout_s = 1.0;
    std::map<std::string, Service> services;

    [[nodiscard]] const Service* find(const std::string& service) const;
    // Follows load balancers to the service that runs the endpoints (nullptr if broken).
    [[nodiscard]] const Service* resolve(const std::string& service) const;
    [[nodiscard]] LinkSpec link(const std::string& zone_a, const std::string& zone_b) const;
};

}  // namespace stacksim
