#include <iostream>

#include "cli/commands.hpp"
#include "model/schema/loader.hpp"

namespace stacksim::cli {

std::optional<Experiment> load_experiment_or_report(const std::string& path, const std::vector<std::string>& overrides) {
    schema::Diagnostics diag;
    auto e = schema::load_experiment(path, overrides, diag);
    std::cerr << diag.format();
    return e;
}

void add_validate(CLI::App& app, int& exit_code) {
    auto* cmd = app.add_subcommand("validate", "Check topology and experiment files; report every problem at once");
    auto files = std::make_shared<std::vector<std::string>>();
    auto sets = std::make_shared<std::vector<std::string>>();
    cmd->add_option("files", *files, "Topology or experiment files (JSON with comments)")->required();
    cmd->add_option("--set", *sets, "Override a value before validating, e.g. --set workload.rate=2M/min");
    cmd->callback([files, sets, &exit_code] {
        bool all_ok = true;
        for (const auto& f : *files) {
            schema::Diagnostics diag;
            const bool ok = schema::validate_file(f, *sets, diag);
            std::cerr << diag.format();
            if (ok) std::cout << f << ": ok\n";
            else std::cout << f << ": " << diag.error_count() << (diag.error_count() == 1 ? " error\n" : " errors\n");
            all_ok = all_ok && ok;
        }
        exit_code = all_ok ? kExitOk : kExitBadInput;
    });
}

}  // namespace stacksim::cli
