#pragma once
#include <string>
#include <vector>

// Exact Mean Value Analysis of a single-class closed product-form network (Reiser–Lavenberg).
namespace stacksim::analytic {

struct MvaStation {
    std::string name;
    double demand_s = 0;  // service demand per user cycle: visit ratio × mean service time
    int servers = 1;      // 1: queueing station; >1: load-dependent multi-server; 0: delay (infinite server)
};

struct MvaResult {
    const char* method = "exact";  // "exact", "Seidmann" or "Bard-Schweitzer" (see below)
    int iterations = 0;            // recursions: users (one step each); Bard-Schweitzer: fixed-point rounds
    double throughput = 0;        // cycles per second (X)
    double response_s = 0;        // total residence over all stations (R), excluding think time
    std::vector<double> residence_s;  // per station
    std::vector<double> queue_length; // per station (mean number present)
    std::vector<double> utilisation;  // per station, per server
};

// users >= 0, think_s >= 0. Multi-server stations use exact load-dependent MVA with
// marginal queue-length probabilities; the idle probability comes from the normalising
// constant of the complementary network (log-space convolution) instead of the unstable
// 1 - Σ subtraction (details in mva.cpp). Cost O(users · Σc · (1 + multi-server stations)).
// users = 0 reports zero throughput and the bare demands as residence times.
MvaResult mva_exact(const std::vector<MvaStation>& stations, int users, double think_s);

// Above a few tens of millions of recursion steps mva_exact is too slow (its multi-server
// marginals cost O(users · Σc) each), so large populations use one of two approximations,
// whose errors against mva_exact are measured in docs/analytic-model.md and bounded by
// tests/model/analytic/test_mva.cpp:
//
// mva_seidmann: Seidmann's multi-server approximation (Seidmann, Schweitzer & Shalev-Oren
// 1987: a c-server station of demand D becomes a single server of demand D/c plus a delay of
// D·(c-1)/c), then the exact single-server recursion: O(users · stations).
MvaResult mva_seidmann(const std::vector<MvaStation>& stations, int users, double think_s);

// mva_approximate: Bard–Schweitzer (Q_k(N-1) ≈ Q_k(N)·(N-1)/N: one fixed point in the queue
// lengths, O(stations) per round, rounds independent of users) on Seidmann's network.
MvaResult mva_approximate(const std::vector<MvaStation>& stations, int users, double think_s);

// Recursion steps of mva_exact: users × (stations + Σ c of multi-server stations × (1 + their
// number)); of mva_seidmann: users × (stations + multi-server stations).
double mva_exact_cost(const std::vector<MvaStation>& stations, int users);
double mva_seidmann_cost(const std::vector<MvaStation>& stations, int users);
constexpr double kMvaExactMaxCost = 2e7;
constexpr double kMvaSeidmannMaxCost = 5e7;

// mva_exact while its cost is at most kMvaExactMaxCost, else mva_seidmann while its cost is
// at most kMvaSeidmannMaxCost, else mva_approximate.
MvaResult mva_solve(const std::vector<MvaStation>& stations, int users, double think_s);

}  // namespace stacksim::analytic
