#pragma once
#include <nlohmann/json.hpp>

#include <ostream>
#include <vector>

// Terminal summaries of run results, and the cross-replication aggregate (mean and 95 %
// confidence interval from Student's t).
namespace stacksim::cli {

void print_run_summary(const nlohmann::json& doc, std::ostream& out);
// SLO verdicts, budget spent and alerts (the `slos[]` entries of a results document).
void print_slos(const nlohmann::json& slos, std::ostream& out);
nlohmann::json aggregate_replications(const std::vector<nlohmann::json>& runs);
void print_replication_summary(const nlohmann::json& doc, std::ostream& out);

}  // namespace stacksim::cli
