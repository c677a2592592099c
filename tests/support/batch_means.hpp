#pragma once
// Batch means over a run's per-interval series: the estimate every simulator-vs-theory test
// compares against an exact value, with a 99.9 % confidence interval (Student's t).
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <boost/math/distributions/students_t.hpp>
#include <nlohmann/json.hpp>

namespace stacksim::test_support {

struct Estimate {
    double mean, half_width;
};

// The intervals after `warmup_s` of `series` (or of `series[key]` for a keyed series).
inline Estimate batch_means(const nlohmann::json& doc, const std::string& series, double warmup_s, const std::string& key = "") {
    std::vector<double> xs;
    const auto& t = doc["series"]["t_s"];
    const nlohmann::json& values = key.empty() ? doc["series"][series] : doc["series"][series][key];
    for (std::size_t i = 0; i < t.size(); ++i)
        if (t[i].get<double>() > warmup_s) xs.push_back(values[i].get<double>());
    const double n = static_cast<double>(xs.size());
    double sum = 0, sq = 0;
    for (double x : xs) sum += x, sq += x * x;
    const double mean = sum / n, var = (sq - n * mean * mean) / (n - 1);
    const double t999 = boost::math::quantile(boost::math::students_t(n - 1), 0.9995);
    return {mean, t999 * std::sqrt(std::max(var, 0.0) / n)};
}

}  // namespace stacksim::test_support
