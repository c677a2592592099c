// Node.js cluster workers: one event loop each, served on a dedicated core or run as a SimGrid
// actor when workers share cores.
#include "sim/engine/runtime_state.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <simgrid/s4u.hpp>

namespace stacksim::sim {
namespace sg4 = simgrid::s4u;

void Runtime::start_workers() {
    for (auto& [name, list] : instances_) {
        const Service& s = *list.front()->service;
        if (s.kind != ServiceKind::node_service) continue;
        const MachineType* m = t_.machines.find(s.machine);
        const int workers = s.node->workers > 0 ? s.node->workers : (m ? m->vcpus : 1);
        const bool dedicated = workers <= (m ? m->vcpus : 1);
        // PM2 reload forks each new worker beside the old one: one spare per instance.
        const Deploy* deploy = deploy_of(s);
        const int spares = deploy && deploy->strategy == Deploy::Strategy::pm2_reload ? 1 : 0;
        for (auto& inst : list)
            for (int w = 0; w < workers + spares; ++w) {
                auto worker = std::make_unique<Worker>();
                worker->instance = inst.get();
                if (w >= workers) {
                    worker->spare = worker->down = true;
                    ++inst->spare_workers;
                }
                inst->core_speed = m ? m->core_speed : 1.0;
                if (dedicated) {
                    worker->loop = std::make_unique<Station>(kernel_, name, 1);
                    inst->workers.push_back(std::move(worker));
                    continue;
                }
                worker->wake = sg4::Semaphore::create(0);
                Worker* wp = worker.get();
                // The event loop: CPU tasks block it, exactly like JavaScript on one thread.
                sg4::Actor::create(name + "#" + std::to_string(inst->index) + "/w" + std::to_string(w), inst->host,
                                   [this, wp] {
                                       while (true) {
                                           if (wp->inbox.empty()) {
                                               wp->idle = true;
                                               wp->wake->acquire();
                                               continue;
                                           }
                                           auto [frame, flops] = wp->inbox.front();
                                           wp->inbox.pop_front();
                                           if (frame->shed_at_s < Kernel::now()) [[unlikely]] {  // queued too long
                                               shed_frame(frame);
                                               continue;
                                           }
                                           frame->shed_at_s = std::numeric_limits<double>::infinity();
                                           const double t0 = Kernel::now();
                                           if (flops > 0) sg4::this_actor::execute(flops);
                                           // Utilisation counts CPU time (the work at the core's
                                           // speed); waiting for a shared core only occupies the worker.
                                           wp->busy_s += flops / wp->instance->host->get_speed();
                                           wp->occupied_s += Kernel::now() - t0;
                                           kernel_.count_event();
                                           run(frame);  // continue the request after its CPU step
                                       }
                                   });
                inst->workers.push_back(std::move(worker));
            }
    }
    // Queue consumer slots: every worker of the consumer service, `concurrency` times.
    for (auto& [name, b] : brokers_) {
        const QueueSpec& q = *b->service->queue;
        for (int k = 0; k < q.consumer_concurrency; ++k)
            for (auto& inst : instances_.at(q.consumer_service))
                for (auto& w : inst->workers) b->consumers.push_back({w.get()});
        b->free_slots = static_cast<int>(b->consumers.size());
    }
}

}  // namespace stacksim::sim
