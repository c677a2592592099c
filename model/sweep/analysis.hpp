#pragma once
#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "model/analytic/usl.hpp"
#include "model/stack/experiment.hpp"

// What a sweep measured at each point, and what it concludes: per load the cheapest
// configuration meeting every SLO, a USL fit of capacity vs replicas, the capacity knee and a
// recommendation (docs/sweep.md, "Analysis"). Pure: reads `run` results documents as JSON.
namespace stacksim::sweep {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct SloVerdict {
    std::string name;
    bool met = false;
    std::optional<double> sli_value;
    bool estimated = false;  // the run had no slos[]; judged from the summary's quantiles
};

struct PointRecord {
    std::size_t index = 0;
    std::string id, strategy;                 // horizontal | vertical | grid
    std::vector<std::string> overrides;
    std::optional<double> load_rps;           // the offered rate (open workloads)
    std::string load;                         // as written ("1M/min"), or formatted
    std::string service, machine;             // the scaled service and its machine type
    int replicas = 0;
    std::string status = "pending";           // done | failed | pending
    std::string results;                      // path of the point's `run` document
    std::string error;                        // failed: the end of the child's stderr
    // Measured (NaN until done).
    double throughput_rps = kNaN, availability = kNaN, p50_s = kNaN, p95_s = kNaN, p99_s = kNaN;
    double max_utilisation = kNaN;             // the busiest service's utilisation
    std::string busiest;                      // that service
    bool slos_met = false;                   // false when there was no SLO to meet
    std::vector<SloVerdict> slos;
    // The run's steady_state verdict (model/steady): an unstable or transient point never
    // counts as meeting its SLOs. "steady" for documents without one.
    std::string steady = "steady";
    double cost_per_h = kNaN, cost_per_month = kNaN, cost_per_million = kNaN;

    [[nodiscard]] bool ok() const { return status == "done" && slos_met && steady == "steady"; }
    // Capacity estimate: the throughput at which the busiest service would saturate.
    [[nodiscard]] double capacity_rps() const;
};

// SLO verdicts from a run summary when the run carries no slos[]: an availability SLI is the
// success ratio; a latency SLI is met when the smallest reported quantile at or above the
// objective (p90/p95/p99/p99.9) is within the threshold.
std::vector<SloVerdict> estimate_slos(const std::vector<Slo>& slos, const nlohmann::json& summary);

// Fills the measured fields of `p` from its `run` document. `slos` are the experiment's (used
// when the document has no slos[]); `fallback_cost_per_h` prices the deployment when it has no
// cost block.
void measure(PointRecord& p, const nlohmann::json& run, const std::vector<Slo>& slos, double fallback_cost_per_h);

nlohmann::json to_json(const PointRecord& p);
PointRecord point_from_json(const nlohmann::json& j);  // throws nlohmann::json::exception on a bad document

struct LoadVerdict {
    double load_rps = 0;
    std::string load;
    std::optional<std::string> cheapest, horizontal, vertical;  // point ids
};

struct CapacityPoint {
    int replicas = 0;
    double capacity_rps = 0;
    std::string id;
};

struct Analysis {
    std::vector<LoadVerdict> loads;           // ascending load
    // Capacity vs replicas for one machine type (the horizontal points, else grid points).
    std::string scaled_service, scaled_machine;
    std::string limited_by;                   // the busiest service at most capacity points: what the capacity measures
    std::vector<CapacityPoint> capacity;      // ascending replicas
    analytic::UslFit usl;                     // ok == false with fewer than 3 replica counts
    std::optional<CapacityPoint> knee;
    std::string knee_note;
    // For the target load: the cheapest point meeting every SLO.
    std::optional<double> target_load_rps;
    std::optional<std::string> recommended;   // point id
    std::string recommended_strategy;
    double headroom = kNaN;                    // 1 - max utilisation of the recommended point
    std::string text;
};

// The marginal-gain rule for the knee: the last replica count before the capacity gained per
// added replica falls below this fraction of the first configuration's capacity per replica.
inline constexpr double kKneeFraction = 0.5;

Analysis analyze(const std::vector<PointRecord>& points, std::optional<double> target_load_rps);
nlohmann::json to_json(const Analysis& a);

// One row per point: id, strategy, overrides, load, replicas, machine, throughput, availability,
// p50/p95/p99, max utilisation, slos_met, $/h, $/month, $/M requests, status.
std::string to_csv(const std::vector<PointRecord>& points);

// "6 x c6i.xlarge" (the scaled service's configuration), or the overrides for other grids.
std::string config_label(const PointRecord& p);

}  // namespace stacksim::sweep
