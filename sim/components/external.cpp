// External dependencies (a payment API): a latency distribution, an optional concurrency
// limit (a FIFO of that many slots) and an error rate.
#include "sim/engine/runtime_state.hpp"

#include <algorithm>

namespace stacksim::sim {

void Runtime::call_external(Instance& dependency, Done done) {
    const ExternalSpec& x = *dependency.service->external;
    std::uniform_real_distribution<double> u(0, 1);
    double extra_s = 0;
    if (dependency.faulty) [[unlikely]] {  // chaos: dependency_errors / dependency_hang / a crash
        if (dependency.host_down > 0) {  // its host is gone: no RST, the connect times out
            connect_failed(std::move(done));
            return;
        }
        if (dependency.down || (dependency.error_rate > 0 && u(rng_) < dependency.error_rate)) {
            done(false, dependency.down ? ErrorKind::instance_down : ErrorKind::dependency);
            return;
        }
        if (dependency.hang_fraction > 0 && u(rng_) < dependency.hang_fraction)
            extra_s = dependency.hang_s > 0 ? dependency.hang_s : std::max(0.0, dependency.hang_until_s - Kernel::now());
    }
    const bool fail = x.error_rate > 0 && u(rng_) < x.error_rate;
    auto reply = [done = std::move(done), fail]() { done(!fail, fail ? ErrorKind::dependency : ErrorKind::none); };
    const double latency = sample(x.latency) + extra_s;
    if (dependency.station) dependency.station->submit(latency, std::move(reply));
    else kernel_.after(latency, std::move(reply));
}

}  // namespace stacksim::sim
