#pragma once

// Approximate response-time quantiles from the first two moments.
namespace stacksim::analytic {

// Quantile q (0<q<1) of a gamma distribution with the given mean and variance.
// variance == 0 returns the mean; exact for the exponential (M/M/1 sojourn time) case.
// Never throws for valid arguments: a nearly deterministic time (shape mean²/var above
// 10⁴, where a gamma is normal to within 10⁻⁴ of its spread) uses the Wilson–Hilferty
// cube-root normal approximation instead of the incomplete-gamma inversion, whose series
// gives up on huge shapes.
double gamma_quantile(double mean, double variance, double q);

// CDF at x of the gamma distribution with this mean and variance (a step at the mean when
// variance == 0); the same large-shape rule as gamma_quantile.
double gamma_cdf(double mean, double variance, double x);

// Second moment of the waiting time of an M/M/c queue: mixture of 0 (prob 1-C) and
// Exp(cμ-λ) (prob C): E[Wq²] = 2C / (cμ-λ)².
double mmc_wait_second_moment(double p_wait, double wait_tail_rate);

}  // namespace stacksim::analytic
