#include "model/slo/sli_series.hpp"

#include <algorithm>

namespace stacksim::slo {

double SliSeries::measured_s() const {
    double s = 0;
    for (std::size_t i = 0; i < t_end_s.size(); ++i)
        if (measured(i)) s += interval_s;
    return s;
}

CumulativeCounts::CumulativeCounts(const SliSeries& s) {
    start_s_ = s.warmup_s;
    for (std::size_t i = 0; i < s.t_end_s.size(); ++i)
        if (s.measured(i)) {
            start_s_ = s.t_end_s[i] - s.interval_s;
            break;
        }
    t_.push_back(start_s_);
    valid_.push_back(0);
    bad_.push_back(0);
    for (std::size_t i = 0; i < s.t_end_s.size(); ++i) {
        if (!s.measured(i)) continue;
        t_.push_back(s.t_end_s[i]);
        valid_.push_back(valid_.back() + static_cast<double>(s.valid[i]));
        bad_.push_back(bad_.back() + static_cast<double>(s.valid[i] - std::min(s.good[i], s.valid[i])));
    }
}

double CumulativeCounts::at(const std::vector<double>& cum, double t) const {
    if (t <= t_.front()) return 0;
    if (t >= t_.back()) return cum.back();
    const auto k = static_cast<std::size_t>(std::upper_bound(t_.begin(), t_.end(), t) - t_.begin());  // t_[k-1] <= t < t_[k]
    const double f = (t - t_[k - 1]) / (t_[k] - t_[k - 1]);
    return cum[k - 1] + f * (cum[k] - cum[k - 1]);
}

}  // namespace stacksim::slo
