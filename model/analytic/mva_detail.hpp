#pragma once
// What the exact and the approximate MVA solvers share: input checks and the zero-load start.
#include <vector>

#include "model/analytic/mva.hpp"

namespace stacksim::analytic::detail {

// Throws std::invalid_argument naming the first bad input (users, think time, then stations in order).
void check_mva_input(const std::vector<MvaStation>& stations, int users, double think_s);

// Zero throughput, every station's residence its bare demand: the answer for no users and the
// state each solver starts from. Sum of the demands in `total_demand_s`.
MvaResult zero_load_result(const std::vector<MvaStation>& stations, double total_demand_s);

}  // namespace stacksim::analytic::detail
