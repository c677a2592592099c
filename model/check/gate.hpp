#pragma once
#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

// The CI gate: judges a results document by its SLOs and, given a baseline, by regressions
// beyond tolerance. Pure (reads documents only); `stacksim check` does the I/O.
namespace stacksim::check {

// How much worse a metric may get before it counts as a regression. Relative tolerances are
// fractions of the baseline value; availability-like metrics use absolute points, because
// "0.1 % worse" of 99.99 % would be meaningless.
struct Tolerances {
    double latency = 0.10;        // relative
    double throughput = 0.05;     // relative
    double cost = 0.01;           // relative
    double availability = 0.001;  // absolute (0.1 percentage point); also SLI values

    // Applies "group=value" with value "10%" or "0.1"; returns an error message or empty.
    std::string set(const std::string& assignment);
};

struct Case {
    std::string suite;    // "slo" | "regression"
    std::string name;
    bool passed = true;
    std::string message;  // one line: why it failed, or what was checked
    std::string details;  // more lines for the JUnit body / Markdown
};

struct Report {
    std::string subject;  // what was checked (name and file)
    std::vector<Case> cases;
    [[nodiscard]] int failures() const;
    [[nodiscard]] bool passed() const { return failures() == 0; }
};

// A value with its 95 % CI half-width (0 for a single run) and which direction is better.
struct Metric {
    std::string group;  // latency | throughput | availability | cost
    double value = 0, ci95 = 0;
    bool higher_is_better = false;
};

// The comparable metrics of a `run` or `replications` document, by stable name
// ("latency p99", "GET /feed p99", "throughput", "availability", "cost per hour").
std::map<std::string, Metric> metrics_of(const nlohmann::json& doc);

// One case per SLO of `slos` (the documents' `slos[]` entries; for replications, the pooled
// entries from pool_slos).
std::vector<Case> judge_slos(const nlohmann::json& slos);

// A gate must fail when it cannot judge: one failing "evidence" case when the document holds
// no measurements (a run without a summary's counts, replications without aggregates) or its
// slos is not an array; none when the evidence is there.
std::vector<Case> judge_evidence(const nlohmann::json& doc);

// One "stability" case from the document's steady_state block (docs/results.md): it fails when
// a backlog grows (unstable) or the warm-up was too short (transient); none for older documents.
std::vector<Case> judge_steady_state(const nlohmann::json& doc);

// A warning when the baseline comes from another experiment (names and files differ), naming
// both; empty when they match or cannot be told apart.
std::string baseline_mismatch(const nlohmann::json& current, const nlohmann::json& baseline);

// Pools the SLO counts of several runs (replications): good and valid summed per SLO.
nlohmann::json pool_slos(const std::vector<nlohmann::json>& runs);

// One case per metric present in both documents. When both carry confidence intervals, a
// change inside the intervals' combined width is not called a regression (it is noise).
std::vector<Case> compare(const std::map<std::string, Metric>& current, const std::map<std::string, Metric>& baseline,
                          const Tolerances& tol);

}  // namespace stacksim::check
