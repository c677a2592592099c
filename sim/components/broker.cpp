// Message queues: publish through the broker (with backpressure when full) and deliver to the
// consumer group's worker slots; a message is acked when its endpoint finishes.
#include "sim/engine/runtime_state.hpp"

#include <algorithm>
#include <cmath>

namespace stacksim::sim {

void Runtime::publish_step(Frame* f, const PublishStep& step) {
    Broker& b = *brokers_.at(step.queue);
    Instance& broker = *instances_.at(step.queue).front();
    const QueueSpec& q = *b.service->queue;
    const double one_way = hop(f->worker->instance, &broker, step.payload_bytes);
    kernel_.after(one_way, [this, f, &b, &broker, &q, one_way] {
        if (broker.down) [[unlikely]] {  // chaos: the broker is down
            kernel_.after(one_way, [this, f] { finish(f, false, ErrorKind::instance_down); });
            return;
        }
        broker.station->submit(sample(q.publish_time), [this, f, &b, &q, one_way] {
            std::function<void()> enqueue = [this, f, &b, one_way] {
                rec_.publish(b.service->name, true);
                b.messages.push_back(nullptr);
                deliver(b);
                kernel_.after(one_way, [this, f] { run(f); });
            };
            const bool full = q.max_depth && static_cast<long>(b.messages.size()) >= *q.max_depth;
            if (!full) enqueue();
            else if (q.backpressure == QueueSpec::Backpressure::block) b.blocked.push_back(std::move(enqueue));
            else {
                rec_.publish(b.service->name, false);
                kernel_.after(one_way, [this, f] { finish(f, false, ErrorKind::queue_full); });
            }
        });
    });
}

void Runtime::deliver(Broker& b) {
    const QueueSpec& q = *b.service->queue;
    while (b.free_slots > 0 && !b.messages.empty()) {
        // Round-robin over consumer slots; a busy worker still queues the work on its loop.
        // Slots on crashed workers or instances (chaos) and on instances not running (autoscaling:
        // starting, draining, stopped) are skipped; none alive: messages wait.
        Worker* w = nullptr;
        for (std::size_t k = 0; k < b.consumers.size() && !w; ++k) {
            Worker* c = b.consumers[b.next++ % b.consumers.size()];
            if (!c->down && !c->instance->down && c->instance->phase == Instance::Phase::running) w = c;
        }
        if (!w) return;
        b.messages.pop_front();
        --b.free_slots;
        if (!b.blocked.empty()) {  // space freed: admit one blocked producer
            auto next = std::move(b.blocked.front());
            b.blocked.erase(b.blocked.begin());
            next();
        }
        Instance& inst = *w->instance;
        const double one_way = hop(instances_.at(b.service->name).front().get(), &inst, 1024);
        kernel_.after(one_way, [this, &b, w, &q] {
            auto* f = new_frame();
            f->worker = w;
            f->service = w->instance->service;
            f->stack.push_back({&f->service->endpoints.at(q.consumer_endpoint).steps, 0});
            f->done = [this, &b](bool, ErrorKind) {  // ack (failures are redelivered by the chaos milestone)
                ++b.free_slots;
                deliver(b);
            };
            run(f);
        });
    }
}

}  // namespace stacksim::sim
