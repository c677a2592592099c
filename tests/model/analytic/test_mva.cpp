#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <limits>
#include <stdexcept>
#include <vector>

#include "model/analytic/mva.hpp"
#include "model/analytic/queueing.hpp"

using namespace stacksim::analytic;

namespace {

MvaStation queue(double d) { return {"q", d, 1}; }
MvaStation delay(double d) { return {"delay", d, 0}; }
MvaStation multi(double d, int c) { return {"multi", d, c}; }

// Independent reference: enumerate every population vector of the product-form network
// (think time as an extra infinite-server station) and average directly.
struct Enumerated {
    double throughput = 0;
    std::vector<double> queue_length;
};

double log_factor(const MvaStation& s, int n) {
    const double log_d = std::log(s.demand_s);
    if (s.servers == 0) return n * log_d - std::lgamma(n + 1.0);
    const int c = s.servers;
    if (n <= c) return n * log_d - std::lgamma(n + 1.0);
    return n * log_d - std::lgamma(c + 1.0) - (n - c) * std::log(static_cast<double>(c));
}

Enumerated enumerate(const std::vector<MvaStation>& stations, int users, double think_s) {
    std::vector<MvaStation> all = stations;
    all.push_back(delay(think_s));
    const std::size_t m = all.size();
    std::vector<int> n(m, 0);
    std::vector<std::vector<double>> terms;  // {log weight, n_0, ..., n_{m-1}}
    std::function<void(std::size_t, int)> rec = [&](std::size_t k, int left) {
        if (k + 1 == m) {
            n[k] = left;
            std::vector<double> t{0};
            for (std::size_t i = 0; i < m; ++i) {
                t[0] += log_factor(all[i], n[i]);
                t.push_back(n[i]);
            }
            terms.push_back(t);
            return;
        }
        for (int j = 0; j <= left; ++j) {
            n[k] = j;
            rec(k + 1, left - j);
        }
    };
    rec(0, users);
    double peak = -std::numeric_limits<double>::infinity();
    for (const auto& t : terms) peak = std::max(peak, t[0]);
    double norm = 0;
    std::vector<double> mean(m, 0.0);
    for (const auto& t : terms) {
        const double w = std::exp(t[0] - peak);
        norm += w;
        for (std::size_t i = 0; i < m; ++i) mean[i] += w * t[i + 1];
    }
    Enumerated e;
    for (double& v : mean) v /= norm;
    e.throughput = mean.back() / think_s;  // Little at the think station
    mean.pop_back();
    e.queue_length = mean;
    return e;
}

}  // namespace

TEST(analytic_Mva, SingleServerWithThinkTimeByHand) {
    // D = 1, Z = 1. n=1: R=1, X=1/2, Q=1/2. n=2: R=1.5, X=0.8, Q=1.2. n=3: R=2.2, X=3/3.2.
    const std::vector<MvaStation> s{queue(1)};
    const MvaResult r1 = mva_exact(s, 1, 1);
    EXPECT_DOUBLE_EQ(r1.response_s, 1);
    EXPECT_DOUBLE_EQ(r1.throughput, 0.5);
    EXPECT_DOUBLE_EQ(r1.queue_length[0], 0.5);
    EXPECT_DOUBLE_EQ(r1.utilisation[0], 0.5);
    const MvaResult r2 = mva_exact(s, 2, 1);
    EXPECT_DOUBLE_EQ(r2.response_s, 1.5);
    EXPECT_DOUBLE_EQ(r2.throughput, 0.8);
    EXPECT_DOUBLE_EQ(r2.queue_length[0], 1.2);
    const MvaResult r3 = mva_exact(s, 3, 1);
    EXPECT_DOUBLE_EQ(r3.response_s, 2.2);
    EXPECT_DOUBLE_EQ(r3.throughput, 3 / 3.2);
    EXPECT_DOUBLE_EQ(r3.queue_length[0], 3 / 3.2 * 2.2);
    EXPECT_DOUBLE_EQ(r3.residence_s[0], 2.2);
}

TEST(analytic_Mva, ZeroUsers) {
    const MvaResult r = mva_exact({queue(0.5), multi(1, 4), delay(0.25)}, 0, 1);
    EXPECT_EQ(r.throughput, 0);
    EXPECT_DOUBLE_EQ(r.response_s, 1.75);  // zero-load latency: the demands
    for (double q : r.queue_length) EXPECT_EQ(q, 0);
    for (double u : r.utilisation) EXPECT_EQ(u, 0);
}

TEST(analytic_Mva, AsymptoticBounds) {
    const std::vector<MvaStation> s{queue(0.02), queue(0.05), queue(0.01)};
    const double z = 1, d = 0.08, d_max = 0.05;
    for (int n = 1; n <= 400; n += 7) {
        const MvaResult r = mva_exact(s, n, z);
        EXPECT_LE(r.throughput, 1 / d_max * (1 + 1e-12)) << n;
        EXPECT_LE(r.throughput, n / (d + z) * (1 + 1e-12)) << n;
        EXPECT_GE(r.response_s, d * (1 - 1e-12)) << n;
        EXPECT_GE(r.response_s, n * d_max - z - 1e-9) << n;
        EXPECT_NEAR(r.queue_length[0] + r.queue_length[1] + r.queue_length[2] + r.throughput * z, n, 1e-9 * n);
    }
    // Far past the knee N* = (D + Z)/Dmax = 21.6 the bottleneck saturates.
    const MvaResult big = mva_exact(s, 2000, z);
    EXPECT_NEAR(big.throughput, 1 / d_max, 1e-9);
    EXPECT_NEAR(big.utilisation[1], 1, 1e-9);
    // The other stations then see a Poisson-like flow of rate 1/Dmax: M/M/1 queue lengths.
    EXPECT_NEAR(big.queue_length[0], 0.4 / 0.6, 1e-9);
    EXPECT_NEAR(big.queue_length[2], 0.2 / 0.8, 1e-9);
}

TEST(analytic_Mva, DelayStationActsLikeExtraThinkTime) {
    for (int n : {1, 5, 40}) {
        const MvaResult with_delay = mva_exact({queue(1), delay(0.5)}, n, 1);
        const MvaResult longer_think = mva_exact({queue(1)}, n, 1.5);
        EXPECT_NEAR(with_delay.throughput, longer_think.throughput, 1e-12) << n;
        EXPECT_DOUBLE_EQ(with_delay.residence_s[1], 0.5);
        EXPECT_NEAR(with_delay.queue_length[1], 0.5 * with_delay.throughput, 1e-12);
        EXPECT_NEAR(with_delay.response_s, longer_think.response_s + 0.5, 1e-12);
    }
}

TEST(analytic_Mva, EnoughServersIsADelayStation) {
    for (int n : {1, 3, 8}) {
        const MvaResult m = mva_exact({multi(2, 8), queue(0.5)}, n, 1);
        const MvaResult d = mva_exact({delay(2), queue(0.5)}, n, 1);
        EXPECT_NEAR(m.throughput, d.throughput, 1e-12) << n;
        EXPECT_NEAR(m.residence_s[0], 2, 1e-12) << n;
        EXPECT_NEAR(m.utilisation[0], m.throughput * 2 / 8, 1e-12);
    }
}

TEST(analytic_Mva, TwoServersByHand) {
    // c = 2, D = 1, Z = 1. N = 2: both users always find a free server: X = 2/(D+Z) = 1.
    const MvaResult r2 = mva_exact({multi(1, 2)}, 2, 1);
    EXPECT_DOUBLE_EQ(r2.throughput, 1);
    EXPECT_DOUBLE_EQ(r2.response_s, 1);
    // N = 3, weights Z^(3-j)/(3-j)! · F(j) with F = 1, 1, 1/2, 1/4: 1/6, 1/2, 1/2, 1/4.
    // G = 17/12, P(j) = 2/17, 6/17, 6/17, 3/17; Q = 27/17, X = busy/D = 24/17, R = 9/8.
    const MvaResult r3 = mva_exact({multi(1, 2)}, 3, 1);
    EXPECT_NEAR(r3.throughput, 24.0 / 17, 1e-14);
    EXPECT_NEAR(r3.response_s, 9.0 / 8, 1e-14);
    EXPECT_NEAR(r3.queue_length[0], 27.0 / 17, 1e-14);
    EXPECT_NEAR(r3.utilisation[0], 12.0 / 17, 1e-14);
    // Z = 0, single station: all N users sit at it, X = c/D once N >= c.
    const MvaResult closed = mva_exact({multi(1, 2)}, 5, 0);
    EXPECT_NEAR(closed.throughput, 2, 1e-14);
    EXPECT_NEAR(closed.queue_length[0], 5, 1e-12);
}

TEST(analytic_Mva, MultiServerMatchesEnumeration) {
    struct Case {
        std::vector<MvaStation> stations;
        int users;
        double think;
    };
    const std::vector<Case> cases{
        {{multi(1, 2)}, 3, 1},
        {{queue(0.3), multi(0.9, 3)}, 12, 2},
        {{queue(0.2), multi(0.5, 3), multi(10, 40)}, 80, 1},  // c = 40 saturated: e^40 error growth for the textbook p0
        {{multi(0.05, 4), multi(0.3, 7), delay(0.4)}, 30, 0.5},
    };
    for (const Case& t : cases) {
        const MvaResult r = mva_exact(t.stations, t.users, t.think);
        const Enumerated e = enumerate(t.stations, t.users, t.think);
        EXPECT_NEAR(r.throughput, e.throughput, 1e-10 * e.throughput) << t.users;
        for (std::size_t k = 0; k < t.stations.size(); ++k) {
            EXPECT_NEAR(r.queue_length[k], e.queue_length[k], 1e-9 * std::max(1.0, e.queue_length[k]))
                << t.users << " station " << k;
            EXPECT_NEAR(r.residence_s[k], e.queue_length[k] / e.throughput, 1e-9 * r.residence_s[k]);
            EXPECT_LE(r.utilisation[k], 1 + 1e-12);
            EXPECT_GE(r.queue_length[k], 0);
        }
    }
}

TEST(analytic_Mva, TwentyThousandUsersIsFastAndMatchesOpenLimits) {
    const std::vector<MvaStation> s{queue(0.004), multi(0.1, 16), multi(0.02, 4), delay(0.05)};
    const auto start = std::chrono::steady_clock::now();
    const MvaResult r = mva_exact(s, 20000, 1);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_LT(seconds, 5.0);  // ~0.1 s optimised; generous for sanitizer builds
    // Bottleneck: the 16-server station, 160/s.
    EXPECT_NEAR(r.throughput, 160, 1e-9);
    EXPECT_NEAR(r.utilisation[1], 1, 1e-12);
    // Non-bottleneck stations see a Poisson-like flow at X: open M/M/1 and M/M/4 results.
    EXPECT_NEAR(r.queue_length[0], mmc(160, 250, 1).mean_in_system, 1e-9);
    EXPECT_NEAR(r.queue_length[2], mmc(160, 50, 4).mean_in_system, 1e-9);
    EXPECT_NEAR(r.residence_s[2], mmc(160, 50, 4).mean_response_s, 1e-9);
    double population = r.throughput * 1;
    for (double q : r.queue_length) population += q;
    EXPECT_NEAR(population, 20000, 1e-6);
}

TEST(analytic_Mva, ManyUsersLongThinkIsOpenMMc) {
    // Finite source → infinite source: N = 20000 users thinking N/1.5 s offer ≈ 1.5/s to an
    // M/M/2 with μ = 1 (ρ = 0.75). The closed response time approaches the Erlang C one.
    const int n = 20000;
    const MvaResult r = mva_exact({multi(1, 2)}, n, n / 1.5);
    const StationResult open = mmc(r.throughput, 1, 2);
    EXPECT_NEAR(r.throughput, 1.5, 1e-3);
    EXPECT_NEAR(r.response_s, open.mean_response_s, 2e-3 * open.mean_response_s);
    EXPECT_NEAR(r.response_s, 2.2857, 1e-2);
}

TEST(analytic_Mva, RejectsNonsense) {
    EXPECT_THROW(mva_exact({queue(1)}, -1, 1), std::invalid_argument);
    EXPECT_THROW(mva_exact({queue(-1)}, 3, 1), std::invalid_argument);
    EXPECT_THROW(mva_exact({queue(std::nan(""))}, 3, 1), std::invalid_argument);
    EXPECT_THROW(mva_exact({queue(1)}, 3, -1), std::invalid_argument);
    EXPECT_THROW(mva_exact({multi(1, -2)}, 3, 1), std::invalid_argument);
    EXPECT_THROW(mva_exact({queue(0)}, 3, 0), std::invalid_argument);
}

// --- large populations (docs/analytic-model.md, "Closed workloads") ------------------------

namespace {
struct Gap {
    double throughput = 0, response = 0;  // worst relative errors against mva_exact
};
Gap worst_gap(const std::vector<MvaStation>& st, double think_s, int from, int to, int step,
              MvaResult (*approx)(const std::vector<MvaStation>&, int, double)) {
    Gap g;
    for (int n = from; n <= to; n += step) {
        const MvaResult e = mva_exact(st, n, think_s), a = approx(st, n, think_s);
        g.throughput = std::max(g.throughput, std::abs(a.throughput - e.throughput) / e.throughput);
        g.response = std::max(g.response, std::abs(a.response_s - e.response_s) / e.response_s);
    }
    return g;
}
// A node-service-like network: 64 event loops, 16 query slots, a single broker, a delay;
// its knee is at about 5,000 users.
const std::vector<MvaStation> kLargeNetwork{multi(64e-4, 64), multi(8e-4, 16), queue(0.5e-4), delay(0.01)};
}  // namespace

TEST(Mva, SeidmannIsWithinItsDocumentedError) {
    // Documented: throughput within 1.5 %, response time within 10 % (worst near the knee).
    const Gap small = worst_gap({multi(0.16, 16), queue(0.008), delay(0.05)}, 2.0, 1, 1500, 7, mva_seidmann);
    EXPECT_LT(small.throughput, 0.015);
    EXPECT_LT(small.response, 0.10);
    const Gap large = worst_gap(kLargeNetwork, 0.5, 2000, 20000, 1500, mva_seidmann);
    EXPECT_LT(large.throughput, 0.015);
    EXPECT_LT(large.response, 0.10);
    // It is not exact: a test that cannot fail would prove nothing.
    EXPECT_GT(small.response, 1e-4);
}

TEST(Mva, BardSchweitzerIsWithinItsDocumentedError) {
    // Documented: throughput within 3 %, response time within 30 % (worst at the knee; the
    // Seidmann recursion is used up to kMvaSeidmannMaxCost, far beyond every shipped stack).
    const Gap small = worst_gap({queue(0.010), queue(0.005), queue(0.002), delay(0.01)}, 1.0, 1, 1000, 9, mva_approximate);
    EXPECT_LT(small.throughput, 0.03);
    EXPECT_LT(small.response, 0.30);
    const Gap large = worst_gap(kLargeNetwork, 0.5, 2000, 20000, 1500, mva_approximate);
    EXPECT_LT(large.throughput, 0.03);
    EXPECT_LT(large.response, 0.30);
}

TEST(Mva, LargePopulationsScaleByConstruction) {
    // Bard–Schweitzer's rounds do not grow with the population; Seidmann's recursion is one
    // step per user over stations + multi-server stations; mva_solve picks by cost.
    const auto a = mva_approximate(kLargeNetwork, 1000, 0.5), b = mva_approximate(kLargeNetwork, 1000000, 0.5);
    EXPECT_LT(a.iterations, 2000);
    EXPECT_LT(b.iterations, 2000);
    EXPECT_EQ(mva_seidmann_cost(kLargeNetwork, 1000000), 1e6 * (4 + 2));
    EXPECT_EQ(mva_exact_cost(kLargeNetwork, 1000000), 1e6 * (4 + (64 + 16) * 3));
    EXPECT_STREQ(mva_solve(kLargeNetwork, 1000, 0.5).method, "exact");
    EXPECT_STREQ(mva_solve(kLargeNetwork, 1000000, 0.5).method, "Seidmann");
    EXPECT_STREQ(mva_solve(kLargeNetwork, 100000000, 0.5).method, "Bard-Schweitzer");
    // Deep in saturation both agree with the bottleneck bound X = c/D of the event loops.
    EXPECT_NEAR(b.throughput, 64 / 64e-4, 1e-6 * 64 / 64e-4);
    EXPECT_NEAR(mva_seidmann(kLargeNetwork, 1000000, 0.5).throughput, 64 / 64e-4, 1e-6 * 64 / 64e-4);
}
