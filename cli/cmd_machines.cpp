#include <fmt/format.h>
#include <iostream>

#include "cli/commands.hpp"
#include "model/cost/machine.hpp"
#include "model/units/units.hpp"

namespace stacksim::cli {

void add_machines(CLI::App& app, int& exit_code) {
    auto* cmd = app.add_subcommand("machines", "List the built-in machine catalog (vCPUs, speed, RAM, NIC, $/h)");
    cmd->callback([&exit_code] {
        const auto catalog = MachineCatalog::builtin();
        std::cout << fmt::format("{:<18} {:>5} {:>6} {:>8} {:>10} {:>9}  {}\n", "machine", "vCPU", "speed", "RAM",
                                 "NIC", "$/h", "provider");
        for (const auto& [name, m] : catalog.all())
            std::cout << fmt::format("{:<18} {:>5} {:>6.2f} {:>8} {:>8.3g}G {:>9.4f}  {}\n", name, m.vcpus, m.core_speed,
                                     units::format_bytes(m.ram_bytes), m.nic_bps / 1e9, m.price_per_h, m.provider);
        std::cout << "on-demand prices as of " << MachineCatalog::kPriceDate << "; see docs/machine-catalog.md\n";
        exit_code = kExitOk;
    });
}

}  // namespace stacksim::cli
