#include "model/slo/error_budget.hpp"

#include <algorithm>

namespace stacksim::slo {

ErrorBudget error_budget(double objective, double window_s, double measured_s, std::uint64_t valid, std::uint64_t good) {
    ErrorBudget b;
    b.allowed_bad_fraction = 1 - objective;
    b.measured_s = measured_s;
    b.window_valid_estimate = measured_s > 0 ? static_cast<double>(valid) / measured_s * window_s : 0;
    b.window_allowed_bad = b.allowed_bad_fraction * b.window_valid_estimate;
    b.consumed_bad = static_cast<double>(valid - std::min(good, valid));
    b.consumed_fraction = b.window_allowed_bad > 0 ? b.consumed_bad / b.window_allowed_bad : 0;
    b.remaining_fraction = 1 - b.consumed_fraction;
    return b;
}

}  // namespace stacksim::slo
