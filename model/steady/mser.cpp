#include "model/steady/mser.hpp"

#include <boost/math/distributions/students_t.hpp>

#include <cmath>

namespace stacksim::steady {

Truncation mser5(const std::vector<double>& raw) {
    Truncation t;
    std::vector<double> y;
    std::vector<std::size_t> at;  // index in `raw` of each kept sample
    for (std::size_t i = 0; i < raw.size(); ++i)
        if (std::isfinite(raw[i])) y.push_back(raw[i]), at.push_back(i);
    const std::size_t k = y.size() / kMserBatch;
    if (k < kMserMinBatches) return t;
    std::vector<double> z(k);
    for (std::size_t j = 0; j < k; ++j) {
        double s = 0;
        for (std::size_t i = 0; i < kMserBatch; ++i) s += y[j * kMserBatch + i];
        z[j] = s / static_cast<double>(kMserBatch);
    }
    // Suffix sums give every candidate's statistic in O(k).
    std::vector<double> sum(k + 1, 0), sq(k + 1, 0);
    for (std::size_t j = k; j-- > 0;) sum[j] = sum[j + 1] + z[j], sq[j] = sq[j + 1] + z[j] * z[j];
    const std::size_t limit = k / 2;
    std::size_t best = 0;
    double best_stat = 0;
    for (std::size_t d = 0; d <= limit; ++d) {
        const double r = static_cast<double>(k - d);
        const double mean = sum[d] / r;
        const double stat = std::max(0.0, sq[d] - r * mean * mean) / (r * r);
        // Strictly smaller, with a relative margin: rounding must not move a flat series' cut.
        if (d == 0 || stat < best_stat * (1 - 1e-12)) best_stat = stat, best = d;
    }
    const double r = static_cast<double>(k - best);
    t.judged = true;
    t.settled = best < limit;
    t.intervals = best == 0 ? 0 : at[best * kMserBatch];
    t.steady_mean = sum[best] / r;
    const double var = r > 1 ? std::max(0.0, sq[best] - r * t.steady_mean * t.steady_mean) / (r - 1) : 0;
    t.steady_ci95 = r > 1 ? boost::math::quantile(boost::math::students_t(r - 1), 0.975) * std::sqrt(var / r) : 0;
    return t;
}

}  // namespace stacksim::steady
