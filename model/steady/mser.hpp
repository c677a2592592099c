#pragma once
#include <cstddef>
#include <optional>
#include <vector>

// Where does the initial transient end? MSER-5 (White 1997; Franklin & White 2008): batch the
// series by 5, and truncate the d batches that minimise the squared standard error of the mean
// of what remains, sum((z_j - mean_d)^2) / (k - d)^2, over d in the first half. A minimum
// at the half-way limit means the series had not settled in the first half of the run.
namespace stacksim::steady {

inline constexpr std::size_t kMserBatch = 5;
inline constexpr std::size_t kMserMinBatches = 4;  // fewer: not judged

struct Truncation {
    bool judged = false;
    bool settled = false;        // the minimum lies before the half-way limit
    std::size_t intervals = 0;   // leading samples of the input to drop (5 kept samples per batch)
    double steady_mean = 0;      // mean of the batch means after the truncation
    double steady_ci95 = 0;      // its 95 % half-width (batch means of 5)
};

// Non-finite samples (an interval with nothing to measure) are skipped.
Truncation mser5(const std::vector<double>& y);

}  // namespace stacksim::steady
