#pragma once
#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "model/stack/experiment.hpp"
#include "sim/engine/kernel.hpp"
#include "sim/engine/runtime.hpp"
#include "sim/metrics/recorder.hpp"

// Deploys (docs/control.md#deploys): a new version of a node_service rolled out during the
// run — rolling update, blue/green, canary (weighted, stepped, with automatic rollback), PM2
// reload/restart of cluster workers. Each rollout is a small state machine re-evaluated every
// kTick while it runs, against the same instances, health checks and traffic as the rest.
namespace stacksim::sim {

class Deployer {
public:
    Deployer(const Experiment& e, Kernel& kernel, Runtime& runtime, Recorder& recorder);
    void start();
    // results.deploys: each rollout's outcome and the requests per version.
    [[nodiscard]] nlohmann::json report() const;

    static constexpr double kTick = 0.05;  // controller reaction time (readiness, drain completion)

private:
    struct Rollout {
        const Deploy* d = nullptr;
        const Service* s = nullptr;
        std::vector<Instance*> slots;  // the service's instances (replicas + spares for the new version)
        int replicas = 0;
        std::size_t old_id = 0, new_id = 0;  // Recorder version counters
        bool lb_health_check = false;        // new instances must pass it (readiness)
        std::string outcome = "pending";     // in_progress, completed, rolled_back
        double started_s = -1, ended_s = -1;
        int draining = 0;                    // old or new instances still draining
        // blue/green
        double all_ready_s = -1, switched_s = -1;
        bool blue_released = false;
        // canary
        std::size_t step = 0;
        double step_pause_until_s = -1;
        bool promoted = false, weight_set = false;
        int failures = 0;
        std::uint64_t seen_requests = 0, seen_errors = 0;
        // pm2: per instance, the next worker to replace and what is happening to it
        struct Pm2 {
            std::size_t next = 0;
            bool busy = false;
        };
        std::vector<Pm2> pm2;
        std::vector<std::vector<Worker*>> pm2_old;  // per instance: the workers to replace, in order
    };

    void tick(Rollout& r);
    void begin(Rollout& r);
    void finish(Rollout& r, const char* outcome, nlohmann::json detail = {});
    void rolling(Rollout& r);
    void blue_green(Rollout& r);
    void canary(Rollout& r);
    void analyse(Rollout& r);
    void rollback(Rollout& r, double error_rate, std::uint64_t requests);
    void pm2(Rollout& r);
    void pm2_reload_worker(Rollout& r, Instance& inst, std::size_t slot);
    void pm2_restart(Rollout& r, Instance& inst, std::size_t slot);
    void set_worker_version(Rollout& r, Worker& w);
    // Waits until the workers are idle or the deadline, then kills what is left (`cut` requests).
    void drain_workers(Rollout& r, Instance& inst, std::vector<Worker*> workers, double deadline_s,
                       std::function<void(int cut)> then);

    // Starts a stopped slot as the new version (standby: running but routed nothing).
    void start_new(Rollout& r, Instance& inst, bool standby);
    // Graceful shutdown: out of routing at once, in-flight requests finish until drain_timeout.
    void drain(Rollout& r, Instance& inst);
    void drain_check(Rollout& r, Instance& inst, std::uint64_t generation, double deadline_s);
    void set_version(Rollout& r, Instance& inst, bool fresh);
    void schedule_crash(Rollout& r, Instance& inst);
    [[nodiscard]] bool ready(const Rollout& r, const Instance& inst) const;

    const Experiment& e_;
    Kernel& kernel_;
    Runtime& runtime_;
    Recorder& rec_;
    std::vector<std::unique_ptr<Rollout>> rollouts_;
};

}  // namespace stacksim::sim
