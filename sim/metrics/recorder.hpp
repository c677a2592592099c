#pragma once
#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "model/slo/sli_series.hpp"
#include "model/stack/experiment.hpp"
#include "sim/metrics/latency_histogram.hpp"
#include "sim/metrics/limit_counts.hpp"

// Per-interval series and whole-run summaries (warm-up excluded). Memory is bounded by the
// number of intervals and components, never by the number of requests.
namespace stacksim::sim {

// instance_down: the instance (or worker) serving the request crashed (chaos).
// timeout, circuit_open, bulkhead_full: a caller's resilience policy gave up or failed fast.
// connect_timeout: no connection within the topology's connect timeout (a dead host, a partition).
// rate_limited (429), shed (503): overload protection; throttled: client-side adaptive
// throttling; deadline_exceeded: the request's overall deadline passed (504 / gRPC DEADLINE_EXCEEDED).
// server_error: a deployed version's error_rate failed the request after doing the work (500).
enum class ErrorKind { none, rejected, pool_timeout, queue_full, dependency, instance_down, timeout, circuit_open,
                       bulkhead_full, connect_timeout, rate_limited, shed, throttled, deadline_exceeded, server_error,
                       kCount };
const char* to_string(ErrorKind k);

class Recorder {
public:
    // A gauge probe per service: cumulative busy server-seconds, servers, current queue depth.
    struct Probe {
        std::string service, kind;
        std::function<double()> busy_s;
        int servers = 0;
        std::function<long()> depth;
        // Per instance: cumulative busy server-seconds and servers (for per-instance utilisation).
        std::function<std::vector<double>()> instance_busy_s;
        std::vector<int> instance_servers;
        // Servers now, when they change during the run (autoscaling); else `servers` is used.
        std::function<int()> servers_now;
        // Node services: cumulative worker-occupied seconds and the number of workers, for
        // summary.services[].worker_occupancy (utilisation counts CPU time instead).
        std::function<double()> occupied_s = {};
        int workers = 0;
    };

    Recorder(const Experiment& e);
    void add_probe(Probe p) { probes_.push_back(std::move(p)); last_busy_.push_back(0); last_occupied_.push_back(0); }

    void arrival() { ++cur_.arrivals; ++in_flight_; }
    // `fault_origin`: the last instance where a fault hit the request (nullptr: none), to charge
    // its failure to the right fault when several are active.
    void completion(int mix_index, double latency_s, bool ok, ErrorKind why, const void* fault_origin = nullptr);
    void cache_lookup(const std::string& cache, bool hit);
    void pool_wait(const std::string& database, double wait_s, bool timed_out);
    void publish(const std::string& queue, bool accepted);
    // Limits and delivery guarantees (sim/metrics/limit_counts.hpp), counted after the warm-up.
    void connection_refused(const std::string& service) { if (measuring()) limits_.connection_refused(service); }
    void replica_read(const std::string& database, bool stale) { if (measuring()) limits_.replica_read(database, stale); }
    void queue_event(const std::string& queue, LimitCounts::QueueEvent e) { if (measuring()) limits_.queue_event(queue, e); }
    void consumer_error(const std::string& queue, ErrorKind why) { if (measuring()) limits_.consumer_error(queue, why); }

    // Resilience policies: counters per call edge (caller service -> dependency) and the
    // state changes of every circuit breaker. Nothing is allocated unless a policy exists.
    enum class EdgeEvent { call, attempt, retry, retry_denied, timeout, circuit_open, bulkhead_full, breaker_open,
                           throttled, hedge, hedge_win, deadline_exceeded, kCount };
    std::size_t add_edge(const std::string& service, const std::string& dependency);
    void edge(std::size_t id, EdgeEvent e) {
        ++edges_[id].interval[static_cast<std::size_t>(e)];
        if (measuring()) ++edges_[id].total[static_cast<std::size_t>(e)];
    }
    std::size_t add_breaker(const std::string& service, const std::string& dependency, int instance);
    void breaker_transition(std::size_t id, const char* from, const char* to);
    [[nodiscard]] bool has_policies() const { return !edges_.empty(); }
    // Overload protection at a service: token-bucket rejections, requests shed by queue length
    // or queue time, stale cache entries served because the miss path failed (stale-if-error).
    enum class Overload { rate_limited, shed_queue_length, shed_queue_time, stale_served, kCount };
    void overload(const std::string& service, Overload what) {
        if (measuring()) ++overload_[service][static_cast<std::size_t>(what)];
    }
    // Running (billed) instances of a service when they change during the run (autoscaling);
    // otherwise series.replicas holds the configured count.
    void add_replicas_gauge(const std::string& service, std::function<int()> running) { replicas_gauges_[service] = std::move(running); }
    // Control-loop events (health checks, outlier ejection, autoscaling) for results.control;
    // instance -1: a service-wide event.
    void control_event(double t_s, const char* kind, const std::string& service, int instance, nlohmann::json detail = {});
    [[nodiscard]] const nlohmann::json& control_events() const { return control_events_; }
    // Deploys: requests answered and failed per (service, version) — where a worker answered or
    // a versioned instance refused (sim/metrics/version_counts.cpp).
    struct VersionCounts {
        std::string service, version;
        std::uint64_t requests = 0, errors = 0;          // after the warm-up
        std::uint64_t all_requests = 0, all_errors = 0;  // whole run (canary analysis)
        std::uint64_t interval_requests = 0, interval_errors = 0;
        std::vector<double> requests_s, errors_s;
    };
    std::size_t add_version(const std::string& service, const std::string& version);
    void version_outcome(std::size_t id, bool ok);
    [[nodiscard]] const VersionCounts& version_counts(std::size_t id) const { return versions_[id]; }
    [[nodiscard]] nlohmann::json versions_json() const;

    // Chaos: successful latencies and errors of requests finishing while a fault is active.
    // `charged`: the failures attributed to this fault when faults overlap (docs/chaos.md): a
    // failure goes to the active faults that hit the instance it came from; if none did, to the
    // active network-wide faults (no instances); without a known origin, or matching neither,
    // the active faults take such failures in turn (an even split).
    struct Window {
        std::uint64_t ok = 0, errors = 0, charged = 0;
        LatencyHistogram latency;
        std::vector<const void*> targets;  // the instances the fault hit (none: a network fault)
    };
    std::size_t open_window();
    void set_window_targets(std::size_t id, std::vector<const void*> targets) { windows_[id]->targets = std::move(targets); }
    void close_window(std::size_t id);
    [[nodiscard]] const Window& window(std::size_t id) const { return *windows_[id]; }

    // Closes the interval ending at t_end_s: samples gauges and appends to every series.
    void close_interval(double t_end_s);

    [[nodiscard]] nlohmann::json summary() const;
    [[nodiscard]] nlohmann::json series() const;
    // The last closed interval as one row: the keys of series(), one value each (live views).
    [[nodiscard]] nlohmann::json last_interval() const;
    [[nodiscard]] std::string series_csv() const;
    [[nodiscard]] std::uint64_t completed() const { return total_completed_; }
    // Per-interval good/valid counts of the experiment's i-th SLO.
    [[nodiscard]] slo::SliSeries sli_series(std::size_t slo) const;
    // Running instances of each priced service, averaged over the measured intervals.
    [[nodiscard]] std::map<std::string, double> mean_instances() const;

private:
    struct Interval {
        std::uint64_t arrivals = 0, ok = 0;
        std::array<std::uint64_t, static_cast<int>(ErrorKind::kCount)> errors{};
        LatencyHistogram latency;
    };
    struct CacheCounts { std::uint64_t hits = 0, lookups = 0; };
    struct PoolCounts { std::uint64_t waits = 0, timeouts = 0; double wait_s = 0; };
    struct QueueCounts { std::uint64_t accepted = 0, rejected = 0; };

    const Experiment& e_;
    double interval_s_, warmup_s_;
    Interval cur_;
    long in_flight_ = 0;
    std::uint64_t total_completed_ = 0;
    std::vector<Probe> probes_;
    std::vector<double> last_busy_;
    // whole run (after warm-up)
    LatencyHistogram all_;
    std::vector<LatencyHistogram> by_endpoint_;
    std::vector<std::uint64_t> endpoint_ok_, endpoint_errors_;
    std::array<std::uint64_t, static_cast<int>(ErrorKind::kCount)> errors_{};
    std::uint64_t arrivals_ = 0, ok_ = 0;
    std::map<std::string, CacheCounts> cache_, cache_interval_;
    std::map<std::string, PoolCounts> pools_;
    std::map<std::string, QueueCounts> queues_;
    LimitCounts limits_;
    std::map<std::string, double> busy_after_warmup_, occupied_after_warmup_;
    std::vector<double> last_occupied_;
    std::map<std::string, std::vector<double>> instance_busy_at_warmup_;  // snapshot when measuring starts
    double instance_snapshot_s_ = -1;
    // series
    std::vector<double> t_, arrivals_s_, ok_s_, errors_s_, in_flight_s_, mean_s_;
    std::array<std::vector<double>, 5> quantiles_s_;  // p50 p90 p95 p99 p99.9
    std::map<std::string, std::vector<double>> utilisation_s_, depth_s_, hit_ratio_s_;
    // SLIs: per SLO, which mix entries it judges, and its per-interval counts
    struct SliCounter {
        std::vector<bool> judges;  // by mix index
        std::uint64_t good = 0, valid = 0;
        std::vector<std::uint64_t> good_s, valid_s;
    };
    std::vector<SliCounter> sli_;
    std::map<std::string, std::vector<double>> replicas_s_;
    struct Edge {
        std::string service, dependency;
        std::array<std::uint64_t, static_cast<std::size_t>(EdgeEvent::kCount)> total{}, interval{};
        std::vector<double> attempts_s, retries_s, timeouts_s;
    };
    std::vector<Edge> edges_;
    struct Breaker {
        std::string service, dependency;
        int instance = 0;
        const char* state = "closed";
        std::uint64_t opens = 0, dropped = 0;
        std::vector<std::tuple<double, const char*, const char*>> transitions;  // at most kMaxTransitions
    };
    std::vector<Breaker> breakers_;
    std::map<std::string, std::array<std::uint64_t, static_cast<std::size_t>(Overload::kCount)>> overload_;
    [[nodiscard]] nlohmann::json resilience_json() const;
    std::map<std::string, std::function<int()>> replicas_gauges_;
    std::map<std::string, double> capacity_after_warmup_;  // server-seconds, for probes with servers_now
    nlohmann::json control_events_ = nlohmann::json::array();
    std::vector<VersionCounts> versions_;
    void close_version_interval();
    [[nodiscard]] nlohmann::json version_series() const;
    std::vector<std::unique_ptr<Window>> windows_;
    std::vector<Window*> open_;  // empty unless a fault is active: no cost per request otherwise
    std::uint64_t split_turn_ = 0;
    void charge_failure(const void* origin);
    [[nodiscard]] bool measuring() const;
};

}  // namespace stacksim::sim
