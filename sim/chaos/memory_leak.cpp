#include "sim/chaos/memory_leak.hpp"

#include <limits>

namespace stacksim::sim {

MemoryLeak::MemoryLeak(Kernel& kernel, Runtime& runtime, Recorder& recorder, Instance& inst, Spec spec,
                       std::function<void(int)> on_kill)
    : kernel_(kernel), runtime_(runtime), rec_(recorder), inst_(inst), spec_(spec), on_kill_(std::move(on_kill)) {}

void MemoryLeak::start() {
    since_s_ = Kernel::now();
    inst_.leak = this;
    Runtime::refresh_faulty(inst_);
    schedule_oom();
}

void MemoryLeak::stop() {
    stopped_ = true;
    ++life_;
    inst_.leak = nullptr;
    Runtime::refresh_faulty(inst_);
}

double MemoryLeak::leaked_now() const { return leaked_bytes_ + spec_.rate_bytes_per_s * (Kernel::now() - since_s_); }

void MemoryLeak::request() {
    if (stopped_ || dead_ || spec_.bytes_per_request <= 0) return;
    leaked_bytes_ += spec_.bytes_per_request;
    if (leaked_now() >= spec_.limit_bytes) oom_kill();
}

// With a leak rate, the limit is reached at a known date (requests only bring it earlier).
void MemoryLeak::schedule_oom() {
    if (spec_.rate_bytes_per_s <= 0) return;
    const double left = std::max(0.0, spec_.limit_bytes - leaked_now());
    kernel_.after(left / spec_.rate_bytes_per_s, [this, life = life_] {
        if (life != life_ || stopped_ || dead_) return;
        if (leaked_now() >= spec_.limit_bytes * (1 - 1e-9)) oom_kill();
        else schedule_oom();
    });
}

void MemoryLeak::oom_kill() {
    ++life_;
    dead_ = true;
    rec_.control_event(Kernel::now(), "oom_killed", inst_.service->name, inst_.index,
                       {{"leaked_bytes", leaked_now()}, {"memory_limit_bytes", spec_.limit_bytes}, {"restart_s", spec_.restart_s}});
    on_kill_(runtime_.crash_instance(inst_));  // the process dies: RST to its callers
    kernel_.after(spec_.restart_s, [this] {
        runtime_.restore_instance(inst_);
        rec_.control_event(Kernel::now(), "oom_restarted", inst_.service->name, inst_.index);
        dead_ = false;
        leaked_bytes_ = 0;  // a fresh process
        since_s_ = Kernel::now();
        if (!stopped_) schedule_oom();
    });
}

}  // namespace stacksim::sim
