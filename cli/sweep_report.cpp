#include "cli/sweep_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "model/results/atomic_file.hpp"
#include "model/units/units.hpp"

namespace stacksim::cli {

sweep::Analysis write_sweep_document(nlohmann::json& doc, const std::vector<sweep::PointRecord>& points,
                                     const std::string& dir, const std::string& stem) {
    std::optional<double> target;
    if (doc.contains("target_load_rps") && doc["target_load_rps"].is_number()) target = doc["target_load_rps"].get<double>();
    auto analysis = sweep::analyze(points, target);
    nlohmann::json list = nlohmann::json::array();
    for (const auto& p : points) list.push_back(sweep::to_json(p));
    doc["points"] = list;
    doc["analysis"] = sweep::to_json(analysis);
    results::write_file_atomically(dir + "/" + stem + ".csv", sweep::to_csv(points));
    results::write_file_atomically(dir + "/" + stem + ".json", doc.dump(1) + "\n");
    return analysis;
}

void print_sweep_summary(const std::vector<sweep::PointRecord>& points, const sweep::Analysis& a, std::ostream& out) {
    auto dur = [](double s) { return std::isfinite(s) ? units::format_duration(s) : std::string("-"); };
    out << fmt::format("{:<12} {:<10} {:<18} {:>10} {:>9} {:>6} {:>5} {:>9}\n", "point", "strategy", "config", "load",
                       "p99", "util", "SLOs", "$/h");
    for (const auto& p : points) {
        const bool done = p.status == "done";
        out << fmt::format("{:<12} {:<10} {:<18} {:>10} {:>9} {:>6} {:>5} {:>9}\n", p.id, p.strategy,
                           sweep::config_label(p), p.load, done ? dur(p.p99_s) : p.status,
                           done && std::isfinite(p.max_utilisation) ? fmt::format("{:.0f}%", 100 * p.max_utilisation) : "-",
                           done ? (p.slos.empty() ? "none" : !p.slos_met ? "FAIL" : p.steady != "steady" ? "ok*" : "ok") : "-",
                           std::isfinite(p.cost_per_h) ? fmt::format("{:.2f}", p.cost_per_h) : "-");
    }
    if (std::any_of(points.begin(), points.end(), [](const auto& p) { return p.status == "done" && p.steady != "steady"; }))
        out << "ok*: SLOs met in a run not in steady state (growing backlog or warm-up too short): not conclusive, never recommended\n";
    if (!a.loads.empty()) out << "\ncheapest configuration meeting every SLO, per load:\n";
    auto label = [&](const std::optional<std::string>& id) {
        if (!id) return std::string("none");
        for (const auto& p : points)
            if (p.id == *id) return fmt::format("{} (${:.2f}/h)", sweep::config_label(p), p.cost_per_h);
        return *id;
    };
    for (const auto& l : a.loads) {
        out << fmt::format("  {:>10}: {}", l.load, label(l.cheapest));
        const bool presets = std::any_of(points.begin(), points.end(), [](const auto& p) { return p.strategy != "grid"; });
        if (presets) out << fmt::format("   [out: {}; up: {}]", label(l.horizontal), label(l.vertical));
        out << "\n";
    }
    if (a.usl.ok)
        out << fmt::format("USL fit of capacity vs {} {} replicas{}: sigma {:.4f}  kappa {:.5f}  peak N {}  R^2 {:.3f}\n",
                           a.scaled_service, a.scaled_machine,
                           a.limited_by.empty() || a.limited_by == a.scaled_service ? "" : " (capacity limited by " + a.limited_by + ")",
                           a.usl.sigma, a.usl.kappa,
                           std::isfinite(a.usl.peak_n) ? fmt::format("{:.1f}", a.usl.peak_n) : "unbounded", a.usl.r_squared);
    if (!a.knee_note.empty()) out << "capacity knee: " << a.knee_note << "\n";
    if (!a.text.empty()) out << "recommendation: " << a.text << "\n";
}

}  // namespace stacksim::cli
