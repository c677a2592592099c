#pragma once
#include <functional>
#include <string>
#include <vector>

#include "model/stack/experiment.hpp"
#include "sim/engine/kernel.hpp"
#include "sim/engine/runtime.hpp"

// Client-side load: open arrival processes (Poisson, constant, piecewise profile with ramps,
// 2-state MMPP bursts, diurnal, flash crowd, trace replay) and closed loops of users with
// think time. Each request draws its endpoint from the mix and a session key.
namespace stacksim::sim {

class Workload {
public:
    Workload(const Experiment& e, Kernel& kernel, Runtime& runtime);
    void start();

private:
    // Instantaneous rate of the open process at t (requests/s).
    [[nodiscard]] double rate_at(double t) const;
    void next_open_arrival();
    void user_cycle();
    void emit(std::function<void()> on_finish);

    const stacksim::Workload& w_;
    Kernel& kernel_;
    Runtime& runtime_;
    Rng rng_;
    DistributionSampler think_;
    std::vector<double> mix_cdf_;
    std::uint64_t next_id_ = 0;
    bool burst_ = false;           // MMPP state
    double next_switch_ = 0;
    std::vector<double> trace_;    // replay timestamps
    std::size_t trace_pos_ = 0;
};

// Reads a trace of arrival timestamps (seconds from the start, first CSV column; a header
// line and blank lines are skipped). Throws std::runtime_error naming file and line.
std::vector<double> read_trace(const std::string& path);

}  // namespace stacksim::sim
