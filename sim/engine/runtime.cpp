#include "sim/engine/runtime.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace stacksim::sim {
namespace sg4 = simgrid::s4u;

// A reference core executes 1e9 flop/s: CPU step times (given on a reference core) become
// flops, and a host's speed is its machine's core_speed x 1e9 per core.
constexpr double kFlopsPerRefSecond = 1e9;

struct Runtime::Pool {  // a client instance's connection pool to one database
    int free = 0;
    struct Waiter {
        std::uint64_t id;
        double since;
        std::function<void(bool)> grant;
    };
    std::deque<Waiter> waiters;
    std::uint64_t next_id = 0;
};

struct Runtime::Broker {
    const Service* service = nullptr;
    std::deque<Request*> messages;  // payloads are not modelled, only their count
    std::vector<Worker*> consumers; // one entry per consumer slot
    std::size_t next = 0;
    int free_slots = 0;
    std::vector<std::function<void()>> blocked;  // producers waiting for space (backpressure: block)
};

struct Runtime::CacheState {
    std::unique_ptr<ZipfSampler> keys;
    std::uint64_t population = 0;
};

namespace {
std::uint64_t mix64(std::uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}
}  // namespace

Runtime::Runtime(const Experiment& e, Kernel& kernel, Recorder& recorder)
    : e_(e), t_(e.topology), kernel_(kernel), rec_(recorder), rng_(kernel.stream(1)) {
    build_platform();
    start_workers();
}

Runtime::~Runtime() {
    for (Frame* f : live_frames_) delete f;
    for (Request* r : live_requests_) delete r;
}

Request* Runtime::new_request() { return *live_requests_.insert(new Request).first; }
Frame* Runtime::new_frame() { return *live_frames_.insert(new Frame).first; }

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
        for (int i = 0; i < s.replicas; ++i) {
            auto inst = std::make_unique<Instance>();
            inst->service = &s;
            inst->index = i;
            inst->zone = s.zones.empty() ? "" : s.zones[static_cast<std::size_t>(i) % s.zones.size()];
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
    zone->seal();
}

void Runtime::start_workers() {
    for (auto& [name, list] : instances_) {
        const Service& s = *list.front()->service;
        if (s.kind != ServiceKind::node_service) continue;
        const MachineType* m = t_.machines.find(s.machine);
        const int workers = s.node->workers > 0 ? s.node->workers : (m ? m->vcpus : 1);
        const bool dedicated = workers <= (m ? m->vcpus : 1);
        for (auto& inst : list)
            for (int w = 0; w < workers; ++w) {
                auto worker = std::make_unique<Worker>();
                worker->instance = inst.get();
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
                                           const double t0 = Kernel::now();
                                           if (flops > 0) sg4::this_actor::execute(flops);
                                           wp->busy_s += Kernel::now() - t0;
                                           kernel_.count_event();
                                           resume(frame);
                                       }
                                   });
                inst->workers.push_back(std::move(worker));
            }
    }
    // Queue consumer slots: every worker of the consumer service, `concurrency` times.
    for (auto& [name, b] : brokers_) {
        const QueueSpec& q = *b->service->queue;
        for (auto& inst : instances_.at(q.consumer_service))
            for (auto& w : inst->workers)
                for (int k = 0; k < q.consumer_concurrency; ++k) b->consumers.push_back(w.get());
        b->free_slots = static_cast<int>(b->consumers.size());
    }
}

double Runtime::hop(const Instance* a, const Instance* b, double bytes) const {
    if (!a || !b || a->service->kind == ServiceKind::external || b->service->kind == ServiceKind::external) return 0;
    const LinkSpec l = t_.link(a->zone, b->zone);
    return l.latency_s + bytes * 8 / l.bandwidth_bps;
}

void Runtime::submit(Request* req) {
    rec_.arrival();
    const Service& entry = *t_.find(e_.workload.entry);
    invoke(entry, e_.workload.mix[static_cast<std::size_t>(req->mix_index)].endpoint, nullptr, req,
           [this, req](bool ok, ErrorKind why) {
               rec_.completion(req->mix_index, Kernel::now() - req->start_s, ok, why);
               if (req->on_finish) req->on_finish();
               live_requests_.erase(req);
               delete req;
           });
}

void Runtime::invoke(const Service& target, const std::string& endpoint, const Instance* from, Request* req, Done done) {
    auto& list = instances_.at(target.name);
    if (target.kind == ServiceKind::external) {
        const ExternalSpec& x = *target.external;
        const bool fail = x.error_rate > 0 && std::uniform_real_distribution<double>(0, 1)(rng_) < x.error_rate;
        auto reply = [done = std::move(done), fail]() { done(!fail, fail ? ErrorKind::dependency : ErrorKind::none); };
        const double latency = sample(x.latency);
        if (list.front()->station) list.front()->station->submit(latency, std::move(reply));
        else kernel_.after(latency, std::move(reply));
        return;
    }
    // Clients and services spread their calls over instances (DNS / kube-proxy style).
    auto& rr = round_robin_[target.name];
    Instance& inst = *list[rr++ % list.size()];
    invoke_instance(inst, endpoint, from, req, std::move(done));
}

void Runtime::invoke_instance(Instance& inst, const std::string& endpoint, const Instance* from, Request* req, Done done) {
    const Service& s = *inst.service;
    const double out = hop(from, &inst, 1024);
    kernel_.after(out, [this, &inst, &s, endpoint, req, done = std::move(done), out]() mutable {
        auto reply = [this, out, done = std::move(done)](bool ok, ErrorKind why) {
            kernel_.after(out, [done, ok, why] { done(ok, why); });
        };
        if (s.kind == ServiceKind::load_balancer) {
            inst.station->submit(sample(s.lb->cpu_per_request), [this, &inst, &s, endpoint, req, reply = std::move(reply)]() mutable {
                Instance& backend = pick_backend(s, inst, req);
                ++backend.active;
                invoke_instance(backend, endpoint, &inst, req, [&backend, reply = std::move(reply)](bool ok, ErrorKind why) {
                    --backend.active;
                    reply(ok, why);
                });
            });
            return;
        }
        // node_service: the cluster master hands the connection to the next worker.
        Worker& w = *inst.workers[inst.next_worker++ % inst.workers.size()];
        const NodeServiceSpec& n = *s.node;
        const long waiting = w.loop ? w.loop->waiting() : static_cast<long>(w.inbox.size());
        if (w.in_flight >= n.max_in_flight || (n.accept_queue && waiting >= static_cast<long>(*n.accept_queue))) {
            reply(false, ErrorKind::rejected);  // 503 from an overloaded worker
            return;
        }
        ++w.in_flight;
        auto* f = new_frame();
        f->request = req;
        f->worker = &w;
        f->service = &s;
        f->stack.push_back({&s.endpoints.at(endpoint).steps, 0});
        f->done = [&w, reply = std::move(reply)](bool ok, ErrorKind why) {
            --w.in_flight;
            reply(ok, why);
        };
        run(f);
    });
}

Instance& Runtime::pick_backend(const Service& lb, Instance& lb_instance, const Request* req) {
    auto& list = instances_.at(lb.lb->backend);
    const std::size_t n = list.size();
    auto least = [&](std::size_t a, std::size_t b) { return list[b]->active < list[a]->active ? b : a; };
    std::uniform_int_distribution<std::size_t> any(0, n - 1);
    switch (lb.lb->algorithm) {
        case LbAlgorithm::round_robin: return *list[round_robin_[lb.name + "#" + std::to_string(lb_instance.index)]++ % n];
        case LbAlgorithm::random: return *list[any(rng_)];
        case LbAlgorithm::least_connections: {
            std::size_t best = 0;
            for (std::size_t i = 1; i < n; ++i) best = least(best, i);
            return *list[best];
        }
        case LbAlgorithm::power_of_two: return *list[least(any(rng_), any(rng_))];
        case LbAlgorithm::consistent_hash: {
            // Consistent hashing with bounded loads: walk the ring from the key's point and take
            // the first backend under c x average load.
            long total = 0;
            for (const auto& b : list) total += b->active;
            const double cap = std::ceil(lb.lb->bounded_load * static_cast<double>(total + 1) / static_cast<double>(n));
            const std::size_t start = mix64(req ? req->session : rng_()) % n;
            for (std::size_t k = 0; k < n; ++k)
                if (static_cast<double>(list[(start + k) % n]->active) < cap) return *list[(start + k) % n];
            return *list[start];
        }
        case LbAlgorithm::sticky: {
            if (!req) return *list[any(rng_)];  // internal traffic has no session
            auto [it, fresh] = sticky_.emplace(req->session, 0);
            if (fresh) it->second = round_robin_[lb.name]++ % n;
            return *list[it->second];
        }
    }
    return *list.front();
}

void Runtime::resume(Frame* f) { run(f); }

void Runtime::finish(Frame* f, bool ok, ErrorKind why) {
    auto done = std::move(f->done);
    live_frames_.erase(f);
    delete f;
    if (done) done(ok, why);
}

void Runtime::run(Frame* f) {
    while (!f->stack.empty()) {
        Frame::Entry& top = f->stack.back();
        if (top.pc == top.steps->size()) {
            const CacheStep* put = top.put_after;
            const std::uint64_t key = top.key;
            f->stack.pop_back();
            if (put) {
                // Write the fetched value back; the caller awaits the SET like a real client.
                auto& shards = instances_.at(put->cache);
                Instance& shard = *shards[key % shards.size()];
                const Service& cs = *shard.service;
                const double rtt = 2 * hop(f->worker->instance, &shard, put->value_bytes);
                const double ttl = put->ttl_s.value_or(cs.cache->default_ttl_s.value_or(0));
                kernel_.after(rtt / 2, [this, f, &shard, &cs, put, key, ttl, rtt] {
                    shard.station->submit(sample(cs.cache->op_time), [this, f, &shard, put, key, ttl, rtt] {
                        shard.cache->put(key, put->value_bytes, ttl, Kernel::now());
                        kernel_.after(rtt / 2, [this, f] { run(f); });
                    });
                });
                return;
            }
            continue;
        }
        const Step& step = (*top.steps)[top.pc++];
        if (const auto* cpu = std::get_if<CpuStep>(&step.body)) {
            Worker& w = *f->worker;
            if (w.loop) {
                w.loop->submit(sample(cpu->time) / w.instance->core_speed, [this, f] { run(f); });
                return;
            }
            w.inbox.emplace_back(f, sample(cpu->time) * kFlopsPerRefSecond);
            if (w.idle) {
                w.idle = false;
                w.wake->release();
            }
            return;
        }
        if (const auto* call = std::get_if<CallStep>(&step.body)) {
            const Service& target = *t_.find(call->service);
            if (call->async) {  // fire-and-forget: the caller goes on at once
                invoke(target, call->endpoint, f->worker->instance, nullptr, [](bool, ErrorKind) {});
                continue;
            }
            invoke(target, call->endpoint, f->worker->instance, f->request, [this, f](bool ok, ErrorKind why) {
                if (ok) run(f);
                else finish(f, false, why);
            });
            return;
        }
        if (const auto* c = std::get_if<CacheStep>(&step.body)) {
            cache_step(f, *c);
            return;
        }
        if (const auto* d = std::get_if<DbStep>(&step.body)) {
            db_step(f, *d);
            return;
        }
        if (const auto* p = std::get_if<PublishStep>(&step.body)) {
            publish_step(f, *p);
            return;
        }
        if (const auto* b = std::get_if<BranchStep>(&step.body)) {
            double u = std::uniform_real_distribution<double>(0, 1)(rng_);
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

void Runtime::cache_step(Frame* f, const CacheStep& step) {
    CacheState& cs = *caches_.at(&step);
    const std::uint64_t key = mix64((cs.population << 40) ^ (*cs.keys)(rng_));
    auto& shards = instances_.at(step.cache);
    Instance& shard = *shards[key % shards.size()];
    const Service& svc = *shard.service;
    const double one_way = hop(f->worker->instance, &shard, step.value_bytes);
    kernel_.after(one_way, [this, f, &step, &shard, &svc, key, one_way] {
        shard.station->submit(sample(svc.cache->op_time), [this, f, &step, &shard, &svc, key, one_way] {
            const bool hit = shard.cache->get(key, Kernel::now());
            rec_.cache_lookup(svc.name, hit);
            kernel_.after(one_way, [this, f, &step, key, hit] {
                if (!hit) f->stack.push_back({&step.on_miss, 0, &step, key});
                run(f);
            });
        });
    });
}

void Runtime::db_step(Frame* f, const DbStep& step) {
    const Service& db = *t_.find(step.database);
    auto& servers = instances_.at(db.name);
    const DatabaseSpec& spec = *db.database;
    Instance* server = servers.front().get();  // the primary
    if (step.op == DbStep::Op::read && spec.read_from_replicas && servers.size() > 1)
        server = servers[1 + round_robin_[db.name + "/reads"]++ % (servers.size() - 1)].get();
    auto& pool_ptr = pools_[{f->worker->instance, db.name}];
    if (!pool_ptr) {
        pool_ptr = std::make_unique<Pool>();
        pool_ptr->free = spec.pool_size;
    }
    Pool& pool = *pool_ptr;
    const double one_way = hop(f->worker->instance, server, 2048);
    auto query = [this, f, &step, server, &pool, one_way](bool granted) {
        if (!granted) {
            finish(f, false, ErrorKind::pool_timeout);
            return;
        }
        kernel_.after(one_way, [this, f, &step, server, &pool, one_way] {
            server->station->submit(sample(step.query), [this, f, &pool, one_way] {
                kernel_.after(one_way, [this, f, &pool] {
                    // Hand the connection to the next waiter, if any, else back to the pool.
                    if (!pool.waiters.empty()) {
                        auto w = std::move(pool.waiters.front());
                        pool.waiters.pop_front();
                        rec_.pool_wait(f->service->name, Kernel::now() - w.since, false);
                        w.grant(true);
                    } else {
                        ++pool.free;
                    }
                    run(f);
                });
            });
        });
    };
    if (pool.free > 0) {
        --pool.free;
        query(true);
        return;
    }
    const std::uint64_t id = pool.next_id++;
    pool.waiters.push_back({id, Kernel::now(), query});
    kernel_.after(spec.pool_timeout_s, [this, &pool, id, name = db.name] {
        auto it = std::find_if(pool.waiters.begin(), pool.waiters.end(), [id](const Pool::Waiter& w) { return w.id == id; });
        if (it == pool.waiters.end()) return;  // granted in time
        auto grant = std::move(it->grant);
        rec_.pool_wait(name, Kernel::now() - it->since, true);
        pool.waiters.erase(it);
        grant(false);
    });
}

void Runtime::publish_step(Frame* f, const PublishStep& step) {
    Broker& b = *brokers_.at(step.queue);
    Instance& broker = *instances_.at(step.queue).front();
    const QueueSpec& q = *b.service->queue;
    const double one_way = hop(f->worker->instance, &broker, step.payload_bytes);
    kernel_.after(one_way, [this, f, &b, &broker, &q, one_way] {
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
        b.messages.pop_front();
        --b.free_slots;
        if (!b.blocked.empty()) {  // space freed: admit one blocked producer
            auto next = std::move(b.blocked.front());
            b.blocked.erase(b.blocked.begin());
            next();
        }
        // Round-robin over consumer slots; a busy worker still queues the work on its loop.
        Worker* w = b.consumers[b.next++ % b.consumers.size()];
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

long Runtime::queue_depth(const std::string& service) const {
    long depth = 0;
    for (const auto& inst : instances_.at(service)) {
        for (const auto& w : inst->workers) depth += static_cast<long>(w->inbox.size()) + (w->loop ? w->loop->waiting() : 0);
        if (inst->station) depth += inst->station->waiting();
    }
    if (auto it = brokers_.find(service); it != brokers_.end()) depth += static_cast<long>(it->second->messages.size());
    return depth;
}

double Runtime::busy_seconds(const std::string& service) const {
    double busy = 0;
    for (const auto& inst : instances_.at(service)) {
        for (const auto& w : inst->workers) busy += w->loop ? w->loop->busy_server_seconds() : w->busy_s;
        if (inst->station) busy += inst->station->busy_server_seconds();
    }
    return busy;
}

int Runtime::capacity_servers(const std::string& service) const {
    int servers = 0;
    for (const auto& inst : instances_.at(service)) {
        if (!inst->workers.empty()) {
            const MachineType* m = t_.machines.find(inst->service->machine);
            servers += std::min(static_cast<int>(inst->workers.size()), m ? m->vcpus : 1);
        }
        if (inst->station) servers += inst->station->servers();
    }
    return servers;
}

}  // namespace stacksim::sim
