// External dependencies (a payment API): a latency distribution, an optional concurrency
// limit (a FIFO of that many slots) and an error rate.
#include "sim/engine/runtime_state.hpp"

#include <algorithm>

namespace stacksim::sim {

void Runtime::call_external(Instance& dependency, Request* req, Done done) {
    const ExternalSpec& x = *dependency.service->external;
    double extra_s = 0;
    if (dependency.faulty) [[unlikely]] {  // chaos: dependency_errors / dependency_hang / a crash
        if (dependency.host_down > 0 || dependency.down) {
            if (req) req->fault_origin = &dependency;
            if (dependency.host_down > 0) connect_failed(std::move(done));  // its host is gone: no RST, the connect times out
            else done(false, ErrorKind::instance_down);
            return;
        }
        const Injected hit = inject(dependency, req);
        if (hit.error) {
            done(false, ErrorKind::dependency);
            return;
        }
        extra_s = hit.hang_s;
    }
    const bool fail = x.error_rate > 0 && uniform01(rng_) < x.error_rate;
    auto reply = [done = std::move(done), fail]() { done(!fail, fail ? ErrorKind::dependency : ErrorKind::none); };
    const double latency = sample(x.latency) + extra_s;
    if (dependency.station) dependency.station->submit(latency, std::move(reply));
    else kernel_.after(latency, std::move(reply));
}

}  // namespace stacksim::sim
