#pragma once
#include <nlohmann/json.hpp>

#include <ostream>
#include <string>
#include <vector>

#include "model/stack/experiment.hpp"

// Terminal summaries of run results, and the cross-replication aggregate (mean and 95 %
// confidence interval from Student's t).
namespace stacksim::cli {

void print_run_summary(const nlohmann::json& doc, std::ostream& out);
// The run's verdict on itself: growing backlogs, warm-up adequacy (cli/steady_report.cpp).
void print_steady_state(const nlohmann::json& steady_state, std::ostream& out);
// SLO verdicts, budget spent and alerts (the `slos[]` entries of a results document).
void print_slos(const nlohmann::json& slos, std::ostream& out);
// The fault timeline: one line per occurrence (the `faults[]` entries of a results document).
void print_faults(const nlohmann::json& faults, std::ostream& out);
// Deploys: outcome, requests and errors per version, the deploy events (cli/deploy_report.cpp).
void print_deploys(const nlohmann::json& doc, std::ostream& out);
// The per-edge policy counters and breaker state changes (when any policy is configured).
void print_resilience(const nlohmann::json& resilience, std::ostream& out);
// A note naming the experiment's fault kinds that the chaos engine does not simulate yet.
void note_unsimulated_faults(const Experiment& e, const std::string& file, std::ostream& out);
nlohmann::json aggregate_replications(const std::vector<nlohmann::json>& runs);
void print_replication_summary(const nlohmann::json& doc, std::ostream& out);

}  // namespace stacksim::cli
