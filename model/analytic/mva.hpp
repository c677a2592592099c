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

}  // namespace stacksim::analytic
