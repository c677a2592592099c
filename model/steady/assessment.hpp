#pragma once
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "model/stack/experiment.hpp"
#include "model/steady/mser.hpp"
#include "model/steady/trend.hpp"

// Every run judges itself (docs/results.md, "steady_state"): is any backlog growing, and did
// the warm-up cover the initial transient? Pure: reads the run's own series.
namespace stacksim::steady {

// A depth whose trend was tested over the measured period (after the warm-up).
struct Resource {
    std::string name;               // "queue orders", "in flight"
    std::string kind;               // queue | accept_queue | waiting | in_flight
    std::string series;             // JSON pointer into the results document
    Trend trend;
    std::optional<double> bound;    // depth at which it refuses work (a queue's max_depth)
    std::optional<double> time_to_full_s;  // growing with a bound: from the end of the run
    std::string status;             // stable | growing | at_bound | not_judged
};

// MSER-5 on one series from t = 0.
struct WarmupSeries {
    std::string name, series;
    Truncation truncation;
    double truncation_s = 0;        // where the transient ends
    double mean_after_warmup = 0;   // what the run reports, with the configured warm-up
    double drift_per_s = 0;         // not settled: the measured part's slope (95 % CI tested)
    bool adequate = true;
};

// A warm-up is too short when it moves a reported mean by more than this fraction (or the
// measured part drifts by more): a cold cache measured too early is off by 10-30 %.
inline constexpr double kMaterialBias = 0.05;

struct Warmup {
    bool applicable = true;
    std::string reason;             // why not applicable (time-varying load, faults, …)
    double configured_s = 0;
    bool adequate = true;
    std::optional<double> suggested_s;  // only when too short and the transient ended
    std::vector<WarmupSeries> series;
};

struct Assessment {
    std::string verdict = "steady";  // steady | unstable | transient
    std::vector<Resource> resources;
    Warmup warmup;
    double in_flight_at_end = 0;
    std::vector<std::string> findings;  // one line each, for the summary, report and check
};

// `results` is a run's document (or its body: summary + series).
Assessment assess(const Experiment& e, const nlohmann::json& results);
nlohmann::json to_json(const Assessment& a);

// Replications: a resource growing in any replication makes the pooled verdict unstable (a
// gate must not average a growing backlog away); the suggested warm-up is the longest.
nlohmann::json pool(const std::vector<nlohmann::json>& steady_state_blocks);

// From a document's `steady_state` block (absent in older documents: conclusive).
bool conclusive(const nlohmann::json& steady_state);

// Marks every `slos[]` entry "conclusive": false when the run is not in steady state.
void mark_slos(nlohmann::json& slos, const nlohmann::json& steady_state);

}  // namespace stacksim::steady
