#pragma once
#include <nlohmann/json.hpp>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

// A typed, read-only view of the results documents (docs/results.md) for explorers such as the
// GUI: the series, SLO burn-down, faults, control events and sweep points as plain structs.
// Required structure (kind, series.t_s and aligned arrays) is checked and reported with the
// file and JSON pointer; optional blocks that are absent read as empty, and null numbers
// (e.g. a quantile of an interval without requests) read as NaN.
namespace stacksim::results {

// "file:/json/pointer: what was expected".
class ResultsError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct AlertFiring {
    std::string severity;       // "page", "ticket"
    double at_s = 0;
    std::optional<double> resolved_s;  // empty: still firing at the end
};

struct SloView {
    std::string name, sli;
    double objective = 0, sli_value = 0, burn_rate = 0;
    bool met = false;
    std::vector<double> budget_remaining, burn_rate_short;  // aligned with RunView::t_s
    std::vector<AlertFiring> alerts;
};

struct FaultView {
    std::string kind, target;
    double start_s = 0, end_s = 0;
    bool ended = true;
};

struct ControlEventView {
    double t_s = 0;
    std::string kind, service, instance;
};

struct CostView {
    double per_hour_usd = 0, per_month_usd = 0, per_million_requests_usd = 0;
    bool present = false;
};

struct ServiceSummary {
    std::string service, kind;
    double utilisation = 0;
};

using SeriesMap = std::map<std::string, std::vector<double>>;

struct RunView {
    std::string file;           // where it was read from
    std::string name, experiment, topology;
    std::vector<std::string> overrides;
    double duration_s = 0, warmup_s = 0, interval_s = 1;
    std::uint64_t seed = 0;
    // summary
    double throughput_rps = 0, availability = 0, p50_s = 0, p95_s = 0, p99_s = 0;
    std::uint64_t arrivals = 0, completed = 0, errors = 0;
    std::vector<ServiceSummary> services;
    // series, aligned with t_s
    std::vector<double> t_s;
    SeriesMap totals;           // arrivals_rps, completed_rps, errors_rps, in_flight, mean_s, p50_s ... p999_s
    SeriesMap utilisation, queue_depth, replicas, cache_hit_ratio;
    // Call policies only: per edge "api->inventory".
    SeriesMap attempts_rps, retries_rps, timeouts_rps;
    std::vector<SloView> slos;
    std::vector<FaultView> faults;
    std::vector<ControlEventView> control;
    CostView cost;
    // The run's verdict on itself (steady_state): "steady", "unstable", "transient"; empty in
    // documents written before it existed. Findings: one line each.
    std::string steady_verdict;
    std::vector<std::string> steady_findings;

    // A series of `totals` by key, empty when absent.
    [[nodiscard]] const std::vector<double>& total(const std::string& key) const;
};

struct SweepPointView {
    std::string id, strategy, status, load, service, machine, error;
    std::string results;        // absolute (resolved against the sweep document's directory); "" if none
    int index = 0, replicas = 0;
    double load_rps = 0, throughput_rps = 0, availability = 0, p99_s = 0, max_utilisation = 0;
    bool slos_met = false;
    std::string steady_state;   // the point run's verdict ("steady" when the document has none)
    CostView cost;
};

struct SweepView {
    std::string file, name, experiment, question, recommendation;
    double target_load_rps = 0;
    std::vector<SweepPointView> points;
    std::map<double, std::string> cheapest_by_load;  // load_rps -> point id meeting every SLO
};

enum class DocumentKind { run, replications, sweep };

// Reads the "kind" of a parsed results document; throws ResultsError for anything else.
DocumentKind document_kind(const nlohmann::json& doc, const std::string& file);

RunView parse_run(const nlohmann::json& doc, const std::string& file);
SweepView parse_sweep(const nlohmann::json& doc, const std::string& file);

// What a path opens to: a results file (run, replications -> its runs, sweep), a run
// directory (results.json), a sweep directory (sweep.json) or a directory of run
// directories (every */results.json, sorted). Throws ResultsError naming the path.
struct Opened {
    std::vector<RunView> runs;
    std::optional<SweepView> sweep;
};
Opened open_results(const std::string& path);

// Reads and parses one JSON file with the size/nesting limits of model/schema.
nlohmann::json read_results_json(const std::string& path);

}  // namespace stacksim::results
