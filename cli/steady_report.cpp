// The run's verdict on itself in the terminal summary: growing backlogs, warm-up adequacy
// (the `steady_state` block, model/steady).
#include <fmt/format.h>

#include "cli/run_report.hpp"
#include "model/units/units.hpp"

namespace stacksim::cli {

void print_steady_state(const nlohmann::json& s, std::ostream& out) {
    if (!s.is_object() || !s.contains("verdict")) return;
    const std::string verdict = s.value("verdict", "");
    const nlohmann::json w = s.value("warmup", nlohmann::json::object());
    if (verdict == "steady") {
        std::string warmup = "warm-up covers the initial transient (MSER-5)";
        if (w.value("applicable", true) == false && w.value("reason", nlohmann::json()).is_string())
            warmup = "warm-up not judged: " + w["reason"].get<std::string>();
        out << "\nsteady state: yes (no growing backlog; " << warmup << ")\n";
        for (const auto& f : s.value("findings", nlohmann::json::array()))  // e.g. a queue at its bound
            if (f.is_string()) out << "  note: " << f.get<std::string>() << "\n";
        return;
    }
    out << fmt::format("\nsteady state: {} — the SLO verdicts below are not conclusive\n",
                       verdict == "unstable" ? "NO, UNSTABLE" : verdict == "transient" ? "NO, TRANSIENT" : verdict);
    for (const auto& f : s.value("findings", nlohmann::json::array()))
        if (f.is_string()) out << "  " << f.get<std::string>() << "\n";
}

}  // namespace stacksim::cli
