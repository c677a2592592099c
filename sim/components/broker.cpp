// Message queues: publish through the broker (with backpressure when full) and deliver to the
// consumer group's worker slots. A message is acknowledged when its endpoint succeeds; a failed
// or too slow consumer leaves it unacknowledged, so it is delivered again when its visibility
// timeout expires (SQS), and after `max_deliveries` it moves to the dead-letter queue, or is
// dropped when there is none (RabbitMQ quorum queues' delivery-limit).
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
                b.messages.push_back(0);
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
        // Round-robin over the free consumer slots (a slot holding a message is not offered
        // another); a worker with several slots still runs their CPU on one loop. Slots on crashed
        // workers or instances (chaos) and on instances not running (autoscaling: starting,
        // draining, stopped) are skipped; none free and alive: messages wait.
        Broker::Slot* slot = nullptr;
        for (std::size_t k = 0; k < b.consumers.size() && !slot; ++k) {
            Broker::Slot& s = b.consumers[b.next++ % b.consumers.size()];
            const Worker* c = s.worker;
            if (!s.busy && !c->down && !c->instance->down && c->instance->phase == Instance::Phase::running &&
                !unreachable(&broker, *c->instance))  // chaos: cut off by a partition
                slot = &s;
        }
        if (!slot) return;
        slot->busy = true;
        Worker* w = slot->worker;
        const int deliveries = b.messages.front() + 1;
        b.messages.pop_front();
        --b.free_slots;
        const std::uint64_t lease = b.first_lease + b.leases.size();
        b.leases.push_back({Kernel::now() + q.visibility_timeout_s, deliveries});
        if (!b.expiry_armed) {
            b.expiry_armed = true;
            kernel_.at(b.leases.front().expires_s, [this, &b] { expire_leases(b); });
        }
        if (!b.blocked.empty()) {  // space freed: admit one blocked producer
            auto next = std::move(b.blocked.front());
            b.blocked.erase(b.blocked.begin());
            next();
        }
        Instance& inst = *w->instance;
        const double one_way = transit(&broker, &inst, 1024);
        kernel_.after(one_way, [this, &b, w, slot, &q, lease] {
            auto* f = new_frame();
            f->worker = w;
            f->service = w->instance->service;
            f->stack.push_back({&f->service->endpoints.at(q.consumer_endpoint).steps, 0});
            f->done = [this, &b, slot, lease](bool ok, ErrorKind why) {
                ++b.free_slots;
                slot->busy = false;
                if (!ok) rec_.consumer_error(b.service->name, why);
                // Settle the lease unless it already expired (the message was delivered again).
                if (lease >= b.first_lease) {
                    Broker::Lease& l = b.leases[lease - b.first_lease];
                    if (l.state == Broker::Lease::State::in_flight) l.state = ok ? Broker::Lease::State::acked : Broker::Lease::State::failed;
                    if (ok) rec_.queue_event(b.service->name, LimitCounts::QueueEvent::acked);
                    while (!b.leases.empty() && b.leases.front().state == Broker::Lease::State::acked) {  // done with them
                        b.leases.pop_front();
                        ++b.first_lease;
                    }
                }
                deliver(b);
            };
            run(f);
        });
    }
}

void Runtime::expire_leases(Broker& b) {
    b.expiry_armed = false;
    const QueueSpec& q = *b.service->queue;
    const double now = Kernel::now();
    while (!b.leases.empty() && b.leases.front().expires_s <= now) {
        const Broker::Lease l = b.leases.front();
        b.leases.pop_front();
        ++b.first_lease;
        if (l.state == Broker::Lease::State::acked) continue;
        // Unacknowledged: the consumer failed, crashed or is still working on it.
        if (l.deliveries >= q.max_deliveries) {
            dead_letter(b);
        } else {
            rec_.queue_event(b.service->name, LimitCounts::QueueEvent::redelivered);
            b.messages.push_front(l.deliveries);  // visible again, ahead of newer messages
        }
    }
    if (!b.leases.empty()) {
        b.expiry_armed = true;
        kernel_.at(b.leases.front().expires_s, [this, &b] { expire_leases(b); });
    }
    deliver(b);
}

void Runtime::dead_letter(Broker& b) {
    Broker* dlq = b.dead_letter;
    const bool full = dlq && dlq->service->queue->max_depth &&
                      static_cast<long>(dlq->messages.size()) >= *dlq->service->queue->max_depth;
    if (!dlq || full) {
        rec_.queue_event(b.service->name, LimitCounts::QueueEvent::dropped);
        return;
    }
    rec_.queue_event(b.service->name, LimitCounts::QueueEvent::dead_lettered);
    rec_.publish(dlq->service->name, true);
    dlq->messages.push_back(0);
    deliver(*dlq);
}

}  // namespace stacksim::sim
