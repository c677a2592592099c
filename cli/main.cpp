#include <iostream>

#include "cli/commands.hpp"
#include "stacksim/version.hpp"

int main(int argc, char** argv) {
    CLI::App app{"stacksim: chaos and capacity simulation for backend stacks"};
    app.set_version_flag("--version", std::string("stacksim ") + stacksim::kVersion);
    app.require_subcommand(1);
    int exit_code = stacksim::cli::kExitOk;
    stacksim::cli::add_validate(app, exit_code);
    stacksim::cli::add_analyze(app, exit_code);
    stacksim::cli::add_run(app, exit_code);
    stacksim::cli::add_sweep(app, exit_code);
    stacksim::cli::add_merge(app, exit_code);
    stacksim::cli::add_check(app, exit_code);
    stacksim::cli::add_report(app, exit_code);
    stacksim::cli::add_machines(app, exit_code);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? 0 : stacksim::cli::kExitBadInput;
    } catch (const std::bad_alloc&) {
        // Under a memory limit (ulimit -v, a container) an absurd input must end in a message
        // and the documented exit code, not an abort.
        std::cerr << "stacksim: out of memory (the input is too large for the memory available)\n";
        return stacksim::cli::kExitBadInput;
    } catch (const std::exception& e) {
        std::cerr << "stacksim: " << e.what() << "\n";
        return stacksim::cli::kExitBadInput;
    }
    return exit_code;
}
