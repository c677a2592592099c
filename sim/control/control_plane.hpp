#pragma once
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "model/stack/experiment.hpp"
#include "sim/engine/kernel.hpp"
#include "sim/engine/runtime.hpp"
#include "sim/metrics/recorder.hpp"

// The control loops that act on the running stack (docs/control.md): load balancers' active
// health checks, and a horizontal autoscaler per node_service with `autoscaling` (the
// Kubernetes HPA algorithm). Passive outlier detection lives on the request path
// (sim/control/routing.cpp). Nothing here runs when nothing is configured.
namespace stacksim::sim {

class ControlPlane {
public:
    ControlPlane(const Experiment& e, Kernel& kernel, Runtime& runtime, Recorder& recorder);
    void start();

private:
    struct HealthChecker {
        const Service* lb = nullptr;
        const HealthCheckSpec* spec = nullptr;
        const Instance* from = nullptr;  // the proxy instance that probes
        int view = 0;                    // its view of the backends (Instance::hc_failing_at)
        std::uint64_t round = 0;
    };
    struct Scaler {
        const Service* service = nullptr;
        const AutoscalingSpec* spec = nullptr;
        std::vector<Instance*> instances;
        std::vector<double> last_busy;
        double last_sync_s = 0;
        std::deque<std::pair<double, int>> recommendations;  // (time, desired) for stabilisation
        std::deque<std::pair<double, int>> changes;          // (time, +started / -stopped) for policies
    };
    void health_round(HealthChecker& hc);
    void probe_result(HealthChecker& hc, Instance& inst, std::uint64_t generation, bool ok);
    void sync(Scaler& s);
    [[nodiscard]] int limit(const Scaler& s, int current, bool up) const;
    void start_instances(Scaler& s, int n);
    void stop_instances(Scaler& s, int n);
    void drain(Scaler& s, Instance& inst, std::uint64_t generation, double deadline_s);

    const Experiment& e_;
    Kernel& kernel_;
    Runtime& runtime_;
    Recorder& rec_;
    std::vector<std::unique_ptr<HealthChecker>> checkers_;
    std::vector<std::unique_ptr<Scaler>> scalers_;
};

}  // namespace stacksim::sim
