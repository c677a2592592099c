#include <fmt/format.h>
#include <iostream>

#include "cli/commands.hpp"
#include "model/analytic/stack_model.hpp"
#include "model/results/atomic_file.hpp"
#include "model/units/units.hpp"
#include "stacksim/version.hpp"

namespace stacksim::cli {
namespace {

std::string dur(double s) { return std::isfinite(s) ? units::format_duration(s) : "overload"; }

void print_report(const analytic::AnalyticReport& r, std::ostream& out) {
    out << fmt::format("stacksim analyze: {} — {}\n", r.experiment.empty() ? "(unnamed)" : r.experiment, r.workload_model);
    out << fmt::format("offered {}  throughput {}  est. availability {:.4f}%  cost ${:.2f}/h (${:.0f}/month, {} per 1M requests)\n",
                       units::format_rate(r.offered_rate), units::format_rate(r.throughput), 100 * r.availability,
                       r.cost_per_h, r.cost_per_month,
                       std::isfinite(r.cost_per_million) ? fmt::format("${:.4f}", r.cost_per_million) : "n/a");
    if (r.closed_users > 0)
        out << fmt::format("closed loop: {:.0f} users, think time {}\n", r.closed_users, dur(r.closed_think_s));
    out << fmt::format("\n{:<16} {:<14} {:>7} {:>9} {:>9} {:>6} {:>9} {:>9} {:>9}  {}\n", "service", "station", "servers",
                       "λ", "S", "ρ", "Wq", "W", "est. p99", "model");
    for (const auto& s : r.stations) {
        if (s.arrival_rate <= 0) continue;
        out << fmt::format("{:<16} {:<14} {:>7} {:>9} {:>9} {:>6.3f} {:>9} {:>9} {:>9}  {}{}\n", s.service, s.role,
                           s.servers == 0 ? std::string("inf") : std::to_string(s.servers),
                           units::format_rate(s.arrival_rate), dur(s.mean_service_s), s.utilisation, dur(s.mean_wait_s),
                           dur(s.mean_response_s), dur(s.p99_response_s), s.formula,
                           s.bottleneck ? "  <- bottleneck" : (s.p_block > 1e-6 ? fmt::format("  blocks {:.3g}%", 100 * s.p_block) : ""));
    }
    out << fmt::format("\n{:<24} {:>6} {:>9} {:>9} {:>9} {:>9} {:>9}\n", "endpoint", "share", "rate", "mean", "p95",
                       "p99", "errors");
    for (const auto& e : r.endpoints)
        out << fmt::format("{:<24} {:>5.1f}% {:>9} {:>9} {:>9} {:>9} {:>8.3g}%\n", e.endpoint, 100 * e.share,
                           units::format_rate(e.rate), dur(e.mean_s), dur(e.p95_s), dur(e.p99_s), 100 * e.error_probability);
    out << fmt::format("{:<24} {:>6} {:>9} {:>9} {:>9} {:>9}\n", "all requests", "100%", units::format_rate(r.offered_rate),
                       dur(r.mean_response_s), dur(r.p95_s), dur(r.p99_s));
    if (!r.caches.empty()) {
        out << fmt::format("\n{:<12} {:<32} {:>9} {:>6} {:>8} {:>9} {:>7}\n", "cache", "used by", "keys", "zipf", "ttl",
                           "lookups", "hit");
        for (const auto& c : r.caches)
            out << fmt::format("{:<12} {:<32} {:>9.3g} {:>6.2f} {:>8} {:>9} {:>6.1f}%\n", c.cache, c.used_by, c.key_space,
                               c.zipf, std::isfinite(c.ttl_s) ? units::format_duration(c.ttl_s) : "none",
                               units::format_rate(c.request_rate), 100 * c.hit_ratio);
    }
    out << "\n";
    if (!r.bottleneck.empty()) {
        const auto* b = [&]() -> const analytic::StationReport* {
            for (const auto& s : r.stations)
                if (s.bottleneck) return &s;
            return nullptr;
        }();
        out << fmt::format("bottleneck: {} at ρ = {:.3f}; saturates at {} ({:.2f}x the offered load)\n", r.bottleneck,
                           b ? b->utilisation : 0.0, units::format_rate(r.saturation_rate),
                           r.offered_rate > 0 ? r.saturation_rate / r.offered_rate : 0.0);
    }
    for (const auto& n : r.notes) out << "note: " << n << "\n";
}

}  // namespace

void add_analyze(CLI::App& app, int& exit_code) {
    auto* cmd = app.add_subcommand("analyze", "Instant queueing-theory estimate of an experiment (no simulation)");
    struct Opts {
        std::string experiment, json_out;
        std::vector<std::string> sets;
    };
    auto o = std::make_shared<Opts>();
    cmd->add_option("experiment", o->experiment, "Experiment file")->required();
    cmd->add_option("--json", o->json_out, "Also write the analysis as JSON to this file (written atomically)");
    cmd->add_option("--set", o->sets, "Override a value, e.g. --set workload.rate=2M/min or --set topology.services.api.replicas=12");
    cmd->callback([o, &exit_code] {
        auto experiment = load_experiment_or_report(o->experiment, o->sets);
        if (!experiment) {
            exit_code = kExitBadInput;
            return;
        }
        if (!o->json_out.empty()) {
            try {
                results::ensure_writable_file(o->json_out);
            } catch (const std::exception& e) {
                std::cerr << "--json " << e.what() << "\n";
                exit_code = kExitBadInput;
                return;
            }
        }
        try {
            const auto report = analytic::analyze(*experiment);
            print_report(report, std::cout);
            if (!o->json_out.empty()) {
                nlohmann::json doc{{"stacksim_version", kVersion}, {"kind", "analysis"}, {"input", o->experiment},
                                   {"overrides", o->sets}, {"analysis", analytic::to_json(report)}};
                results::write_file_atomically(o->json_out, doc.dump(2) + "\n");
                std::cout << "analysis written to " << o->json_out << "\n";
            }
            exit_code = kExitOk;
        } catch (const std::exception& e) {
            std::cerr << o->experiment << ": " << e.what() << "\n";
            exit_code = kExitBadInput;
        }
    });
}

}  // namespace stacksim::cli
