#pragma once
#include <optional>
#include <string>
#include <vector>

#include "model/schema/diagnostics.hpp"
#include "model/stack/experiment.hpp"

// Entry points: read files, apply overrides, parse, check references and the call graph.
// Every problem goes to `diag`; the result is empty when any error was found.
namespace stacksim::schema {

std::optional<Topology> load_topology(const std::string& path, const std::vector<std::string>& overrides,
                                      Diagnostics& diag);

// Overrides apply to the experiment; ones starting with "topology." apply to the topology file
// it references (e.g. --set topology.services.api.replicas=12).
std::optional<Experiment> load_experiment(const std::string& path, const std::vector<std::string>& overrides,
                                          Diagnostics& diag);

// Validates a file of either kind (an experiment has "workload", a topology has "services").
bool validate_file(const std::string& path, const std::vector<std::string>& overrides, Diagnostics& diag);

}  // namespace stacksim::schema
