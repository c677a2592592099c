#include "model/slo/fault_slo_impact.hpp"

#include <fmt/format.h>

#include "model/units/units.hpp"

namespace stacksim::slo {

FaultSloImpact fault_slo_impact(const SloReport& r, const SliSeries& s, double start_s, double until_s) {
    FaultSloImpact i;
    i.slo = r.slo.name;
    const CumulativeCounts c(s);
    i.bad_events = c.bad_until(until_s) - c.bad_until(start_s);
    i.budget_consumed_fraction = r.budget.window_allowed_bad > 0 ? i.bad_events / r.budget.window_allowed_bad : 0;
    for (const auto& a : r.alerts)
        for (const auto& f : a.fired)
            if (f.fired_s >= start_s && f.fired_s <= until_s && (!i.detected_at_s || f.fired_s < *i.detected_at_s)) {
                i.detected_at_s = f.fired_s;
                i.detected_by = fmt::format("{} {:g}x over {}/{}", a.rule.severity, a.rule.burn_rate,
                                            units::format_duration(a.rule.long_window_s),
                                            units::format_duration(a.rule.short_window_s));
            }
    return i;
}

nlohmann::json to_json(const FaultSloImpact& i, double start_s) {
    using nlohmann::json;
    return {{"slo", i.slo},
            {"bad_events", i.bad_events},
            {"budget_consumed_fraction", i.budget_consumed_fraction},
            {"time_to_detect_s", i.detected_at_s ? json(*i.detected_at_s - start_s) : json(nullptr)},
            {"detected_by", i.detected_at_s ? json(i.detected_by) : json(nullptr)}};
}

}  // namespace stacksim::slo
