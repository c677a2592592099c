// PM2 on every instance of a node_service with cluster workers. `pm2 reload`: one worker at
// a time, a new worker is forked (the instance's spare), and once it listens the old one is
// sent the shutdown: the master stops giving it connections, its in-flight requests finish
// until kill_timeout, then it is killed — capacity never drops below workers - 1. `pm2
// restart`: every worker stops listening at once, drains until kill_timeout, and the new
// ones listen after the start-up: connections in between are refused.
#include "sim/control/deployer.hpp"

#include <algorithm>

namespace stacksim::sim {

namespace {
bool worker_idle(const Worker& w) { return w.in_flight == 0 && w.inbox.empty() && (!w.loop || w.loop->in_system() == 0); }
int worker_index(const Instance& inst, const Worker* w) {
    for (std::size_t i = 0; i < inst.workers.size(); ++i)
        if (inst.workers[i].get() == w) return static_cast<int>(i);
    return -1;
}
}  // namespace

void Deployer::pm2(Rollout& r) {
    if (r.outcome != "in_progress") return;
    if (r.step == 0) {  // first tick: every running instance starts its reload/restart
        r.step = 1;
        for (std::size_t k = 0; k < r.slots.size(); ++k) {
            Instance& inst = *r.slots[k];
            if (inst.phase != Instance::Phase::running) continue;
            r.pm2[k].busy = true;
            for (auto& w : inst.workers)
                if (!w->spare) r.pm2_old[k].push_back(w.get());
            if (r.d->strategy == Deploy::Strategy::pm2_reload) pm2_reload_worker(r, inst, k);
            else pm2_restart(r, inst, k);
        }
    }
    for (const auto& p : r.pm2)
        if (p.busy) return;
    finish(r, "completed");
}

void Deployer::set_worker_version(Rollout& r, Worker& w) {
    w.version_id = r.new_id;
    w.error_rate = r.d->version.error_rate;
    w.cpu_factor = r.d->version.cpu_factor;
}

void Deployer::drain_workers(Rollout& r, Instance& inst, std::vector<Worker*> workers, double deadline_s,
                             std::function<void(int cut)> then) {
    const bool idle = std::all_of(workers.begin(), workers.end(), [](const Worker* w) { return worker_idle(*w); });
    if (!idle && Kernel::now() < deadline_s - 1e-9) {
        kernel_.after(std::min(kTick, deadline_s - Kernel::now()), [this, &r, &inst, workers, deadline_s, then] {
            drain_workers(r, inst, workers, deadline_s, then);
        });
        return;
    }
    int cut = 0;
    for (Worker* w : workers)
        if (!worker_idle(*w)) {  // kill_timeout over: SIGKILL
            w->down = false;
            cut += runtime_.crash_worker(*w);
        }
    Runtime::refresh_faulty(inst);
    then(cut);
}

void Deployer::pm2_reload_worker(Rollout& r, Instance& inst, std::size_t slot) {
    Rollout::Pm2& p = r.pm2[slot];
    Worker* fresh = nullptr;
    for (auto& w : inst.workers)
        if (w->spare) fresh = w.get();
    Worker* old = r.pm2_old[slot][p.next];
    rec_.control_event(Kernel::now(), "worker_starting", inst.service->name, inst.index,
                       {{"worker", worker_index(inst, fresh)}, {"replaces", worker_index(inst, old)}, {"version", r.d->version.name}});
    kernel_.after(r.d->startup_s, [this, &r, &inst, slot, fresh, old] {
        fresh->spare = fresh->down = false;
        --inst.spare_workers;
        set_worker_version(r, *fresh);
        rec_.control_event(Kernel::now(), "worker_listening", inst.service->name, inst.index,
                           {{"worker", worker_index(inst, fresh)}, {"version", r.d->version.name}});
        // The old worker gets the shutdown message: no new connections, in-flight ones finish.
        old->down = true;
        Runtime::refresh_faulty(inst);
        rec_.control_event(Kernel::now(), "worker_shutdown", inst.service->name, inst.index, {{"worker", worker_index(inst, old)}});
        drain_workers(r, inst, {old}, Kernel::now() + r.d->drain_timeout_s, [this, &r, &inst, slot, old](int cut) {
            old->down = old->spare = true;
            ++inst.spare_workers;
            Runtime::refresh_faulty(inst);
            rec_.control_event(Kernel::now(), "worker_stopped", inst.service->name, inst.index,
                               {{"worker", worker_index(inst, old)}, {"requests_cut", cut}});
            Rollout::Pm2& q = r.pm2[slot];
            if (++q.next < r.pm2_old[slot].size()) {
                pm2_reload_worker(r, inst, slot);
                return;
            }
            inst.version = 1;
            inst.version_id = r.new_id;
            q.busy = false;
        });
    });
}

void Deployer::pm2_restart(Rollout& r, Instance& inst, std::size_t slot) {
    const std::vector<Worker*> workers = r.pm2_old[slot];
    for (Worker* w : workers) {
        w->down = true;
        rec_.control_event(Kernel::now(), "worker_shutdown", inst.service->name, inst.index, {{"worker", worker_index(inst, w)}});
    }
    Runtime::refresh_faulty(inst);
    drain_workers(r, inst, workers, Kernel::now() + r.d->drain_timeout_s, [this, &r, &inst, slot, workers](int cut) {
        rec_.control_event(Kernel::now(), "worker_stopped", inst.service->name, inst.index,
                           {{"workers", workers.size()}, {"requests_cut", cut}});
        kernel_.after(r.d->startup_s, [this, &r, &inst, slot, workers] {
            for (Worker* w : workers) {
                w->down = false;
                set_worker_version(r, *w);
                rec_.control_event(Kernel::now(), "worker_listening", inst.service->name, inst.index,
                                   {{"worker", worker_index(inst, w)}, {"version", r.d->version.name}});
            }
            Runtime::refresh_faulty(inst);
            inst.version = 1;
            inst.version_id = r.new_id;
            r.pm2[slot].busy = false;
        });
    });
}

}  // namespace stacksim::sim
