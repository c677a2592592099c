#pragma once
#include <nlohmann/json.hpp>

#include "model/slo/slo_report.hpp"

// What a fault cost each SLO: the error budget spent from its start until the stack recovered
// (or the run ended), and how long the SLO's burn-rate alerts took to notice.
namespace stacksim::slo {

struct FaultSloImpact {
    std::string slo;
    double bad_events = 0;
    double budget_consumed_fraction = 0;  // of the SLO window's budget (docs/slo.md)
    // The first alert that fired at or after the fault started and before the impact ended.
    std::optional<double> detected_at_s;
    std::string detected_by;              // "page 14.4x over 1h/5min"
};

// `until_s`: the end of the fault's impact — its end plus its time to recover, or the end of
// the run when it never recovered.
FaultSloImpact fault_slo_impact(const SloReport& r, const SliSeries& s, double start_s, double until_s);

nlohmann::json to_json(const FaultSloImpact& i, double start_s);

}  // namespace stacksim::slo
