// External dependencies (a payment API): a latency distribution, an optional concurrency
// limit (a FIFO of that many slots) and an error rate.
#include "sim/engine/runtime_state.hpp"

namespace stacksim::sim {

void Runtime::call_external(Instance& dependency, Done done) {
    const ExternalSpec& x = *dependency.service->external;
    const bool fail = x.error_rate > 0 && std::uniform_real_distribution<double>(0, 1)(rng_) < x.error_rate;
    auto reply = [done = std::move(done), fail]() { done(!fail, fail ? ErrorKind::dependency : ErrorKind::none); };
    const double latency = sample(x.latency);
    if (dependency.station) dependency.station->submit(latency, std::move(reply));
    else kernel_.after(latency, std::move(reply));
}

}  // namespace stacksim::sim
