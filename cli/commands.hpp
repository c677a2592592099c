#pragma once
#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

#include "model/stack/experiment.hpp"

// Each subcommand registers its options on the app and returns the exit code when run:
// 0 success, 1 a check failed, 2 bad input or usage.
namespace stacksim::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitBadInput = 2;

// Loads and validates an experiment, printing its diagnostics to stderr; empty on errors.
std::optional<Experiment> load_experiment_or_report(const std::string& path, const std::vector<std::string>& overrides);

void add_validate(CLI::App& app, int& exit_code);
void add_analyze(CLI::App& app, int& exit_code);
void add_machines(CLI::App& app, int& exit_code);
void add_run(CLI::App& app, int& exit_code);

}  // namespace stacksim::cli
