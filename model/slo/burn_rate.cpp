#include "model/slo/burn_rate.hpp"

#include <algorithm>

namespace stacksim::slo {

double burn_rate(const CumulativeCounts& c, double avg_valid_rate, double objective, double t, double window_s) {
    const double from = t - window_s;
    const double bad = c.bad_until(t) - c.bad_until(from);
    const double history_s = std::max(0.0, std::min(c.start_s(), t) - from);  // window time before measurement
    const double valid = c.valid_until(t) - c.valid_until(from) + avg_valid_rate * history_s;
    if (valid <= 0) return 0;
    return bad / valid / (1 - objective);
}

std::vector<AlertEpisode> evaluate_alert(const SliSeries& s, const CumulativeCounts& c, double avg_valid_rate,
                                         double objective, const BurnRateAlert& alert) {
    std::vector<AlertEpisode> episodes;
    bool firing = false;
    for (std::size_t i = 0; i < s.t_end_s.size(); ++i) {
        if (!s.measured(i)) continue;
        const double t = s.t_end_s[i];
        const bool on = burn_rate(c, avg_valid_rate, objective, t, alert.long_window_s) >= alert.burn_rate &&
                        burn_rate(c, avg_valid_rate, objective, t, alert.short_window_s) >= alert.burn_rate;
        if (on && !firing) episodes.push_back({t, std::nullopt});
        if (!on && firing) episodes.back().resolved_s = t;
        firing = on;
    }
    return episodes;
}

}  // namespace stacksim::slo
