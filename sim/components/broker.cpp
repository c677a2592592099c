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
    const Instance* client = f->worker->instance;
    if (unreachable(client, broker)) [[unlikely]] {  // chaos: a dead host or a partition
        connect_failed([this, f](bool, ErrorKind why) { finish(f, false, why); });
        return;
    }
    const double ack_bytes = step.payload_bytes;  // as before: the acknowledgement is costed like the payload
    kernel_.after(transit(client, &broker, step.payload_bytes), [this, f, &b, &broker, &q, client, ack_bytes] {
        if (broker.down) [[unlikely]] {  // chaos: the broker is down
            kernel_.after(transit(&broker, client, ack_bytes), [this, f] { finish(f, false, ErrorKind::instance_down); });
            return;
        }
        // dependency_errors refuse the publish; dependency_hang delays its acknowledgement (sim/chaos/).
        const Injected fault = broker.faulty ? inject(broker, f->request) : Injected{};
        if (fault.error) [[unlikely]] {
            kernel_.after(transit(&broker, client, ack_bytes), [this, f] { finish(f, false, ErrorKind::dependency); });
            return;
        }
        // disk_slowdown stretches the publish's I/O share (a durable broker fsyncs its log).
        broker.station->submit(sample(q.publish_time) / broker.core_speed * broker.io_stretch, [this, f, &b, &broker, &q, client, ack_bytes,
                                                                                            hang_s = fault.hang_s] {
            const double one_way = transit(&broker, client, ack_bytes) + hang_s;
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
    const Instance& broker = *instances_.at(b.service->name).front();
    while (b.free_slots > 0 && !b.messages.empty()) {
        // Round-robin over consumer slots; a busy worker still queues the work on its loop.
        // Slots on crashed workers or instances (chaos) and on instances not running (autoscaling:
        // starting, draining, stopped) are skipped; none alive: messages wait.
        Worker* w = nullptr;
        for (std::size_t k = 0; k < b.consumers.size() && !w; ++k) {
            Worker* c = b.consumers[b.next++ % b.consumers.size()];
            if (!c->down && !c->instance->down && c->instance->phase == Instance::Phase::running &&
                !unreachable(&broker, *c->instance))  // chaos: cut off by a partition
                w = c;
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
        const double one_way = transit(&broker, &inst, 1024);
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
