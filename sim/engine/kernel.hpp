#pragma once
#include <simgrid/kernel/Timer.hpp>
#include <simgrid/s4u/Engine.hpp>

#include <algorithm>
#include <cstdint>
#include <utility>

#include "sim/random/sampler.hpp"

// The event core shared by every component. Everything that is not CPU work (network hops,
// cache/database/broker service, arrivals, metric ticks) is a SimGrid kernel timer: a
// callback at a date, run by the maestro without an actor context switch. CPU work runs in
// worker actors (see node_service), so SimGrid shares a host's cores between its workers.
namespace stacksim::sim {

class Kernel {
public:
    Kernel(std::uint64_t seed, double end_s) : seed_(seed), end_s_(end_s) {}

    static double now() { return simgrid::s4u::Engine::get_clock(); }
    [[nodiscard]] double end() const { return end_s_; }

    // Runs f at now + delay_s (nothing is scheduled past the end of the run).
    template <class F>
    void after(double delay_s, F&& f) {
        const double when = now() + (delay_s > 0 ? delay_s : 0);
        if (when > end_s_) return;
        ++events_;
        simgrid::kernel::timer::Timer::set(when, std::forward<F>(f));
    }
    // Runs f at the absolute time `when` (clamped to the end of the run when it overshoots it
    // by rounding only): for periodic ticks that must not drift.
    template <class F>
    void at(double when, F&& f) {
        if (when > end_s_ * (1 + 1e-12) + 1e-12) return;
        ++events_;
        simgrid::kernel::timer::Timer::set(std::min(when, end_s_), std::forward<F>(f));
    }
    void count_event() { ++events_; }
    [[nodiscard]] std::uint64_t events() const { return events_; }

    // An independent random stream per component (stable across unrelated model changes).
    [[nodiscard]] Rng stream(std::uint64_t id) const { return Rng(stream_seed(seed_, id)); }

private:
    std::uint64_t seed_;
    double end_s_;
    std::uint64_t events_ = 0;
};

}  // namespace stacksim::sim
