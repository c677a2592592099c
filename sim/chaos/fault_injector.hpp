#pragma once
#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "model/stack/experiment.hpp"
#include "sim/chaos/memory_leak.hpp"
#include "sim/engine/kernel.hpp"
#include "sim/engine/runtime.hpp"
#include "sim/metrics/recorder.hpp"
#include "sim/random/sampler.hpp"

// The chaos engine: every fault of the experiment's `chaos` list, scheduled (`at`, `for`) or
// random (a renewal process: up for an `mtbf` draw, down for an `mttr` draw), applied to the
// running stack with kernel timers, and the fault timeline with each occurrence's impact.
// docs/chaos.md describes each kind.
namespace stacksim::sim {

// Kinds the engine simulates; the others are validated and skipped (the CLI names them).
bool fault_simulated(const std::string& kind);

class FaultInjector {
public:
    FaultInjector(const Experiment& e, Kernel& kernel, Runtime& runtime, Recorder& recorder);
    void start();
    // One entry per occurrence, in start order, with its impact read from the run's series.
    [[nodiscard]] nlohmann::json timeline(const nlohmann::json& series) const;

private:
    struct Occurrence {
        const Fault* fault = nullptr;
        bool random = false;
        double start_s = 0, end_s = 0;
        bool ended = false;
        std::vector<std::string> affected;  // "api#3", "api#3/w1", "redis#0"
        int requests_lost = 0;
        std::size_t window = 0;
        std::function<void()> revert;
        std::vector<std::unique_ptr<MemoryLeak>> leaks;  // memory_leak: one per instance hit
        nlohmann::json oom_kills = nlohmann::json::array();
    };
    void begin(std::size_t fault_index, bool random);
    void next_random(std::size_t fault_index);
    [[nodiscard]] double duration(const Fault& f, bool random, Rng& rng) const;
    [[nodiscard]] std::vector<Instance*> candidates(const Fault& f) const;
    std::vector<Instance*> pick(const Fault& f, Rng& rng) const;
    void apply(Occurrence& o, Rng& rng);

    const Experiment& e_;
    Kernel& kernel_;
    Runtime& runtime_;
    Recorder& rec_;
    std::vector<Rng> rngs_;  // one stream per fault entry
    std::vector<std::unique_ptr<Occurrence>> occurrences_;
};

}  // namespace stacksim::sim
