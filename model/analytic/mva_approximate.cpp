// MVA for large populations: Seidmann's multi-server approximation (Seidmann, Schweitzer &
// Shalev-Oren 1987) under the exact recursion, or under Bard–Schweitzer (Bard 1979,
// Schweitzer 1979) whose cost does not grow with the population. See mva.hpp.
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "model/analytic/mva.hpp"
#include "model/analytic/mva_detail.hpp"

namespace stacksim::analytic {

double mva_exact_cost(const std::vector<MvaStation>& stations, int users) {
    double multi_servers = 0, multi = 0;
    for (const auto& s : stations)
        if (s.servers > 1 && s.servers < users && s.demand_s > 0) multi_servers += s.servers, ++multi;
    return static_cast<double>(users) * (static_cast<double>(stations.size()) + multi_servers * (1 + multi));
}

double mva_seidmann_cost(const std::vector<MvaStation>& stations, int users) {
    double multi = 0;
    for (const auto& s : stations) multi += s.servers > 1 && s.servers < users;
    return static_cast<double>(users) * (static_cast<double>(stations.size()) + multi);
}

MvaResult mva_solve(const std::vector<MvaStation>& stations, int users, double think_s) {
    if (mva_exact_cost(stations, users) <= kMvaExactMaxCost) return mva_exact(stations, users, think_s);
    if (mva_seidmann_cost(stations, users) <= kMvaSeidmannMaxCost) return mva_seidmann(stations, users, think_s);
    return mva_approximate(stations, users, think_s);
}

MvaResult mva_seidmann(const std::vector<MvaStation>& stations, int users, double think_s) {
    // Split every multi-server station into its queueing part and its delay part, solve
    // exactly (single servers and delays only), and fold the parts back together.
    std::vector<MvaStation> split;
    std::vector<std::size_t> owner;
    for (std::size_t k = 0; k < stations.size(); ++k) {
        const auto& s = stations[k];
        if (s.servers > 1 && s.servers < users && s.demand_s > 0) {
            split.push_back({s.name, s.demand_s / s.servers, 1});
            split.push_back({s.name, s.demand_s - s.demand_s / s.servers, 0});
            owner.push_back(k);
            owner.push_back(k);
        } else {
            split.push_back(s);
            owner.push_back(k);
        }
    }
    const MvaResult parts = mva_exact(split, users, think_s);
    MvaResult out;
    out.method = "Seidmann";
    out.iterations = parts.iterations;
    out.throughput = parts.throughput;
    out.response_s = parts.response_s;
    out.residence_s.assign(stations.size(), 0.0);
    out.queue_length.assign(stations.size(), 0.0);
    out.utilisation.assign(stations.size(), 0.0);
    for (std::size_t i = 0; i < split.size(); ++i) {
        out.residence_s[owner[i]] += parts.residence_s[i];
        out.queue_length[owner[i]] += parts.queue_length[i];
    }
    for (std::size_t k = 0; k < stations.size(); ++k)
        out.utilisation[k] = stations[k].servers > 0 ? out.throughput * stations[k].demand_s / stations[k].servers : 0;
    return out;
}

MvaResult mva_approximate(const std::vector<MvaStation>& stations, int users, double think_s) {
    detail::check_mva_input(stations, users, think_s);
    const std::size_t m = stations.size();
    // Seidmann: the queueing part (demand D/c, queues) and the delay part (D·(c-1)/c) of each station.
    std::vector<double> queueing(m, 0.0), delay(m, 0.0);
    double total_demand = 0;
    for (std::size_t k = 0; k < m; ++k) {
        const auto& s = stations[k];
        total_demand += s.demand_s;
        if (s.servers == 0 || s.servers >= users) delay[k] = s.demand_s;  // never queues
        else {
            queueing[k] = s.demand_s / s.servers;
            delay[k] = s.demand_s - queueing[k];
        }
    }
    MvaResult out = detail::zero_load_result(stations, total_demand);
    out.method = "Bard-Schweitzer";
    if (users == 0) return out;
    if (total_demand + think_s == 0) throw std::invalid_argument("closed network needs some demand or think time");

    const double n = users, shrink = (n - 1) / n;
    std::vector<double> q(m, 0.0);  // queue length of each station's queueing part
    std::size_t queues = 0;
    for (std::size_t k = 0; k < m; ++k) queues += queueing[k] > 0;
    for (std::size_t k = 0; k < m; ++k)
        if (queueing[k] > 0) q[k] = n / static_cast<double>(queues + 1);
    double x = 0;
    std::vector<double>& r = out.residence_s;
    // The map Q -> X·R(Q·(N-1)/N) is monotone; iterating it converges (Schweitzer). Near a
    // sharp knee it can oscillate, so successive rounds are averaged once the change stalls.
    for (int round = 1; round <= 100000; ++round) {
        double total = think_s;
        for (std::size_t k = 0; k < m; ++k) {
            r[k] = delay[k] + queueing[k] * (1 + shrink * q[k]);
            total += r[k];
        }
        x = n / total;
        double change = 0;
        for (std::size_t k = 0; k < m; ++k) {
            if (queueing[k] <= 0) continue;
            const double next = x * queueing[k] * (1 + shrink * q[k]);
            const double mixed = round > 50 ? 0.5 * (next + q[k]) : next;
            change = std::max(change, std::abs(mixed - q[k]) / std::max(1.0, q[k]));
            q[k] = mixed;
        }
        out.iterations = round;
        if (change < 1e-12) break;
    }
    out.throughput = x;
    out.response_s = 0;
    for (std::size_t k = 0; k < m; ++k) {
        out.response_s += r[k];
        out.queue_length[k] = x * r[k];
        out.utilisation[k] = stations[k].servers > 0 ? x * stations[k].demand_s / stations[k].servers : 0;
    }
    return out;
}

}  // namespace stacksim::analytic
