#include "model/steady/trend.hpp"

#include <boost/math/distributions/students_t.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace stacksim::steady {

namespace {
double mean_of(const std::vector<double>& y, std::size_t from, std::size_t to) {
    if (to <= from) return 0;
    return std::accumulate(y.begin() + static_cast<std::ptrdiff_t>(from), y.begin() + static_cast<std::ptrdiff_t>(to), 0.0) /
           static_cast<double>(to - from);
}
}  // namespace

Trend trend(const std::vector<double>& y, double interval_s, double confidence) {
    Trend t;
    const std::size_t n = y.size();
    if (n == 0) return t;
    t.first = y.front();
    t.last = y.back();
    t.mean = mean_of(y, 0, n);
    t.first_third_mean = mean_of(y, 0, std::max<std::size_t>(1, n / 3));
    t.last_third_mean = mean_of(y, n - std::max<std::size_t>(1, n / 3), n);
    t.span_s = static_cast<double>(n) * interval_s;
    if (n < kMinIntervals || !(interval_s > 0)) return t;
    // Batches of equal size; a remainder is dropped from the start so that the end counts.
    const std::size_t b = std::min(kMaxBatches, n / 2), m = n / b, skip = n - b * m;
    std::vector<double> x(b), z(b);
    for (std::size_t j = 0; j < b; ++j) {
        const std::size_t from = skip + j * m;
        z[j] = mean_of(y, from, from + m);
        x[j] = (static_cast<double>(from) + static_cast<double>(m) / 2) * interval_s;
    }
    const double xm = std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(b);
    const double zm = std::accumulate(z.begin(), z.end(), 0.0) / static_cast<double>(b);
    double sxx = 0, sxz = 0;
    for (std::size_t j = 0; j < b; ++j) sxx += (x[j] - xm) * (x[j] - xm), sxz += (x[j] - xm) * (z[j] - zm);
    t.slope_per_s = sxz / sxx;
    double rss = 0;
    for (std::size_t j = 0; j < b; ++j) {
        const double r = z[j] - zm - t.slope_per_s * (x[j] - xm);
        rss += r * r;
    }
    const double dof = static_cast<double>(b) - 2;
    const double se = std::sqrt(rss / dof / sxx);
    const double q = boost::math::quantile(boost::math::students_t(dof), 0.5 + confidence / 2);
    t.ci_low = t.slope_per_s - q * se;
    t.ci_high = t.slope_per_s + q * se;
    t.judged = true;
    t.batches = b;
    const double growth = t.slope_per_s * t.span_s;
    t.growing = t.ci_low > 0 && growth >= std::max(kMinGrowth, 0.5 * std::abs(t.first_third_mean));
    return t;
}

}  // namespace stacksim::steady
