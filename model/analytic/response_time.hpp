#pragma once

// Approximate response-time quantiles from the first two moments.
namespace stacksim::analytic {

// Quantile q (0<q<1) of a gamma distribution with the given mean and variance.
// variance == 0 returns the mean; exact for the exponential (M/M/1 sojourn time) case.
double gamma_quantile(double mean, double variance, double q);

// Second moment of the waiting time of an M/M/c queue: mixture of 0 (prob 1-C) and
// Exp(cμ-λ) (prob C): E[Wq²] = 2C / (cμ-λ)².
double mmc_wait_second_moment(double p_wait, double wait_tail_rate);

}  // namespace stacksim::analytic
