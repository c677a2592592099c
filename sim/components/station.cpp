#include "sim/components/station.hpp"

namespace stacksim::sim {

double Station::busy_server_seconds() const { return busy_accum_ + busy_ * (Kernel::now() - busy_since_); }

bool Station::submit(double service_s, Done done) {
    if (capacity_ > 0 && in_system() >= capacity_) return false;
    if (busy_ < servers_) start({service_s, std::move(done)});
    else waiting_.push_back({service_s, std::move(done)});
    return true;
}

void Station::start(Job job) {
    const double now = Kernel::now();
    busy_accum_ += busy_ * (now - busy_since_);
    busy_since_ = now;
    ++busy_;
    kernel_.after(job.service_s, [this, done = std::move(job.done)]() mutable {
        finish();
        done();
    });
}

void Station::finish() {
    const double now = Kernel::now();
    busy_accum_ += busy_ * (now - busy_since_);
    busy_since_ = now;
    --busy_;
    if (!waiting_.empty()) {
        Job next = std::move(waiting_.front());
        waiting_.pop_front();
        start(std::move(next));
    }
}

}  // namespace stacksim::sim
