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
    const char* method = "exact";  // "exact" or "approximate (Bard-Schweitzer, Seidmann)"
    int iterations = 0;            // exact: users (one recursion step each); approximate: fixed-point rounds
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

// Approximate MVA whose cost does not grow with the number of users: Bard–Schweitzer
// (Q_k(N-1) ≈ Q_k(N)·(N-1)/N, one fixed point in the per-station queue lengths, O(stations)
// per round) with Seidmann's multi-server approximation (a c-server station of demand D is a
// single server of demand D/c plus a delay of D·(c-1)/c). Its error against mva_exact is
// documented in docs/analytic-model.md and checked by tests/model/analytic/test_mva.cpp.
MvaResult mva_approximate(const std::vector<MvaStation>& stations, int users, double think_s);

// Work of mva_exact in recursion steps (users × (stations + Σ c of multi-server stations ×
// (1 + their number))); mva_solve uses it to choose.
double mva_exact_cost(const std::vector<MvaStation>& stations, int users);
constexpr double kMvaExactMaxCost = 2e7;

// mva_exact while its cost is at most kMvaExactMaxCost, mva_approximate beyond.
MvaResult mva_solve(const std::vector<MvaStation>& stations, int users, double think_s);

}  // namespace stacksim::analytic
