#include "model/analytic/response_time.hpp"

#include <boost/math/distributions/gamma.hpp>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace stacksim::analytic {

double gamma_quantile(double mean, double variance, double q) {
    if (!(mean >= 0) || !std::isfinite(mean)) throw std::invalid_argument("gamma_quantile: mean must be finite and >= 0");
    if (!(variance >= 0) || !std::isfinite(variance))
        throw std::invalid_argument("gamma_quantile: variance must be finite and >= 0");
    if (!(q > 0 && q < 1)) throw std::invalid_argument("gamma_quantile: q must be in (0, 1)");
    if (variance == 0) return mean;  // deterministic
    if (mean == 0) throw std::invalid_argument("gamma_quantile: a zero mean needs zero variance");
    // Moment matching: shape k = mean²/var, scale θ = var/mean. k = 1 is the exponential.
    const boost::math::gamma_distribution<double> dist(mean * mean / variance, variance / mean);
    return boost::math::quantile(dist, q);
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
