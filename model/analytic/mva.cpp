#include "model/analytic/mva.hpp"
#include "model/analytic/mva_detail.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>

// Multi-server stations and why the textbook recursion is not used as is
// ----------------------------------------------------------------------
// Load-dependent MVA (Reiser–Lavenberg, in Bolch et al.'s multi-server form) needs, for a
// c-server station k, the marginals p_k(j | n) for j < c - 1:
//   R_k(n)   = D_k/c · [1 + Q_k(n-1) + Σ_{j=0}^{c-2} (c-1-j)·p_k(j | n-1)]
//   p_k(j|n) = X(n)·D_k/j · p_k(j-1 | n-1)                     (j >= 1)
//   p_k(0|n) = 1 - [X(n)·D_k + Σ_{j=1}^{c-1} (c-j)·p_k(j|n)] / c   ← the unstable step
// Near saturation p_k(0|n) is a tiny difference of O(1) numbers, and the forward recursion
// multiplies its rounding error by up to c^c/c! ≈ e^c: garbage for c of a few dozen.
//
// We keep the two stable (all-positive) formulas and take the idle probability from the
// product form instead: p_k(0|n) = G_{-k}(n) / G(n), where G_{-k} is the normalising
// constant of the network without station k and G(n) = Π_{i<=n} 1/X(i) (G(0) = 1) comes
// from the MVA recursion itself. G_{-k} is built by convolution in log space (no overflow
// for tens of thousands of users). Everything stays exact — no clamping, no approximation.
//
// Stations with servers >= users can never queue, so they are delay stations exactly.
// Cost: O(users · (stations + Σ c)) for the recursion plus O(users · Σ c) per multi-server
// station for its complement; negligible for "a few stations" even at 20000 users.
namespace stacksim::analytic {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

enum class Kind { Delay, Queue, Multi };

struct Prepared {
    Kind kind;
    double demand;
    int servers;
};

// log(e^a + e^b) without overflow; -inf is the log of an empty sum.
double log_add(double a, double b) {
    if (a < b) std::swap(a, b);
    if (b == kNegInf) return a;
    return a + std::log1p(std::exp(b - a));
}

// log G(n), n = 0..users-1, of the network without station `skip` (think time included).
std::vector<double> log_complement_constants(const std::vector<Prepared>& st, std::size_t skip, int users,
                                             double think_s) {
    // All infinite-server parts (think time, delay stations) merge into one Poisson factor.
    double delay = think_s;
    for (std::size_t k = 0; k < st.size(); ++k)
        if (k != skip && st[k].kind == Kind::Delay) delay += st[k].demand;
    const int n_max = users - 1;
    std::vector<double> g(static_cast<std::size_t>(n_max) + 1, kNegInf);
    g[0] = 0;
    if (delay > 0)
        for (int n = 1; n <= n_max; ++n) g[static_cast<std::size_t>(n)] = n * std::log(delay) - std::lgamma(n + 1.0);

    std::vector<double> next(g.size());
    for (std::size_t k = 0; k < st.size(); ++k) {
        if (k == skip || st[k].kind == Kind::Delay) continue;
        const double log_d = std::log(st[k].demand);
        if (st[k].kind == Kind::Queue) {
            // F(j) = D^j: G'(n) = G(n) + D·G'(n-1).
            for (std::size_t n = 1; n < g.size(); ++n) g[n] = log_add(g[n], log_d + g[n - 1]);
            continue;
        }
        // Multi-server, F(j) = D^j/j! up to c then a factor D/c per extra customer: the
        // first c terms of the convolution explicitly, the geometric remainder
        // T(n) = Σ_{j>=c} F(j)·G(n-j) by T(n) = (D/c)·T(n-1) + F(c)·G(n-c).
        const int c = st[k].servers;
        const double log_d_over_c = log_d - std::log(static_cast<double>(c));
        std::vector<double> log_f(static_cast<std::size_t>(c) + 1);
        for (int j = 0; j <= c; ++j) log_f[static_cast<std::size_t>(j)] = j * log_d - std::lgamma(j + 1.0);
        double tail = kNegInf;
        for (int n = 0; n <= n_max; ++n) {
            const auto un = static_cast<std::size_t>(n);
            if (n >= c) tail = log_add(log_d_over_c + tail, log_f.back() + g[un - log_f.size() + 1]);
            const std::size_t j_max = std::min(un, log_f.size() - 2);
            double peak = tail;
            for (std::size_t j = 0; j <= j_max; ++j) peak = std::max(peak, log_f[j] + g[un - j]);
            if (peak == kNegInf) {
                next[un] = kNegInf;
                continue;
            }
            double sum = std::exp(tail - peak);
            for (std::size_t j = 0; j <= j_max; ++j) sum += std::exp(log_f[j] + g[un - j] - peak);
            next[un] = peak + std::log(sum);
        }
        g.swap(next);
    }
    return g;
}

}  // namespace

namespace detail {

void check_mva_input(const std::vector<MvaStation>& stations, int users, double think_s) {
    if (users < 0) throw std::invalid_argument("users must be >= 0");
    if (!(think_s >= 0) || !std::isfinite(think_s)) throw std::invalid_argument("think time must be finite and >= 0");
    for (const auto& s : stations) {
        if (!(s.demand_s >= 0) || !std::isfinite(s.demand_s))
            throw std::invalid_argument("station '" + s.name + "': demand must be finite and >= 0");
        if (s.servers < 0) throw std::invalid_argument("station '" + s.name + "': servers must be >= 0");
    }
}

MvaResult zero_load_result(const std::vector<MvaStation>& stations, double total_demand_s) {
    MvaResult out;
    out.residence_s.reserve(stations.size());
    for (const auto& s : stations) out.residence_s.push_back(s.demand_s);
    out.queue_length.assign(stations.size(), 0.0);
    out.utilisation.assign(stations.size(), 0.0);
    out.response_s = total_demand_s;
    return out;
}

}  // namespace detail

MvaResult mva_exact(const std::vector<MvaStation>& stations, int users, double think_s) {
    detail::check_mva_input(stations, users, think_s);

    std::vector<Prepared> st;
    st.reserve(stations.size());
    double total_demand = 0;
    for (const auto& s : stations) {
        Kind kind = Kind::Queue;
        if (s.servers == 0 || s.servers >= users || s.demand_s == 0) kind = Kind::Delay;
        else if (s.servers > 1) kind = Kind::Multi;
        st.push_back({kind, s.demand_s, s.servers});
        total_demand += s.demand_s;
    }

    const std::size_t m = st.size();
    // No users: nothing flows; report the zero-load residence (the demand) as the latency.
    MvaResult out = detail::zero_load_result(stations, total_demand);
    if (users == 0) return out;
    if (total_demand + think_s == 0) throw std::invalid_argument("closed network needs some demand or think time");

    // Per multi-server station: log G_{-k}(n) and the marginals p(j | n-1), j = 0..c-2.
    std::vector<std::vector<double>> log_g_without(m), marginal(m);
    for (std::size_t k = 0; k < m; ++k) {
        if (st[k].kind != Kind::Multi) continue;
        log_g_without[k] = log_complement_constants(st, k, users, think_s);
        marginal[k].assign(static_cast<std::size_t>(st[k].servers - 1), 0.0);
        marginal[k][0] = 1;  // empty network: the station is idle
    }

    std::vector<double>& r = out.residence_s;
    std::vector<double>& q = out.queue_length;
    double log_g = 0;  // log G(n) of the whole network
    double x = 0;
    for (int n = 1; n <= users; ++n) {
        double total = think_s;
        for (std::size_t k = 0; k < m; ++k) {
            const Prepared& s = st[k];
            switch (s.kind) {
                case Kind::Delay: r[k] = s.demand; break;
                case Kind::Queue: r[k] = s.demand * (1 + q[k]); break;  // arrival theorem
                case Kind::Multi: {
                    // Customers beyond c-1 ahead queue; idle servers (c-1-j of them when j are
                    // busy) shorten the expected wait.
                    const int c = s.servers;
                    double idle_credit = 0;
                    for (int j = 0; j <= c - 2; ++j) idle_credit += (c - 1 - j) * marginal[k][static_cast<std::size_t>(j)];
                    r[k] = s.demand / c * (1 + q[k] + idle_credit);
                    break;
                }
            }
            total += r[k];
        }
        x = n / total;
        log_g -= std::log(x);
        for (std::size_t k = 0; k < m; ++k) {
            q[k] = x * r[k];
            if (st[k].kind != Kind::Multi || n == users) continue;  // p(· | users) is never used
            auto& p = marginal[k];
            for (std::size_t j = p.size() - 1; j >= 1; --j) p[j] = x * st[k].demand / static_cast<double>(j) * p[j - 1];
            p[0] = std::exp(log_g_without[k][static_cast<std::size_t>(n)] - log_g);
        }
    }

    out.throughput = x;
    out.iterations = users;
    out.response_s = 0;
    for (std::size_t k = 0; k < m; ++k) {
        out.response_s += r[k];
        // Infinite-server stations have no per-server utilisation (X·D is their queue_length).
        out.utilisation[k] = st[k].servers > 0 ? x * st[k].demand / st[k].servers : 0;
    }
    return out;
}

}  // namespace stacksim::analytic
