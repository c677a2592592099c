#pragma once
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "model/stack/experiment.hpp"

// Each subcommand registers its options on the app and returns the exit code when run:
// 0 success, 1 a check failed, 2 bad input or usage.
namespace stacksim::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitCheckFailed = 1;
inline constexpr int kExitBadInput = 2;

// Loads and validates an experiment, printing its diagnostics to stderr; empty on errors.
std::optional<Experiment> load_experiment_or_report(const std::string& path, const std::vector<std::string>& overrides);

// Where a run comes from and goes: the experiment path and overrides echoed in the results.
struct RunTarget {
    std::string experiment;
    std::vector<std::string> sets;
    std::string out;  // directory for results.json and series.csv
    bool progress_jsonl = false;  // machine-readable progress and interval rows on stderr (docs/cli.md)
};

// Simulates one replication in this process (one SimGrid engine per process: call once),
// writes OUT/results.json and OUT/series.csv atomically and returns the results document.
nlohmann::json simulate_and_write(const Experiment& e, const RunTarget& target, std::uint64_t seed, int replication,
                                  bool progress);

void add_validate(CLI::App& app, int& exit_code);
void add_analyze(CLI::App& app, int& exit_code);
void add_machines(CLI::App& app, int& exit_code);
void add_run(CLI::App& app, int& exit_code);
void add_sweep(CLI::App& app, int& exit_code);
void add_merge(CLI::App& app, int& exit_code);
void add_check(CLI::App& app, int& exit_code);
void add_report(CLI::App& app, int& exit_code);

}  // namespace stacksim::cli
