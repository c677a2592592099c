#pragma once
#include <cstdint>
#include <functional>

#include "sim/engine/kernel.hpp"
#include "sim/engine/runtime.hpp"
#include "sim/metrics/recorder.hpp"

// A memory leak on one instance (a soak-test finding): it grows by `rate` bytes per second
// and `per_request` bytes per request accepted; when the leaked bytes reach the limit the
// OOM killer kills the process (a crash: in-flight requests fail, callers get RST), which
// restarts after `restart_s` with its memory back to normal, and the leak starts over.
namespace stacksim::sim {

struct MemoryLeak {
    struct Spec {
        double rate_bytes_per_s = 0, bytes_per_request = 0;
        double limit_bytes = 0;  // the leaked bytes at which the OOM killer fires
        double restart_s = 5;
    };
    // on_kill(requests lost) is told of each OOM kill.
    MemoryLeak(Kernel& kernel, Runtime& runtime, Recorder& recorder, Instance& inst, Spec spec,
               std::function<void(int lost)> on_kill);
    void start();
    void stop();      // the fault is over (the leak is fixed); a pending restart still happens
    void request();   // the runtime tells of each request the instance accepts

private:
    [[nodiscard]] double leaked_now() const;
    void schedule_oom();
    void oom_kill();

    Kernel& kernel_;
    Runtime& runtime_;
    Recorder& rec_;
    Instance& inst_;
    Spec spec_;
    std::function<void(int)> on_kill_;
    double leaked_bytes_ = 0, since_s_ = 0;  // leaked up to since_s_, growing at the rate after it
    std::uint64_t life_ = 0;                 // OOM timers of an earlier process life ignore themselves
    bool stopped_ = false, dead_ = false;
};

}  // namespace stacksim::sim
