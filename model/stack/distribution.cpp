#include "model/stack/distribution.hpp"

namespace stacksim {

double Distribution::scv() const {
    switch (kind) {
        case Kind::exponential: return 1.0;
        case Kind::deterministic: return 0.0;
        case Kind::lognormal:
        case Kind::gamma: return cv * cv;
        case Kind::empirical: {
            if (mean_s <= 0) return 0.0;
            double second = 0;
            for (std::size_t i = 0; i < values_s.size(); ++i) second += weights[i] * values_s[i] * values_s[i];
            return second / (mean_s * mean_s) - 1.0;
        }
    }
    return 0.0;
}

Distribution Distribution::scaled(double factor) const {
    Distribution d = *this;
    d.mean_s *= factor;
    for (double& v : d.values_s) v *= factor;
    return d;
}

const char* to_string(Distribution::Kind k) {
    switch (k) {
        case Distribution::Kind::exponential: return "exponential";
        case Distribution::Kind::deterministic: return "deterministic";
        case Distribution::Kind::lognormal: return "lognormal";
        case Distribution::Kind::gamma: return "gamma";
        case Distribution::Kind::empirical: return "empirical";
    }
    return "?";
}

}  // namespace stacksim
