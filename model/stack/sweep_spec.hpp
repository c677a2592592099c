#pragma once
#include <optional>
#include <string>
#include <vector>

// The optional "sweep" block of an experiment: named presets for `stacksim sweep`
// (docs/sweep.md). Loads set workload.rate; each preset scales one service.
namespace stacksim {

struct SweepLoad {
    std::string text;     // as written ("1M/min"), passed on as workload.rate=<text>
    double rate_per_s = 0;
};

struct SweepSpec {
    std::string question;
    std::vector<SweepLoad> loads;              // empty: the experiment's own workload.rate
    std::optional<SweepLoad> target_load;      // the load the recommendation is for (default: the highest)
    struct Horizontal {                        // scale out: more replicas of one machine type
        std::string service, machine;
        std::vector<int> replicas;
    };
    struct Vertical {                          // scale up: a fixed replica count on bigger machines
        std::string service;
        int replicas = 1;
        std::vector<std::string> machines;
    };
    std::optional<Horizontal> horizontal;
    std::optional<Vertical> vertical;
};

}  // namespace stacksim
