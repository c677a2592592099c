#include "model/analytic/response_time.hpp"

#include <boost/math/distributions/gamma.hpp>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace stacksim::analytic {
namespace {

// Above this shape the incomplete gamma function's series needs ~shape iterations (boost
// gives up at 10⁶) while Wilson–Hilferty is accurate to O(1/shape²) of the spread.
constexpr double kNormalShape = 1e4;

void require_moments(double mean, double variance, const char* who) {
    if (!(mean >= 0) || !std::isfinite(mean)) throw std::invalid_argument(std::string(who) + ": mean must be finite and >= 0");
    if (!(variance >= 0) || !std::isfinite(variance))
        throw std::invalid_argument(std::string(who) + ": variance must be finite and >= 0");
    if (mean == 0 && variance > 0) throw std::invalid_argument(std::string(who) + ": a zero mean needs zero variance");
}

// Wilson & Hilferty (1931): (X/mean)^(1/3) is close to Normal(1 - 1/(9k), 1/(9k)).
double wilson_hilferty_quantile(double mean, double shape, double q) {
    const double z = boost::math::quantile(boost::math::normal_distribution<double>(), q);
    const double v = 1 / (9 * shape);
    return mean * std::pow(std::max(0.0, 1 - v + z * std::sqrt(v)), 3);
}

double wilson_hilferty_cdf(double mean, double shape, double x) {
    const double v = 1 / (9 * shape);
    const double z = (std::cbrt(x / mean) - (1 - v)) / std::sqrt(v);
    return 0.5 * std::erfc(-z / std::sqrt(2.0));
}

}  // namespace

double gamma_quantile(double mean, double variance, double q) {
    require_moments(mean, variance, "gamma_quantile");
    if (!(q > 0 && q < 1)) throw std::invalid_argument("gamma_quantile: q must be in (0, 1)");
    if (variance == 0) return mean;  // deterministic
    // Moment matching: shape k = mean²/var, scale θ = var/mean. k = 1 is the exponential.
    const double shape = mean * mean / variance;
    if (shape > kNormalShape) return wilson_hilferty_quantile(mean, shape, q);
    try {
        const double x = boost::math::quantile(boost::math::gamma_distribution<double>(shape, variance / mean), q);
        if (std::isfinite(x)) return x;
    } catch (const std::exception&) {  // a shape the inversion cannot handle: fall through
    }
    return wilson_hilferty_quantile(mean, shape, q);
}

double gamma_cdf(double mean, double variance, double x) {
    require_moments(mean, variance, "gamma_cdf");
    if (x <= 0) return mean == 0 ? 1.0 : 0.0;
    if (variance == 0) return x >= mean ? 1.0 : 0.0;
    const double shape = mean * mean / variance;
    if (shape > kNormalShape) return wilson_hilferty_cdf(mean, shape, x);
    try {
        const double p = boost::math::cdf(boost::math::gamma_distribution<double>(shape, variance / mean), x);
        if (std::isfinite(p)) return p;
    } catch (const std::exception&) {
    }
    return wilson_hilferty_cdf(mean, shape, x);
}

double mmc_wait_second_moment(double p_wait, double wait_tail_rate) {
    if (!(p_wait >= 0 && p_wait <= 1)) throw std::invalid_argument("p_wait must be in [0, 1]");
    if (!(wait_tail_rate >= 0)) throw std::invalid_argument("wait tail rate must be >= 0");
    if (p_wait == 0 || std::isinf(wait_tail_rate)) return 0;       // nobody waits
    if (wait_tail_rate == 0) return std::numeric_limits<double>::infinity();  // saturated
    // Wq is 0 w.p. 1-C, else Exp(r) with E[Exp²] = 2/r².
    return 2 * p_wait / (wait_tail_rate * wait_tail_rate);
}

}  // namespace stacksim::analytic
