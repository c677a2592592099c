#include "model/slo/slo_report.hpp"

#include <algorithm>

namespace stacksim::slo {

SloReport evaluate(const Slo& slo, const SliSeries& s) {
    SloReport r;
    r.slo = slo;
    for (std::size_t i = 0; i < s.t_end_s.size(); ++i)
        if (s.measured(i)) r.valid += s.valid[i], r.good += std::min(s.good[i], s.valid[i]);
    const double measured_s = s.measured_s();
    r.sli = r.valid > 0 ? static_cast<double>(r.good) / static_cast<double>(r.valid) : 1.0;
    r.burn_rate = (1 - r.sli) / (1 - slo.objective);
    r.no_data = r.valid == 0;
    r.met = !r.no_data && r.sli >= slo.objective;
    r.budget = error_budget(slo.objective, slo.window_s, measured_s, r.valid, r.good);

    const CumulativeCounts cum(s);
    const double avg_rate = measured_s > 0 ? static_cast<double>(r.valid) / measured_s : 0;
    for (const auto& a : slo.alerts) r.alerts.push_back({a, evaluate_alert(s, cum, avg_rate, slo.objective, a)});

    double shortest = 0;
    for (const auto& a : slo.alerts) shortest = shortest > 0 ? std::min(shortest, a.short_window_s) : a.short_window_s;
    for (std::size_t i = 0; i < s.t_end_s.size(); ++i) {
        const double t = s.t_end_s[i];
        const bool m = s.measured(i);
        r.budget_remaining.push_back(
            r.budget.window_allowed_bad > 0 ? 1 - cum.bad_until(t) / r.budget.window_allowed_bad : 1.0);
        const double valid = static_cast<double>(s.valid[i]);
        r.burn_rate_interval.push_back(
            m && valid > 0 ? (valid - static_cast<double>(std::min(s.good[i], s.valid[i]))) / valid / (1 - slo.objective) : 0);
        if (shortest > 0) r.burn_rate_short.push_back(m ? burn_rate(cum, avg_rate, slo.objective, t, shortest) : 0);
    }
    return r;
}

nlohmann::json to_json(const SloReport& r, const SliSeries& s) {
    using nlohmann::json;
    json alerts = json::array();
    for (const auto& a : r.alerts) {
        json fired = json::array();
        for (const auto& e : a.fired)
            fired.push_back({{"at_s", e.fired_s}, {"resolved_s", e.resolved_s ? json(*e.resolved_s) : json(nullptr)}});
        alerts.push_back({{"severity", a.rule.severity},
                          {"long_window_s", a.rule.long_window_s},
                          {"short_window_s", a.rule.short_window_s},
                          {"burn_rate", a.rule.burn_rate},
                          {"fired", fired}});
    }
    const ErrorBudget& b = r.budget;
    json series{{"valid", s.valid}, {"good", s.good}, {"budget_remaining", r.budget_remaining},
                {"burn_rate_interval", r.burn_rate_interval}};
    if (!r.burn_rate_short.empty()) series["burn_rate_short"] = r.burn_rate_short;
    return {{"name", r.slo.name},
            {"sli", r.slo.sli == Slo::Sli::latency ? "latency" : "availability"},
            {"endpoint", r.slo.endpoint.empty() ? json(nullptr) : json(r.slo.endpoint)},
            {"objective", r.slo.objective},
            {"threshold_s", r.slo.sli == Slo::Sli::latency ? json(r.slo.threshold_s) : json(nullptr)},
            {"window_s", r.slo.window_s},
            {"valid", r.valid},
            {"good", r.good},
            {"sli_value", r.sli},
            {"met", r.met},
            {"no_data", r.no_data},
            {"burn_rate", r.burn_rate},
            {"budget", {{"allowed_bad_fraction", b.allowed_bad_fraction},
                        {"measured_s", b.measured_s},
                        {"window_valid_estimate", b.window_valid_estimate},
                        {"window_allowed_bad", b.window_allowed_bad},
                        {"consumed_bad", b.consumed_bad},
                        {"consumed_fraction", b.consumed_fraction},
                        {"remaining_fraction", b.remaining_fraction}}},
            {"alerts", alerts},
            {"series", series}};
}

}  // namespace stacksim::slo
