#pragma once
#include <cstdint>

// The error budget of an SLO, scaled from a run to the SLO's window.
namespace stacksim::slo {

// A run of `measured_s` stands for the SLO window at the same traffic: the window is expected
// to see valid / measured_s * window_s valid events, of which (1 - objective) may be bad. The
// run's bad events are charged against that budget; nothing is extrapolated beyond them (the
// rest of the window is neither assumed good nor bad, it is the budget that remains).
struct ErrorBudget {
    double allowed_bad_fraction = 0;
    double measured_s = 0;
    double window_valid_estimate = 0;
    double window_allowed_bad = 0;
    double consumed_bad = 0;
    double consumed_fraction = 0;   // of the window's budget; > 1 is an overspent budget
    double remaining_fraction = 1;  // 1 - consumed_fraction (negative when overspent)
};

ErrorBudget error_budget(double objective, double window_s, double measured_s, std::uint64_t valid, std::uint64_t good);

}  // namespace stacksim::slo
