#pragma once
#include <optional>
#include <vector>

#include "model/slo/sli_series.hpp"
#include "model/stack/experiment.hpp"

// Burn rates and multi-window, multi-burn-rate alerts (Google SRE workbook, ch. 5).
namespace stacksim::slo {

// Burn rate over [t - window_s, t]: the window's bad fraction over the budgeted bad fraction
// (1 - objective); 1 spends the budget exactly over the SLO window. The part of a window that
// reaches back before measurement started is taken as healthy traffic at the run's average
// valid rate — the stack ran fine before the experiment — so a 1 h window over a 3-minute
// run is diluted as a real hour would be, instead of reading those 3 minutes as the hour.
double burn_rate(const CumulativeCounts& c, double avg_valid_rate, double objective, double t, double window_s);

struct AlertEpisode {
    double fired_s = 0;
    std::optional<double> resolved_s;  // empty: still firing when the run ended
};

// Evaluates the alert at every measured interval end: it fires while both its long and its
// short window burn at least `burn_rate`, and resolves at the first evaluation where not.
std::vector<AlertEpisode> evaluate_alert(const SliSeries& s, const CumulativeCounts& c, double avg_valid_rate,
                                         double objective, const BurnRateAlert& alert);

}  // namespace stacksim::slo
