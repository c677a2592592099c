#pragma once
#include <CLI/CLI.hpp>

// Each subcommand registers its options on the app and returns the exit code when run:
// 0 success, 1 a check failed, 2 bad input or usage.
namespace stacksim::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitBadInput = 2;

void add_validate(CLI::App& app, int& exit_code);
void add_analyze(CLI::App& app, int& exit_code);
void add_machines(CLI::App& app, int& exit_code);
void add_run(CLI::App& app, int& exit_code);

}  // namespace stacksim::cli
