#pragma once
#include <nlohmann/json.hpp>

#include <ostream>
#include <string>
#include <vector>

#include "model/sweep/analysis.hpp"

// The sweep results document (docs/results.md, kind "sweep"), shared by `sweep` and `merge`.
namespace stacksim::cli {

// Completes `doc` (the header: experiment, plan, shard...) with the points and their analysis,
// writes DIR/<stem>.json and DIR/<stem>.csv atomically and returns the analysis.
sweep::Analysis write_sweep_document(nlohmann::json& doc, const std::vector<sweep::PointRecord>& points,
                                     const std::string& dir, const std::string& stem);

// The table (point, config, load, p99, utilisation, SLOs, $/h) and the conclusions.
void print_sweep_summary(const std::vector<sweep::PointRecord>& points, const sweep::Analysis& a, std::ostream& out);

}  // namespace stacksim::cli
