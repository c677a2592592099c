// What a crash does to the running stack: the requests in flight on the instance (or worker)
// are answered with an error at once, as a client sees a reset connection; their pending work
// is dropped; new connections are refused (RST) until the restore — or, when the host died
// with it, go unanswered until the caller's connect timeout (Runtime::unreachable). A restarted process comes back
// with empty queues and empty in-process caches; a restarted cache shard comes back empty.
#include "sim/engine/runtime_state.hpp"

#include <algorithm>

namespace stacksim::sim {

int Runtime::kill_frames(const std::function<bool(const Frame&)>& on_target) {
    std::vector<Frame*> victims;
    for (Frame* f : live_frames_)
        if (!f->dead && on_target(*f)) victims.push_back(f);
    // live_frames_ is unordered: answer in creation order so that runs are reproducible.
    std::sort(victims.begin(), victims.end(), [](const Frame* a, const Frame* b) { return a->seq < b->seq; });
    for (Frame* f : victims) {
        // Its one pending continuation (a timer, a pool grant, a downstream reply) frees it
        // later; a continuation dropped with a cleared queue leaves it for the destructor.
        f->dead = true;
        if (f->request && f->worker) f->request->fault_origin = f->worker->instance;
        if (auto done = std::move(f->done)) done(false, ErrorKind::instance_down);
    }
    return static_cast<int>(victims.size());
}

void Runtime::refresh_faulty(Instance& inst) {
    bool worker_down = false;
    for (const auto& w : inst.workers) worker_down = worker_down || w->down;
    inst.faulty = inst.down > 0 || worker_down || inst.error_rate > 0 || inst.hang_fraction > 0 || inst.leak;
}

Runtime::Injected Runtime::inject(Instance& inst, Request* req) {
    Injected out;
    if (!inst.faulty) return out;
    out.error = inst.error_rate > 0 && uniform01(rng_) < inst.error_rate;
    if (!out.error && inst.hang_fraction > 0 && uniform01(rng_) < inst.hang_fraction)
        out.hang_s = inst.hang_s > 0 ? inst.hang_s : std::max(0.0, inst.hang_until_s - Kernel::now());
    if (req && (out.error || out.hang_s > 0)) req->fault_origin = &inst;
    return out;
}

Worker* Runtime::next_live_worker(Instance& inst) {
    for (std::size_t k = 0; k < inst.workers.size(); ++k) {
        Worker* w = inst.workers[inst.next_worker++ % inst.workers.size()].get();
        if (!w->down) return w;
    }
    return nullptr;
}

namespace {
void drop_queued_work(Worker& w) {
    if (w.loop) w.loop->clear();
    w.inbox.clear();
    w.l1.clear();  // process memory is gone
}
}  // namespace

int Runtime::crash_instance(Instance& inst, bool host) {
    ++inst.down;
    if (host) ++inst.host_down;
    ++inst.epoch;
    inst.faulty = true;
    if (inst.down > 1) return 0;  // already down (overlapping faults)
    const int lost = kill_frames([&inst](const Frame& f) { return f.worker && f.worker->instance == &inst; });
    for (auto& w : inst.workers) drop_queued_work(*w);
    if (inst.cache) inst.cache->flush();  // no persistence: the shard restarts empty
    return lost;
}

void Runtime::restore_instance(Instance& inst, bool host) {
    if (inst.down > 0) --inst.down;
    if (host && inst.host_down > 0) --inst.host_down;
    refresh_faulty(inst);
    if (inst.down == 0)
        for (auto& [_, b] : brokers_) deliver(*b);  // its consumer slots are back
}

int Runtime::crash_worker(Worker& w) {
    if (w.down) return 0;
    w.down = true;
    w.instance->faulty = true;
    const int lost = kill_frames([&w](const Frame& f) { return f.worker == &w; });
    drop_queued_work(w);
    return lost;
}

void Runtime::restore_worker(Worker& w) {
    w.down = false;
    refresh_faulty(*w.instance);
    for (auto& [_, b] : brokers_) deliver(*b);
}

}  // namespace stacksim::sim
