#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>

#include "model/stack/experiment.hpp"

// One simulation run of an experiment: builds the SimGrid platform and the stack, drives the
// workload for the experiment's duration and returns the results document (DESIGN.md,
// "Results document"). SimGrid allows one engine per process: call this once per process.
namespace stacksim::sim {

struct RunOptions {
    std::uint64_t seed = 1;
    int replication = 0;
    // Called about ten times per wall second with (simulated s, end s, events so far).
    std::function<void(double, double, std::uint64_t)> progress;
    // Called as each metric interval closes with that interval's row of the series (the keys
    // of results.series, one value each), for live views; never called when empty.
    std::function<void(const nlohmann::json&)> on_interval = nullptr;  // initialised: {seed, rep, progress} stays warning-free
};

struct RunOutput {
    nlohmann::json results;   // deterministic for the same inputs and seed, except "wall"
    std::string series_csv;
};

RunOutput simulate(const Experiment& experiment, const RunOptions& options);

}  // namespace stacksim::sim
