#include "sim/components/station.hpp"

namespace stacksim::sim {

double Station::busy_server_seconds() const { return busy_accum_ + busy_ * (Kernel::now() - busy_since_); }

bool Station::submit(double service_s, Done done) {
    if (capacity_ > 0 && in_system() >= capacity_) return false;
    constexpr double kNever = std::numeric_limits<double>::infinity();
    if (busy_ < servers_) start({service_s, std::move(done), kNever, {}});
    else waiting_.push_back({service_s, std::move(done), kNever, {}});
    return true;
}

bool Station::submit(double service_s, Done done, double shed_at_s, Done shed) {
    if (capacity_ > 0 && in_system() >= capacity_) return false;
    if (busy_ < servers_) start({service_s, std::move(done), shed_at_s, {}});
    else waiting_.push_back({service_s, std::move(done), shed_at_s, std::move(shed)});
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
    while (!waiting_.empty()) {
        Job next = std::move(waiting_.front());
        waiting_.pop_front();
        if (next.shed_at_s < now) [[unlikely]] {  // waited too long: dropped, the server takes the next
            next.shed();
            continue;
        }
        start(std::move(next));
        break;
    }
}

}  // namespace stacksim::sim
