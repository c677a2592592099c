#pragma once
#include <simgrid/s4u.hpp>

#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "model/stack/experiment.hpp"
#include "sim/components/lru_cache.hpp"
#include "sim/components/station.hpp"
#include "sim/engine/kernel.hpp"
#include "sim/metrics/recorder.hpp"
#include "sim/random/sampler.hpp"
#include "sim/resilience/policies.hpp"

// The running stack: every service's instances and their state, and the interpreter that
// moves requests (plain data) through endpoint steps. One Runtime per SimGrid engine.
namespace stacksim::sim {

struct Instance;

struct Request {
    std::uint64_t id = 0;
    int mix_index = 0;
    double start_s = 0;
    std::uint64_t session = 0;
    double deadline_s = std::numeric_limits<double>::infinity();  // overall deadline (sim/resilience/deadline.cpp)
    std::function<void()> on_finish;  // closed-loop users think and come back
    const Instance* fault_origin = nullptr;  // the last instance where a fault hit it (fault attribution)
};

struct Worker;
struct Instance;
struct MemoryLeak;    // sim/chaos/memory_leak.hpp
class NetworkFaults;  // sim/chaos/network_faults.hpp

// One endpoint execution at one instance: a stack of step lists (branches and cache-miss
// paths nest inside the endpoint) and where to report when done.
struct Frame {
    struct Entry {
        const Steps* steps;
        std::size_t pc;
        const CacheStep* put_after = nullptr;  // write the value back once the miss path is done
        std::uint64_t key = 0;
        bool stale_fallback = false;  // stale-if-error: a failure inside serves the stale entry
    };
    Request* request = nullptr;
    Worker* worker = nullptr;
    const Service* service = nullptr;
    std::vector<Entry> stack;
    std::function<void(bool ok, ErrorKind why)> done;
    std::uint64_t seq = 0;  // creation order (chaos kills in-flight frames in this order)
    bool dead = false;      // killed by a crash: its pending continuation only frees it
    bool cpu_started = false;  // load shedding by queue time applies to the first CPU task only
    double shed_at_s = std::numeric_limits<double>::infinity();  // dropped if still queued after this
};

struct Worker {
    Instance* instance = nullptr;
    // Fast path: a worker with a core of its own is a FIFO served at the core's speed, which
    // is exactly what an exec on an unshared core computes, without an actor or a CPU-model
    // solve. Workers that share cores run as actors executing on the SimGrid host.
    std::unique_ptr<Station> loop;
    std::deque<std::pair<Frame*, double>> inbox;  // CPU tasks ready for the event loop
    simgrid::s4u::SemaphorePtr wake;
    bool idle = false;
    int in_flight = 0;                             // requests accepted and not finished
    std::unordered_map<const CacheStep*, std::unique_ptr<LruCache>> l1;  // in-process caches
    double busy_s = 0;      // CPU seconds used (workers sharing cores: the work, not the wait)
    double occupied_s = 0;  // seconds the worker was running a CPU task, waits for a shared core included
    bool down = false;  // chaos: crashed, waiting for the cluster master to restart it
    // Deploys (sim/control/deployer.cpp): requests are counted per version when `versioned`;
    // the version it runs may fail requests or take longer. A `spare` worker (PM2 reload's
    // next fork) is down and adds no capacity until it replaces an old one.
    bool versioned = false, spare = false;
    std::size_t version_id = 0;  // Recorder version counter
    double error_rate = 0, cpu_factor = 1;
};

struct Instance {
    const Service* service = nullptr;
    int index = 0;
    std::string zone;
    simgrid::s4u::Host* host = nullptr;
    std::vector<std::unique_ptr<Worker>> workers;
    std::size_t next_worker = 0;
    double core_speed = 1.0;
    double nic_bps = std::numeric_limits<double>::infinity();  // the machine's NIC: a hop is no faster than either end's
    std::unique_ptr<Station> station;  // LB proxy, cache shard, DB server, broker, limited external
    std::unique_ptr<LruCache> cache;
    long active = 0;                    // requests routed here and not yet answered (LB view)
    long connections = 0;               // open client connections, bounded by max_connections (load balancer, database)
    std::uint64_t rotation_next = 0;    // a load balancer instance's round-robin position
    bool rotation_started = false;      // (started at a random offset on first use)
    // Chaos (sim/chaos/). `faulty` is the one flag the request path tests; the rest is read
    // only when it is set, so a run without active faults pays one branch per call.
    bool faulty = false;
    int down = 0;                       // overlapping crash/outage faults holding it down
    int host_down = 0;                  // of those, the ones that took the host (no RST: callers wait the connect timeout)
    std::uint64_t epoch = 0;            // incremented by each crash: work started before it is lost
    double cpu_slowdown = 1.0;          // CPU steps take this many times longer (noisy neighbour)
    double error_rate = 0;              // share of calls answered with an error
    double hang_fraction = 0;           // share of calls delayed by hang_s (or until hang_until_s)
    double hang_s = 0, hang_until_s = 0;
    double io_stretch = 1.0;            // disk_slowdown: database query / broker publish times x this
    MemoryLeak* leak = nullptr;         // memory_leak: told of each request accepted
    // Control (sim/control/). Instances of an autoscaled service exist from the start (up to
    // its max); `phase` says which of them run. Load balancers route to running instances that
    // pass their health checks and are not ejected as outliers (Runtime::refresh_routing).
    enum class Phase : std::uint8_t { running, starting, draining, stopped };
    Phase phase = Phase::running;
    std::uint64_t generation = 0;       // bumped by each start/stop: stale timers ignore themselves
    double ready_since_s = 0;
    // Active health checks run from every load-balancer instance (sim/control/control_plane.cpp):
    // each keeps its own verdict on each backend, indexed by the checking instance's `hc_view`.
    bool hc_failing = false;            // failing at every checking LB instance (or not yet passed: deploys)
    std::vector<std::uint8_t> hc_failing_at;  // per health-check view: out of that LB instance's rotation
    std::vector<int> hc_streak_at;            // per view: consecutive probe failures (while healthy) or successes
    int hc_view = -1;                   // a checking LB instance: its view of the backends (-1: none)
    bool ejected = false;               // passive outlier detection took it out of rotation
    int consecutive_errors = 0, times_ejected = 0;
    // Deploys (sim/control/deployer.cpp). `standby`: running but routed nothing (blue/green's
    // idle colour); `warming_since_s`: joined the rotation mid-run (LB slow start), -1: at the start.
    bool versioned = false, standby = false;
    int version = 0;                    // 0: the version running at the start; 1: the deploy's
    std::size_t version_id = 0;         // Recorder version counter (connections it refuses)
    int spare_workers = 0;
    double warming_since_s = -1;
};

// A call carries request_bytes out and response_bytes back over each network hop.
struct Payload {
    double request_bytes = 1024, response_bytes = 4096;
};

class Runtime {
public:
    Runtime(const Experiment& e, Kernel& kernel, Recorder& recorder);
    ~Runtime();
    Runtime(const Runtime&) = delete;
    Runtime& operator=(const Runtime&) = delete;

    // A new request owned by the runtime (freed when it completes or when the run ends).
    Request* new_request();
    // A client request for mix entry `mix_index` enters the stack at the workload's entry.
    void submit(Request* request);

    [[nodiscard]] const std::map<std::string, std::vector<std::unique_ptr<Instance>>>& instances() const { return instances_; }
    [[nodiscard]] long queue_depth(const std::string& service) const;
    [[nodiscard]] double busy_seconds(const std::string& service) const;
    [[nodiscard]] int capacity_servers(const std::string& service) const;
    [[nodiscard]] std::vector<double> instance_busy_seconds(const std::string& service) const;
    [[nodiscard]] std::vector<int> instance_servers(const std::string& service) const;
    // Node services: seconds the workers were occupied by CPU tasks (≥ busy when they share
    // cores), and how many workers there are (spares excluded).
    [[nodiscard]] double occupied_seconds(const std::string& service) const;
    [[nodiscard]] int worker_count(const std::string& service) const;
    // Chaos effects (implemented in sim/chaos/instance_faults.cpp). A crash kills the requests
    // in flight on the instance or worker (returns how many) and refuses new ones until the
    // matching restore. refresh_faulty() must follow any direct change to an Instance's
    // fault fields.
    // `host`: the machine died too, so callers get no RST and wait their connect timeout.
    int crash_instance(Instance& inst, bool host = false);
    void restore_instance(Instance& inst, bool host = false);
    int crash_worker(Worker& w);
    void restore_worker(Worker& w);
    static void refresh_faulty(Instance& inst);
    // dependency_errors / dependency_hang at `inst` for one call: whether it fails, and the delay
    // added to its answer. A request hit is marked with `inst` (sim/chaos/instance_faults.cpp).
    struct Injected {
        bool error = false;
        double hang_s = 0;
    };
    Injected inject(Instance& inst, Request* req);
    // Partitions and degraded links between zones (sim/chaos/network_faults.cpp).
    [[nodiscard]] NetworkFaults& network() { return *network_; }
    void network_healed();  // a partition ended: queued messages may reach their consumers again
    // No connection can be made from `from` to `to` (a partition between their zones or a
    // dead host): the caller learns it after the topology's connect timeout.
    [[nodiscard]] bool unreachable(const Instance* from, const Instance& to) const;

    // Control (sim/control/). The instances a load balancer (`rotation`) or a direct caller
    // (`serving`) sends to; refresh_routing() must follow any change of phase, health or ejection.
    struct Routing {
        std::vector<Instance*> serving;   // phase running
        std::vector<Instance*> rotation;  // running, healthy, not ejected (empty: panic, use serving)
        // A canary's weighted split (Envoy weighted clusters): `split_weight` of the LB's traffic
        // to the rotation's new-version instances; < 0: no split.
        double split_weight = -1;
        std::vector<Instance*> canary, stable;
        // Per health-check view (one per checking LB instance): `rotation` less what it ejected.
        std::vector<std::vector<Instance*>> rotation_at;
    };
    void refresh_routing(const std::string& service);
    // A new health-check view of `backend`'s instances (all passing); returns its index.
    int add_health_view(const std::string& backend);
    // Sets an instance's health-check verdict in every view (deploys, autoscaling: a fresh start).
    static void set_health(Instance& inst, bool failing);
    // An active health-check probe from `from` to `target` (its reply, or an error).
    void probe(Instance& target, const Instance* from, std::function<void(bool ok)> done);
    // No request accepted and unanswered, no CPU task queued (a draining instance may stop).
    [[nodiscard]] static bool idle(const Instance& inst);
    static constexpr const char* kProbeEndpoint = "$health";
    // Deploys (sim/control/deploy_routing.cpp): the canary weight at the LBs in front of `service`
    // (< 0: none); a worker's answer counted for its version (a bad version fails it); a
    // connection refused by a versioned instance.
    void set_traffic_split(const std::string& service, double weight);
    void version_outcome(Worker& w, bool probe, bool& ok, ErrorKind& why);
    void version_refused(Instance& inst);

    // A host for the run's controller actor (not part of the stack).
    [[nodiscard]] simgrid::s4u::Host* controller_host() const { return controller_host_; }

private:
    using Done = std::function<void(bool ok, ErrorKind why)>;
    struct Pool;
    struct Broker;
    struct CacheState;
    struct EdgeState;  // a caller instance's policy state for one dependency (sim/resilience/)
    struct HedgedCall;

    void build_platform();
    void start_workers();
    void invoke(const Service& target, const std::string& endpoint, const Instance* from, Request* req, Done done,
                Payload payload = {});
    void invoke_instance(Instance& inst, const std::string& endpoint, const Instance* from, Request* req, Done done,
                         Payload payload);
    Instance& pick_backend(const Service& lb, Instance& lb_instance, const Request* req);
    void call_external(Instance& dependency, Request* req, Done done);
    void run(Frame* f);
    void finish(Frame* f, bool ok, ErrorKind why);
    // A call or database step under a policy (sim/resilience/): `step` is the Step holding it.
    void policy_call(Frame* f, const Step& step);
    void policy_attempt(Frame* f, const Step& step, EdgeState& st, int attempt, double backoff_s);
    void policy_failed(Frame* f, const Step& step, EdgeState& st, int attempt, double backoff_s, ErrorKind why);
    void send_attempt(Frame* f, const Step& step, Request* req, Done done);
    std::map<const Step*, Steps> detached_;  // a policy's database step without its policy (one attempt)
    ErrorKind policy_gate(EdgeState& st, std::uint64_t& breaker_generation);
    void policy_outcome(EdgeState& st, std::uint64_t generation, double started_s, bool ok);
    void hedged_call(Frame* f, const Step& step, EdgeState& st);
    void hedge_send(const std::shared_ptr<HedgedCall>& hc);
    // Overload protection and deadlines (sim/resilience/overload.cpp).
    bool take_token(Instance& inst);
    Request* copy_request(const Request* req);
    void release_copy(Request* copy);
    Done with_deadline(Request*& req, double deadline_s, Done reply);
    void shed_frame(Frame* f);
    bool serve_stale(Frame* f);
    std::map<const void*, TokenBucket> rate_buckets_;  // per instance or per service
    void cache_step(Frame* f, const CacheStep& step);
    void cache_write_back(Frame* f, const CacheStep& step, std::uint64_t key);
    LruCache* l1_of(Frame* f, const CacheStep& step);
    void db_step(Frame* f, const DbStep& step);
    void publish_step(Frame* f, const PublishStep& step);
    void deliver(Broker& b);
    void expire_leases(Broker& b);  // the visibility timeout: redeliver or dead-letter unacknowledged messages
    void dead_letter(Broker& b);
    // Database connections (sim/components/database.cpp): a pool connection to `server`, opened
    // on demand within the server's max_connections; replica reads that miss a recent write.
    struct Replication;
    void acquire_connection(Pool& pool, Instance& server, const Service& db, std::function<void(ErrorKind)> granted);
    void release_connection(Pool& pool, Instance& server, const Service& db);
    bool open_connection(Pool& pool, Instance& server, const Service& db);
    std::map<const Service*, std::unique_ptr<Replication>> replication_;
    double hop(const Instance* a, const Instance* b, double bytes) const;
    // hop() plus what network faults add to a message sent now (sim/chaos/network_faults.cpp).
    double transit(const Instance* a, const Instance* b, double bytes) const;
    void connect_failed(Done done);  // the connect timeout expires, then done(false, connect_timeout)
    std::unique_ptr<NetworkFaults> network_;

    const Experiment& e_;
    const Topology& t_;
    Kernel& kernel_;
    Recorder& rec_;
    Rng rng_;
    std::map<std::string, std::vector<std::unique_ptr<Instance>>> instances_;
    std::map<std::string, std::size_t> round_robin_;
    std::map<std::string, Routing> routing_;
    std::map<const Service*, Steps> probe_steps_;  // the health-check handler, per probed node_service
    void observe_outlier(const Service& lb, Instance& backend, bool ok);
    const std::vector<Instance*>& split_candidates(const Routing& r, const std::vector<Instance*>& all);
    Instance* slow_start_pick(const Service& lb, const std::vector<Instance*>& list);
    [[nodiscard]] const Deploy* deploy_of(const Service& s) const;
    std::map<const Distribution*, DistributionSampler> samplers_;
    std::map<const CacheStep*, std::unique_ptr<CacheState>> caches_;
    std::map<std::pair<const Instance*, std::string>, std::unique_ptr<Pool>> pools_;
    std::map<std::string, std::unique_ptr<Broker>> brokers_;
    std::map<std::uint64_t, std::size_t> sticky_;  // session -> backend index
    // Keyed by calling instance and policy (or the call step, for a deadline-only call).
    std::map<std::pair<const Instance*, const void*>, std::unique_ptr<EdgeState>> edge_states_;
    Rng policy_rng_;  // backoff jitter
    Rng deploy_rng_;  // bad versions' errors, canary splits and slow-start picks
    Rng lb_rng_;      // load balancers' choices, and which proxy instance a caller reaches
    simgrid::s4u::Host* controller_host_ = nullptr;
    // Requests and frames still in flight when the run stops are freed with the runtime.
    std::unordered_set<Request*> live_requests_;
    std::unordered_set<Frame*> live_frames_;
    Frame* new_frame();
    void free_frame(Frame* f);
    int kill_frames(const std::function<bool(const Frame&)>& on_target);
    Worker* next_live_worker(Instance& inst);
    void faulty_reply(Instance& inst, std::function<void(bool, ErrorKind)> reply, const std::function<void()>& serve);
    double sample(const Distribution& d);
    std::uint64_t next_frame_seq_ = 0;
};

}  // namespace stacksim::sim
