#pragma once
#include <nlohmann/json.hpp>

#include <vector>

#include "model/slo/burn_rate.hpp"
#include "model/slo/error_budget.hpp"
#include "model/slo/sli_series.hpp"
#include "model/stack/experiment.hpp"

// An SLO judged on a run: the SLI, the verdict, the budget spent and the alerts that fired.
namespace stacksim::slo {

struct AlertReport {
    BurnRateAlert rule;
    std::vector<AlertEpisode> fired;
};

struct SloReport {
    Slo slo;
    std::uint64_t valid = 0, good = 0;
    double sli = 1;          // good / valid after the warm-up (1 when nothing was valid)
    double burn_rate = 0;    // over the whole measured run
    bool met = true;         // false when nothing was valid: no evidence is not a pass
    bool no_data = false;    // no valid event after the warm-up
    ErrorBudget budget;
    std::vector<AlertReport> alerts;
    // aligned with the run's intervals
    std::vector<double> budget_remaining, burn_rate_interval, burn_rate_short;
};

SloReport evaluate(const Slo& slo, const SliSeries& series);

// The `slos[]` entry of the results document (docs/results.md); the per-interval counts are
// echoed so that readers can re-evaluate with other objectives.
nlohmann::json to_json(const SloReport& r, const SliSeries& series);

}  // namespace stacksim::slo
