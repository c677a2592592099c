#include "sim/engine/runtime.hpp"
#include "sim/engine/runtime_state.hpp"
#include "sim/chaos/memory_leak.hpp"
#include "sim/chaos/network_faults.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace stacksim::sim {
namespace sg4 = simgrid::s4u;
namespace {
constexpr double kNoDeadline = std::numeric_limits<double>::infinity();
}  // namespace


Runtime::Runtime(const Experiment& e, Kernel& kernel, Recorder& recorder)
    : e_(e), t_(e.topology), kernel_(kernel), rec_(recorder), rng_(kernel.stream(1)), policy_rng_(kernel.stream(0x7265)),
      deploy_rng_(kernel.stream(0xde9107)), lb_rng_(kernel.stream(0x1b1b)) {
    network_ = std::make_unique<NetworkFaults>(kernel.stream(0x6E6574));
    build_platform();
    start_workers();
}

Runtime::~Runtime() {
    for (Frame* f : live_frames_) delete f;
    for (Request* r : live_requests_) delete r;
}

Request* Runtime::new_request() { return *live_requests_.insert(new Request).first; }
Frame* Runtime::new_frame() {
    Frame* f = *live_frames_.insert(new Frame).first;
    f->seq = next_frame_seq_++;
    return f;
}

void Runtime::free_frame(Frame* f) {
    live_frames_.erase(f);
    delete f;
}

double Runtime::sample(const Distribution& d) {
    auto it = samplers_.find(&d);
    if (it == samplers_.end()) it = samplers_.emplace(&d, DistributionSampler(d)).first;
    return it->second(rng_);
}

void Runtime::build_platform() {
    // One full zone: every instance is a host; network delays are computed from the topology's
    // zone links (latency + size / bandwidth) rather than simulated per message — see
    // docs/simulation.md for why and what that leaves out (link contention).
    auto* zone = sg4::create_full_zone("stack");
    controller_host_ = zone->create_host("controller", kFlopsPerRefSecond);
    std::uint64_t population = 0;
    for (const auto& [name, s] : t_.services) {
        auto& list = instances_[name];
        const MachineType* m = t_.machines.find(s.machine);
        // An autoscaled service has all its possible instances from the start; those beyond the
        // initial replicas are stopped until the autoscaler starts them (sim/control/).
        const AutoscalingSpec* as = s.node && s.node->autoscaling ? &*s.node->autoscaling : nullptr;
        const Deploy* deploy = deploy_of(s);  // spare instances for the new version (sim/control/deployer.cpp)
        const int created = as ? std::max(as->max_replicas, s.replicas) : s.replicas + (deploy ? extra_instances(*deploy, s.replicas) : 0);
        const int initial = as ? std::clamp(s.replicas, as->min_replicas, as->max_replicas) : s.replicas;
        for (int i = 0; i < created; ++i) {
            auto inst = std::make_unique<Instance>();
            inst->service = &s;
            inst->index = i;
            if (i >= initial) inst->phase = Instance::Phase::stopped;
            inst->zone = s.zones.empty() ? "" : s.zones[static_cast<std::size_t>(i) % s.zones.size()];
            inst->core_speed = m ? m->core_speed : 1.0;  // CPU times are given on a reference core
            if (m && m->nic_bps > 0) inst->nic_bps = m->nic_bps;
            if (s.kind == ServiceKind::node_service) {
                inst->host = zone->create_host(name + "#" + std::to_string(i), (m ? m->core_speed : 1.0) * kFlopsPerRefSecond);
                inst->host->set_core_count(m ? m->vcpus : 1);
            }
            const int vcpus = m ? m->vcpus : 1;
            switch (s.kind) {
                case ServiceKind::load_balancer:
                    inst->station = std::make_unique<Station>(kernel_, name, vcpus);
                    break;
                case ServiceKind::cache:
                    inst->station = std::make_unique<Station>(kernel_, name, s.cache->threads);
                    inst->cache = std::make_unique<LruCache>(s.cache->capacity_keys, s.cache->capacity_bytes);
                    break;
                case ServiceKind::database:
                    inst->station = std::make_unique<Station>(
                        kernel_, name, s.database->concurrency > 0 ? s.database->concurrency : vcpus);
                    break;
                case ServiceKind::queue:
                    inst->station = std::make_unique<Station>(kernel_, name, 1);
                    break;
                case ServiceKind::external:
                    if (s.external->concurrency) inst->station = std::make_unique<Station>(kernel_, name, *s.external->concurrency);
                    break;
                case ServiceKind::node_service: break;
            }
            list.push_back(std::move(inst));
        }
        for (const auto& [_, ep] : s.endpoints) {
            // Every cache step is a key population of its own (distinct key ids).
            std::function<void(const Steps&)> scan = [&](const Steps& steps) {
                for (const Step& st : steps) {
                    if (const auto* c = std::get_if<CacheStep>(&st.body)) {
                        auto cs = std::make_unique<CacheState>();
                        cs->keys = std::make_unique<ZipfSampler>(c->zipf_alpha, static_cast<std::uint64_t>(c->key_space));
                        cs->population = ++population;
                        caches_[c] = std::move(cs);
                        scan(c->on_miss);
                    } else if (const auto* b = std::get_if<BranchStep>(&st.body)) {
                        for (const Branch& br : b->branches) scan(br.steps);
                    }
                }
            };
            scan(ep.steps);
        }
        if (s.kind == ServiceKind::queue) {
            auto b = std::make_unique<Broker>();
            b->service = &s;
            brokers_[name] = std::move(b);
        }
    }
    for (auto& [_, b] : brokers_)  // dead-letter queues are queues of the same topology (checked by the schema)
        if (const std::string& dlq = b->service->queue->dead_letter_queue; !dlq.empty()) b->dead_letter = brokers_.at(dlq).get();
    zone->seal();
    for (const auto& [name, _] : instances_) refresh_routing(name);
    for (const auto& [_, s] : t_.services)
        if (s.lb && s.lb->health_check)
            if (const Service* target = t_.resolve(s.lb->backend); target && !probe_steps_.contains(target))
                probe_steps_[target] = {Step{CpuStep{s.lb->health_check->probe_cpu}, ""}};
}

double Runtime::hop(const Instance* a, const Instance* b, double bytes) const {
    if (!a || !b || a->service->kind == ServiceKind::external || b->service->kind == ServiceKind::external) return 0;
    // Serialisation at the slowest of the sender's NIC, the zone link and the receiver's NIC
    // (no contention: hops are computed, not sent over shared links — docs/simulation.md).
    const LinkSpec l = t_.link(a->zone, b->zone);
    return l.latency_s + bytes * 8 / std::min({l.bandwidth_bps, a->nic_bps, b->nic_bps});
}

void Runtime::submit(Request* req) {
    rec_.arrival();
    const Service& entry = *t_.find(e_.workload.entry);
    invoke(entry, e_.workload.mix[static_cast<std::size_t>(req->mix_index)].endpoint, nullptr, req,
           [this, req](bool ok, ErrorKind why) {
               rec_.completion(req->mix_index, Kernel::now() - req->start_s, ok, why, req->fault_origin);
               if (req->on_finish) req->on_finish();
               live_requests_.erase(req);
               delete req;
           });
}

void Runtime::invoke(const Service& target, const std::string& endpoint, const Instance* from, Request* req, Done done,
                     Payload payload) {
    auto& list = instances_.at(target.name);
    if (target.kind == ServiceKind::external) {
        call_external(*list.front(), req, std::move(done));
        return;
    }
    // Clients and services spread their calls over the running instances (DNS / kube-proxy style).
    const auto& serving = routing_.at(target.name).serving;
    auto& rr = round_robin_[target.name];
    // Many independent clients reach a load balancer's instances: each request picks one at
    // random (a single shared rotation would hand the proxies consecutive requests in turn).
    const bool proxy = target.kind == ServiceKind::load_balancer && serving.size() > 1;
    Instance& inst = serving.empty() ? *list[rr++ % list.size()]
                     : proxy         ? *serving[uniform_below(lb_rng_, serving.size())]
                                     : *serving[rr++ % serving.size()];
    invoke_instance(inst, endpoint, from, req, std::move(done), payload);
}

void Runtime::connect_failed(Done done) {
    kernel_.after(t_.connect_timeout_s, [done = std::move(done)] { done(false, ErrorKind::connect_timeout); });
}

void Runtime::invoke_instance(Instance& inst, const std::string& endpoint, const Instance* from, Request* req, Done done,
                              Payload payload) {
    const Service& s = *inst.service;
    if ((inst.faulty || network_->active()) && unreachable(from, inst)) [[unlikely]] {  // chaos: no SYN-ACK
        if (req) req->fault_origin = &inst;
        connect_failed(std::move(done));
        return;
    }
    kernel_.after(transit(from, &inst, payload.request_bytes), [this, &inst, &s, from, endpoint, req, done = std::move(done), payload]() mutable {
        double hang_s = 0;
        if (inst.faulty) [[unlikely]] {  // chaos: refused, failed or delayed (sim/chaos/)
            if (inst.leak && !inst.down) inst.leak->request();  // may be the request that runs it out of memory
            ErrorKind refused = ErrorKind::none;
            if (inst.down) refused = ErrorKind::instance_down;  // connection refused
            else if (inst.error_rate > 0 && uniform01(rng_) < inst.error_rate) refused = ErrorKind::dependency;
            if (refused != ErrorKind::none) {
                if (req) req->fault_origin = &inst;
                if (inst.versioned && endpoint != kProbeEndpoint) [[unlikely]] version_refused(inst);
                kernel_.after(transit(&inst, from, payload.response_bytes), [done = std::move(done), refused] { done(false, refused); });
                return;
            }
            if (inst.hang_fraction > 0 && uniform01(rng_) < inst.hang_fraction) {
                hang_s = inst.hang_s > 0 ? inst.hang_s : std::max(0.0, inst.hang_until_s - Kernel::now());
                if (req) req->fault_origin = &inst;
            }
        }
        // The response crosses the network when it is sent (a partition may have started meanwhile).
        auto reply = [this, &inst, from, hang_s, bytes = payload.response_bytes, done = std::move(done)](bool ok, ErrorKind why) {
            kernel_.after(transit(&inst, from, bytes) + hang_s, [done, ok, why] { done(ok, why); });
        };
        if (s.rate_limit && !take_token(inst)) [[unlikely]] {  // 429 (sim/resilience/overload.cpp)
            reply(false, ErrorKind::rate_limited);
            return;
        }
        if (s.kind == ServiceKind::load_balancer) {
            // At max_connections the proxy accepts no more (Envoy's connection overflow, HAProxy
            // maxconn with a full backlog): refused at once, so the proxy's queue stays bounded.
            if (inst.connections >= s.lb->max_connections) [[unlikely]] {
                rec_.connection_refused(s.name);
                reply(false, ErrorKind::rejected);
                return;
            }
            ++inst.connections;
            Done answer = [&inst, reply = std::move(reply)](bool ok, ErrorKind why) {
                --inst.connections;
                reply(ok, why);
            };
            if (s.lb->deadline_s && req) [[unlikely]] answer = with_deadline(req, *s.lb->deadline_s, std::move(answer));
            inst.station->submit(sample(s.lb->cpu_per_request) / inst.core_speed, [this, &inst, &s, endpoint, req, payload, reply = std::move(answer)]() mutable {
                if (inst.down) [[unlikely]] {  // the proxy crashed while the request was queued
                    reply(false, ErrorKind::instance_down);
                    return;
                }
                Instance& backend = pick_backend(s, inst, req);
                ++backend.active;
                invoke_instance(backend, endpoint, &inst, req, [this, &s, &backend, reply = std::move(reply)](bool ok, ErrorKind why) {
                    --backend.active;
                    if (s.lb->outlier_detection) [[unlikely]] observe_outlier(s, backend, ok);
                    reply(ok, why);
                }, payload);
            });
            return;
        }
        // node_service: the cluster master hands the connection to the next worker.
        Worker* next = inst.workers[inst.next_worker++ % inst.workers.size()].get();
        if (next->down) [[unlikely]] next = next_live_worker(inst);  // the master skips dead workers
        if (!next) {
            reply(false, ErrorKind::instance_down);
            return;
        }
        Worker& w = *next;
        const NodeServiceSpec& n = *s.node;
        // A bound N on waiting work refuses a request that would wait behind N others; 0: one that
        // would wait at all (the event loop is busy), never one an idle worker can take at once.
        const long waiting = w.loop ? w.loop->waiting() : static_cast<long>(w.inbox.size());
        const bool busy = w.loop ? w.loop->in_system() > w.loop->waiting() : !w.idle || !w.inbox.empty();
        const bool would_wait = busy || waiting > 0;
        if (w.in_flight >= n.max_in_flight || (n.accept_queue && would_wait && waiting >= static_cast<long>(*n.accept_queue))) {
            reply(false, ErrorKind::rejected);  // 503 from an overloaded worker
            return;
        }
        if (n.shedding && n.shedding->max_queued && would_wait && waiting >= *n.shedding->max_queued) [[unlikely]] {
            rec_.overload(s.name, Recorder::Overload::shed_queue_length);
            reply(false, ErrorKind::shed);
            return;
        }
        ++w.in_flight;
        auto* f = new_frame();
        f->request = req;
        f->worker = &w;
        f->service = &s;
        const auto ep = s.endpoints.find(endpoint);  // not an endpoint: a health-check probe
        f->stack.push_back({ep != s.endpoints.end() ? &ep->second.steps : &probe_steps_.at(&s), 0});
        f->done = [this, &w, probe = ep == s.endpoints.end(), reply = std::move(reply)](bool ok, ErrorKind why) {
            --w.in_flight;
            if (w.versioned) [[unlikely]] version_outcome(w, probe, ok, why);  // sim/control/deploy_routing.cpp
            reply(ok, why);
        };
        run(f);
    });
}

void Runtime::finish(Frame* f, bool ok, ErrorKind why) {
    if (f->dead) [[unlikely]] {  // already answered by a crash
        free_frame(f);
        return;
    }
    if (!ok && serve_stale(f)) [[unlikely]] return;  // stale-if-error (sim/resilience/overload.cpp)
    auto done = std::move(f->done);
    live_frames_.erase(f);
    delete f;
    if (done) done(ok, why);
}

void Runtime::run(Frame* f) {
    if (f->dead) [[unlikely]] {  // its instance crashed while this continuation was pending
        free_frame(f);
        return;
    }
    while (!f->stack.empty()) {
        Frame::Entry& top = f->stack.back();
        if (top.pc == top.steps->size()) {
            const CacheStep* put = top.put_after;
            const std::uint64_t key = top.key;
            f->stack.pop_back();
            if (put) {
                cache_write_back(f, *put, key);
                return;
            }
            continue;
        }
        if (f->request && f->request->deadline_s <= Kernel::now()) [[unlikely]] {  // expired: start nothing more
            finish(f, false, ErrorKind::deadline_exceeded);
            return;
        }
        const Step& step = (*top.steps)[top.pc++];
        if (const auto* cpu = std::get_if<CpuStep>(&step.body)) {
            Worker& w = *f->worker;
            // Shedding by queue time: the request's first CPU task is dropped if it waited too long.
            const SheddingSpec* shed = f->cpu_started ? nullptr : f->service->node->shedding ? &*f->service->node->shedding : nullptr;
            f->cpu_started = true;
            if (shed && shed->max_queue_time_s) [[unlikely]] {
                f->shed_at_s = Kernel::now() + *shed->max_queue_time_s;
                if (w.loop) {
                    w.loop->submit(sample(cpu->time) * w.instance->cpu_slowdown * w.cpu_factor / w.instance->core_speed, [this, f] { run(f); },
                                   f->shed_at_s, [this, f] { shed_frame(f); });
                    return;
                }
            }
            if (w.loop) {
                w.loop->submit(sample(cpu->time) * w.instance->cpu_slowdown * w.cpu_factor / w.instance->core_speed, [this, f] { run(f); });
                return;
            }
            w.inbox.emplace_back(f, sample(cpu->time) * w.instance->cpu_slowdown * w.cpu_factor * kFlopsPerRefSecond);
            if (w.idle) {
                w.idle = false;
                w.wake->release();
            }
            return;
        }
        if (const auto* call = std::get_if<CallStep>(&step.body)) {
            if (call->policy || (f->request && f->request->deadline_s < kNoDeadline && !call->async)) [[unlikely]] {  // timeouts, retries, breaker, bulkhead, deadline (sim/resilience/)
                policy_call(f, step);
                return;
            }
            const Service& target = *t_.find(call->service);
            if (call->async) {  // fire-and-forget: the caller goes on at once
                invoke(target, call->endpoint, f->worker->instance, nullptr, [](bool, ErrorKind) {},
                       {call->request_bytes, call->response_bytes});
                continue;
            }
            invoke(
                target, call->endpoint, f->worker->instance, f->request,
                [this, f](bool ok, ErrorKind why) {
                    if (ok) run(f);
                    else finish(f, false, why);
                },
                {call->request_bytes, call->response_bytes});
            return;
        }
        if (const auto* c = std::get_if<CacheStep>(&step.body)) {
            cache_step(f, *c);
            return;
        }
        if (const auto* d = std::get_if<DbStep>(&step.body)) {
            if (d->policy) [[unlikely]] policy_call(f, step);  // timeouts, retries, breaker … on a query
            else db_step(f, *d);
            return;
        }
        if (const auto* p = std::get_if<PublishStep>(&step.body)) {
            publish_step(f, *p);
            return;
        }
        if (const auto* b = std::get_if<BranchStep>(&step.body)) {
            double u = uniform01(rng_);
            for (const Branch& br : b->branches) {
                if (u < br.probability) {
                    f->stack.push_back({&br.steps, 0});
                    break;
                }
                u -= br.probability;
            }
        }
    }
    finish(f, true, ErrorKind::none);
}

long Runtime::queue_depth(const std::string& service) const {
    long depth = 0;
    for (const auto& inst : instances_.at(service)) {
        for (const auto& w : inst->workers) depth += static_cast<long>(w->inbox.size()) + (w->loop ? w->loop->waiting() : 0);
        if (inst->station) depth += inst->station->waiting();
    }
    if (auto it = brokers_.find(service); it != brokers_.end()) depth += static_cast<long>(it->second->messages.size());
    // A database's clients waiting for a pooled connection wait for it too (steady-state checks).
    for (const auto& [key, pool] : pools_)
        if (key.second == service) depth += static_cast<long>(pool->waiters.size());
    return depth;
}

std::vector<double> Runtime::instance_busy_seconds(const std::string& service) const {
    std::vector<double> out;
    for (const auto& inst : instances_.at(service)) {
        double busy = inst->station ? inst->station->busy_server_seconds() : 0.0;
        for (const auto& w : inst->workers) busy += w->loop ? w->loop->busy_server_seconds() : w->busy_s;
        out.push_back(busy);
    }
    return out;
}

std::vector<int> Runtime::instance_servers(const std::string& service) const {
    std::vector<int> out;
    for (const auto& inst : instances_.at(service)) {
        int servers = inst->station ? inst->station->servers() : 0;
        if (!inst->workers.empty()) {  // workers beyond the vCPUs add no capacity
            const MachineType* m = t_.machines.find(inst->service->machine);
            servers += std::min(static_cast<int>(inst->workers.size()) - inst->spare_workers, m ? m->vcpus : 1);
        }
        out.push_back(servers);
    }
    return out;
}

double Runtime::occupied_seconds(const std::string& service) const {
    double occupied = 0;
    for (const auto& inst : instances_.at(service))
        for (const auto& w : inst->workers) occupied += w->loop ? w->loop->busy_server_seconds() : w->occupied_s;
    return occupied;
}

int Runtime::worker_count(const std::string& service) const {
    int n = 0;
    for (const auto& inst : instances_.at(service)) n += static_cast<int>(inst->workers.size()) - inst->spare_workers;
    return n;
}

double Runtime::busy_seconds(const std::string& service) const {
    const auto per = instance_busy_seconds(service);
    return std::accumulate(per.begin(), per.end(), 0.0);
}

int Runtime::capacity_servers(const std::string& service) const {
    const auto per = instance_servers(service);
    return std::accumulate(per.begin(), per.end(), 0);
}

}  // namespace stacksim::sim
